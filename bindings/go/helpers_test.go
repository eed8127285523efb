package drsync

import (
	"bufio"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// The e2e tests run against the two real test clusters of tests/cluster/up, whose directory is
// $DRSYNC_TEST_CLUSTERS (source.kubeconfig, dest.kubeconfig, env with KUBECTL=); ctest
// "e2e: go" sets it. Without it they are skipped.

type testClusters struct {
	dir     string
	env     map[string]string
	src     *kubectl
	dst     *kubectl
	source  *Cluster
	dest    *Cluster
	fixture string // tests/fixtures/apps
}

func clusters(t *testing.T) *testClusters {
	t.Helper()
	dir := os.Getenv("DRSYNC_TEST_CLUSTERS")
	if dir == "" {
		t.Skip("DRSYNC_TEST_CLUSTERS is not set to a running test cluster pair (tests/cluster/up --dir DIR)")
	}
	env := readEnv(t, filepath.Join(dir, "env"))
	tc := &testClusters{dir: dir, env: env,
		src:     &kubectl{bin: env["KUBECTL"], config: filepath.Join(dir, "source.kubeconfig")},
		dst:     &kubectl{bin: env["KUBECTL"], config: filepath.Join(dir, "dest.kubeconfig")},
		fixture: filepath.Join("..", "..", "tests", "fixtures", "apps")}
	var err error
	if tc.source, err = OpenCluster(tc.src.config, ""); err != nil {
		t.Fatal(err)
	}
	if tc.dest, err = OpenCluster(tc.dst.config, ""); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { tc.source.Close(); tc.dest.Close() })
	return tc
}

func readEnv(t *testing.T, path string) map[string]string {
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	env := map[string]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if k, v, ok := strings.Cut(sc.Text(), "="); ok {
			env[k] = v
		}
	}
	return env
}

// namespace creates a fresh namespace on the source; it and "<name>-dr" on the destination
// are deleted when the test ends.
func (tc *testClusters) namespace(t *testing.T, prefix string) string {
	t.Helper()
	b := make([]byte, 3)
	rand.Read(b)
	ns := fmt.Sprintf("go-%s-%s", prefix, hex.EncodeToString(b))
	tc.src.run(t, "", "create", "namespace", ns)
	t.Cleanup(func() {
		tc.src.try("delete", "namespace", ns, "--wait=false", "--ignore-not-found")
		tc.dst.try("delete", "namespace", ns+"-dr", "--wait=false", "--ignore-not-found")
	})
	return ns
}

type kubectl struct{ bin, config string }

func (k *kubectl) try(args ...string) (string, error) {
	cmd := exec.Command(k.bin, append([]string{"--kubeconfig", k.config}, args...)...)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return string(out), fmt.Errorf("kubectl %s: %v: %s", strings.Join(args, " "), err, stderr.String())
	}
	return string(out), nil
}

func (k *kubectl) run(t *testing.T, stdin string, args ...string) string {
	t.Helper()
	cmd := exec.Command(k.bin, append([]string{"--kubeconfig", k.config}, args...)...)
	cmd.Stdin = strings.NewReader(stdin)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("kubectl %s: %v: %s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

func (k *kubectl) exists(args ...string) bool {
	out, err := k.try(append(append([]string{"get"}, args...), "--ignore-not-found", "-o", "name")...)
	return err == nil && strings.TrimSpace(out) != ""
}

// replicas is name -> spec.replicas of every Deployment of ns.
func (k *kubectl) replicas(t *testing.T, ns string) map[string]int {
	t.Helper()
	var list struct {
		Items []struct {
			Metadata struct{ Name string }
			Spec     struct{ Replicas int }
		}
	}
	if err := json.Unmarshal([]byte(k.run(t, "", "-n", ns, "get", "deployments", "-o", "json")), &list); err != nil {
		t.Fatal(err)
	}
	out := map[string]int{}
	for _, d := range list.Items {
		out[d.Metadata.Name] = d.Spec.Replicas
	}
	return out
}

// waitReady waits until every Deployment of ns has all its replicas ready (kwok).
func (k *kubectl) waitReady(t *testing.T, ns string) {
	t.Helper()
	for _, d := range strings.Fields(k.run(t, "", "-n", ns, "get", "deployments", "-o", "name")) {
		k.run(t, "", "-n", ns, "rollout", "status", d, "--timeout=120s")
	}
}

const deploymentYAML = `
apiVersion: apps/v1
kind: Deployment
metadata: {name: %[1]s}
spec:
  replicas: %[2]d
  selector: {matchLabels: {app: %[1]s}}
  template:
    metadata: {labels: {app: %[1]s}}
    spec:
      %[3]s
      containers: [{name: app, image: registry.k8s.io/pause:3.10}]
`

// deploy creates a Deployment; with wait, until its replicas are ready.
func (k *kubectl) deploy(t *testing.T, ns, name string, replicas int, podSpec string, wait bool) {
	t.Helper()
	k.run(t, fmt.Sprintf(deploymentYAML, name, replicas, podSpec), "-n", ns, "apply", "-f", "-")
	if wait {
		k.run(t, "", "-n", ns, "rollout", "status", "deployment/"+name, "--timeout=120s")
	}
}

// fast are options that keep a failing test short.
func fast(extra Options) Options {
	o := Options{"waitTimeoutSeconds": 120, "goneTimeoutSeconds": 60}
	for k, v := range extra {
		o[k] = v
	}
	return o
}

func within(t *testing.T, what string, start time.Time, limit time.Duration) {
	t.Helper()
	if d := time.Since(start); d > limit {
		t.Errorf("%s took %v, more than %v", what, d, limit)
	}
}
