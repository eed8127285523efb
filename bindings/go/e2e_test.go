package drsync

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
)

func TestClustersAndConfigErrors(t *testing.T) {
	tc := clusters(t)
	if tc.source.Server() != tc.env["SOURCE_SERVER"] || tc.dest.Server() != tc.env["DEST_SERVER"] {
		t.Errorf("servers %q %q, env %q %q", tc.source.Server(), tc.dest.Server(),
			tc.env["SOURCE_SERVER"], tc.env["DEST_SERVER"])
	}
	missing := filepath.Join(t.TempDir(), "missing.kubeconfig")
	_, err := OpenCluster(missing, "")
	var e *Error
	if !errors.Is(err, ErrConfig) || !errors.As(err, &e) {
		t.Fatalf("missing kubeconfig: %v", err)
	}
	if e.Code != ErrConfig || !strings.Contains(e.Message, "missing.kubeconfig") || e.Op != "open cluster" {
		t.Errorf("error %+v", e)
	}
	bad := filepath.Join(t.TempDir(), "bad")
	os.WriteFile(bad, []byte("apiVersion: v1\nkind: Config\nclusters: [[[\n"), 0o600)
	if _, err := OpenCluster(bad, ""); !errors.Is(err, ErrConfig) {
		t.Errorf("unparsable kubeconfig: %v", err)
	}
	if _, err := OpenCluster(tc.src.config, "no-such-context"); !errors.Is(err, ErrConfig) {
		t.Errorf("unknown context: %v", err)
	}
	// The source's credentials and CA, pointed at the destination: another CA signed it.
	text, _ := os.ReadFile(tc.src.config)
	mixed := filepath.Join(t.TempDir(), "mixed")
	os.WriteFile(mixed, []byte(strings.ReplaceAll(string(text), tc.env["SOURCE_SERVER"], tc.env["DEST_SERVER"])), 0o600)
	wrong, err := OpenCluster(mixed, "")
	if err != nil {
		t.Fatal(err)
	}
	defer wrong.Close()
	s, err := NewNamespaceSync(wrong, "default", tc.dest, "default", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	_, err = s.Plan(context.Background())
	if !errors.Is(err, ErrTLS) || strings.Contains(err.Error(), "BEGIN") {
		t.Errorf("wrong CA: %v", err)
	}
}

func TestInvalidArguments(t *testing.T) {
	tc := clusters(t)
	_, err := NewMigration(tc.source, "a", tc.dest, "b", Options{"bogusOption": 1})
	if !errors.Is(err, ErrInvalidArgument) || !strings.Contains(err.Error(), "bogusOption") {
		t.Errorf("unknown option: %v", err)
	}
	if _, err := NewNamespaceSync(tc.source, "", tc.dest, "b", nil); !errors.Is(err, ErrInvalidArgument) {
		t.Errorf("empty namespace: %v", err)
	}
	m, err := NewMigration(tc.source, "a", tc.dest, "b", fast(nil))
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Step(context.Background(), "teleport", Source); !errors.Is(err, ErrInvalidArgument) ||
		!strings.Contains(err.Error(), "unknown step") {
		t.Errorf("unknown step: %v", err)
	}
	m.Close()
	m.Close() // idempotent
	if _, err := m.Stage(context.Background()); !errors.Is(err, ErrInvalidArgument) {
		t.Errorf("closed migration: %v", err)
	}
	if _, err := NewMigration(nil, "a", tc.dest, "b", nil); !errors.Is(err, ErrInvalidArgument) {
		t.Errorf("nil cluster: %v", err)
	}
}

func TestSyncPlanRunWithProgress(t *testing.T) {
	tc := clusters(t)
	ns := tc.namespace(t, "sync")
	dns := ns + "-dr"
	tc.src.run(t, "", "-n", ns, "create", "configmap", "settings", "--from-literal=a=1")
	tc.src.deploy(t, ns, "web", 2, "", true)

	s, err := NewNamespaceSync(tc.source, ns, tc.dest, dns, Options{"prune": true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	steps := map[string]int{}
	s.OnProgress(func(p Progress) error { steps[p.Step]++; return nil })
	plan, err := s.Plan(context.Background())
	if err != nil || !plan.OK || !plan.DryRun || plan.Count("create") < 2 {
		t.Fatalf("plan: %v %+v", err, plan)
	}
	if tc.dst.exists("namespace", dns) {
		t.Fatal("a plan wrote the namespace")
	}
	result, err := s.Run(context.Background())
	if err != nil || !result.OK {
		t.Fatalf("run: %v %+v", err, result)
	}
	if got := result.Count("create") + result.Count("update"); got != plan.Count("create") {
		t.Errorf("run created+updated %d, plan said %d", got, plan.Count("create"))
	}
	if v := tc.dst.run(t, "", "-n", dns, "get", "configmap", "settings", "-o", "jsonpath={.data.a}"); v != "1" {
		t.Errorf("configmap settings a=%q", v)
	}
	if r := tc.dst.replicas(t, dns); r["web"] != 0 {
		t.Errorf("destination replicas %v, want web=0", r)
	}
	for _, step := range []string{"discover", "list", "apply"} {
		if steps[step] == 0 {
			t.Errorf("no progress event for %q: %v", step, steps)
		}
	}
}

func TestSyncCallbackErrorAndPanicCancel(t *testing.T) {
	tc := clusters(t)
	ns := tc.namespace(t, "sync-cancel")
	s, err := NewNamespaceSync(tc.source, ns, tc.dest, ns+"-dr", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	stop := errors.New("stop at list")
	s.OnProgress(func(p Progress) error {
		if p.Step == "list" {
			return stop
		}
		return nil
	})
	_, err = s.Run(context.Background())
	if !errors.Is(err, stop) || !errors.Is(err, ErrCancelled) {
		t.Fatalf("callback error: %v", err)
	}
	if tc.dst.exists("namespace", ns+"-dr") {
		t.Error("a cancelled sync wrote the namespace")
	}
	s.OnProgress(func(p Progress) error { panic("boom") })
	func() {
		defer func() {
			if r := recover(); r != "boom" {
				t.Errorf("recovered %v, want the callback's panic", r)
			}
		}()
		s.Run(context.Background())
		t.Error("the panic was not re-raised")
	}()
	s.OnProgress(nil)
	if r, err := s.Run(context.Background()); err != nil || !r.OK {
		t.Errorf("usable again after the cancel: %v", err)
	}
}

// The guestbook fixture app: Stage records the source's counts on stopped copies, Cutover
// moves it, Failback moves it back; step hooks and progress see it all.
func TestStageCutoverFailbackFixtureApp(t *testing.T) {
	tc := clusters(t)
	ns := tc.namespace(t, "mig")
	dns := ns + "-dr"
	tc.src.run(t, "", "-n", ns, "apply", "-f", filepath.Join(tc.fixture, "guestbook"))
	tc.src.waitReady(t, ns)
	original := tc.src.replicas(t, ns)
	if len(original) != 3 {
		t.Fatalf("guestbook deployments %v", original)
	}
	stopped := map[string]int{}
	recorded := map[string]string{}
	for name, n := range original {
		stopped[name] = 0
		recorded["deployments.apps/"+name] = strconv.Itoa(n)
	}

	m, err := NewMigration(tc.source, ns, tc.dest, dns, fast(nil))
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	var events []StepEvent
	progress := map[string]int{}
	m.OnStep(func(_ context.Context, ev StepEvent, _ *Migration) error { events = append(events, ev); return nil })
	m.OnProgress(func(p Progress) error { progress[p.Step]++; return nil })
	ctx := context.Background()

	staged, err := m.Stage(ctx)
	if err != nil || !staged.OK || staged.Mode != "Stage" {
		t.Fatalf("stage: %v %+v", err, staged)
	}
	if staged.SyncCounts["create"] < 6 { // 3 Deployments + 3 Services at least
		t.Errorf("stage sync counts %v", staged.SyncCounts)
	}
	if got := tc.dst.replicas(t, dns); !reflect.DeepEqual(got, stopped) {
		t.Errorf("staged destination %v, want %v", got, stopped)
	}
	if got := tc.src.replicas(t, ns); !reflect.DeepEqual(got, original) {
		t.Errorf("source after stage %v, want %v", got, original)
	}
	if ledger, err := m.Ledger(ctx, Destination); err != nil || !reflect.DeepEqual(ledger, recorded) {
		t.Errorf("destination ledger %v (%v), want %v", ledger, err, recorded)
	}
	if !containsEvent(events, StepEvent{"stage", "sync", true}) || !containsEvent(events, StepEvent{"stage", "record", false}) {
		t.Errorf("step events %v", events)
	}
	if progress["sync"] == 0 {
		t.Errorf("progress %v", progress)
	}

	cut, err := m.Cutover(ctx)
	if err != nil || !cut.OK || !cut.SourceFenced || !strings.Contains(cut.Markdown, "# drsync Cutover report") {
		t.Fatalf("cutover: %v %+v", err, cut)
	}
	if got := tc.dst.replicas(t, dns); !reflect.DeepEqual(got, original) {
		t.Errorf("destination after cutover %v, want %v", got, original)
	}
	if got := tc.src.replicas(t, ns); !reflect.DeepEqual(got, stopped) {
		t.Errorf("source after cutover %v, want %v", got, stopped)
	}
	if st, err := m.Status(ctx); err != nil || st.ActiveSide != "destination" {
		t.Errorf("status %+v %v", st, err)
	}
	if progress["wait_ready"] == 0 {
		t.Errorf("no wait_ready progress: %v", progress)
	}
	_, err = m.Stage(ctx) // onto the active destination: refused
	var e *Error
	if !errors.Is(err, ErrFenced) || !errors.As(err, &e) || e.Report != nil {
		t.Errorf("stage onto the active side: %v", err)
	}

	back, err := m.Failback(ctx)
	if err != nil || !back.OK {
		t.Fatalf("failback: %v %+v", err, back)
	}
	if got := tc.src.replicas(t, ns); !reflect.DeepEqual(got, original) {
		t.Errorf("source after failback %v, want %v", got, original)
	}
	if r, err := m.Report(); err != nil || r.Mode != "Failback" {
		t.Errorf("report %v %v", r, err)
	}
}

func containsEvent(events []StepEvent, want StepEvent) bool {
	for _, e := range events {
		if e == want {
			return true
		}
	}
	return false
}
