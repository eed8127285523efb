package drsync

import (
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// examples/move moves the guestbook fixture app: afterwards the destination runs every
// Deployment at the source's original count and the source runs none.
func TestExampleMovesTheGuestbook(t *testing.T) {
	tc := clusters(t)
	ns := tc.namespace(t, "example")
	dns := ns + "-dr"
	tc.src.run(t, "", "-n", ns, "apply", "-f", filepath.Join(tc.fixture, "guestbook"))
	tc.src.waitReady(t, ns)
	original := tc.src.replicas(t, ns)

	bin := filepath.Join(t.TempDir(), "move")
	build := exec.Command("go", "build", "-o", bin, "./examples/move")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build ./examples/move: %v\n%s", err, out)
	}
	cmd := exec.Command(bin, tc.src.config, tc.dst.config, ns, dns)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	t.Logf("examples/move:\n%s%s", out, stderr.String())
	if err != nil {
		t.Fatalf("examples/move: %v", err)
	}
	if !strings.Contains(string(out), "Stage: ok=true") || !strings.Contains(string(out), "# drsync Cutover report") ||
		!strings.Contains(string(out), "Result: **succeeded**") {
		t.Error("the example did not report a successful Stage and Cutover")
	}
	stopped := map[string]int{}
	for name := range original {
		stopped[name] = 0
	}
	if got := tc.dst.replicas(t, dns); !reflect.DeepEqual(got, original) {
		t.Errorf("destination %v, want %v", got, original)
	}
	if got := tc.src.replicas(t, ns); !reflect.DeepEqual(got, stopped) {
		t.Errorf("source %v, want %v", got, stopped)
	}
}
