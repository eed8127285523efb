package drsync

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"
)

// A context that is done before the call: nothing starts, the error says why.
func TestDoneContextStartsNothing(t *testing.T) {
	tc := clusters(t)
	ns := tc.namespace(t, "done")
	m, err := NewMigration(tc.source, ns, tc.dest, ns+"-dr", fast(nil))
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	start := time.Now()
	_, err = m.Stage(ctx)
	within(t, "a cancelled Stage", start, 100*time.Millisecond)
	if !errors.Is(err, context.Canceled) || !errors.Is(err, ErrCancelled) {
		t.Fatalf("stage with a cancelled context: %v", err)
	}
	expired, cancel2 := context.WithDeadline(context.Background(), time.Now().Add(-time.Second))
	defer cancel2()
	if _, err := m.Cutover(expired); !errors.Is(err, context.DeadlineExceeded) || !errors.Is(err, ErrCancelled) {
		t.Fatalf("cutover past its deadline: %v", err)
	}
	if tc.dst.exists("namespace", ns+"-dr") {
		t.Error("a cancelled Stage wrote the destination")
	}
}

// Cancelling the context while a Cutover waits for Pods that never get ready (no node matches
// their selector) stops it within a poll of wait_ready; the journal keeps the Cutover pending,
// and the partial report comes with the error.
func TestCancelDuringWaitReady(t *testing.T) {
	tc := clusters(t)
	ns := tc.namespace(t, "cancel")
	dns := ns + "-dr"
	tc.src.deploy(t, ns, "stuck", 1, "nodeSelector: {drsync.io/no-such-node: \"true\"}", false)
	m, err := NewMigration(tc.source, ns, tc.dest, dns, fast(nil))
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	if _, err := m.Stage(context.Background()); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var cancelled time.Time
	m.OnProgress(func(p Progress) error {
		if p.Step == "wait_ready" && cancelled.IsZero() {
			cancelled = time.Now()
			time.AfterFunc(300*time.Millisecond, cancel)
		}
		return nil
	})
	start := time.Now()
	report, err := m.Cutover(ctx)
	if cancelled.IsZero() {
		t.Fatalf("the cutover never waited: %v", err)
	}
	t.Logf("returned %v after the context's cancel", time.Since(cancelled.Add(300*time.Millisecond)))
	within(t, "the cutover after its cancel", cancelled.Add(300*time.Millisecond), 3*time.Second)
	within(t, "the cutover", start, 60*time.Second)
	var e *Error
	if !errors.Is(err, context.Canceled) || !errors.Is(err, ErrCancelled) || !errors.As(err, &e) {
		t.Fatalf("cutover: %v", err)
	}
	if e.Step != "wait_ready" || e.Report == nil || report != e.Report || report.OK {
		t.Errorf("error %+v, report %+v", e, report)
	}
	m.OnProgress(nil)
	st, err := m.Status(context.Background())
	if err != nil || st.PendingMode != "Cutover" || !contains(st.PendingStepsDone, "scale_up") {
		t.Errorf("status after the cancel: %+v %v", st, err)
	}
}

// A step hook vetoes a step; it can also run steps itself; the mode resumes afterwards.
func TestStepHookVetoesAndRunsSteps(t *testing.T) {
	tc := clusters(t)
	ns := tc.namespace(t, "hook")
	dns := ns + "-dr"
	tc.src.deploy(t, ns, "web", 2, "", true)
	m, err := NewMigration(tc.source, ns, tc.dest, dns, fast(nil))
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	ctx := context.Background()
	if _, err := m.Stage(ctx); err != nil {
		t.Fatal(err)
	}
	veto := errors.New("storage failover failed")
	m.OnStep(func(ctx context.Context, ev StepEvent, mig *Migration) error {
		if ev.Step == "unfence" && ev.Before {
			return veto
		}
		return nil
	})
	_, err = m.Cutover(ctx)
	var e *Error
	if !errors.Is(err, veto) || !errors.Is(err, ErrCancelled) || !errors.As(err, &e) || e.Step != "unfence" {
		t.Fatalf("vetoed cutover: %v", err)
	}
	if r := tc.dst.replicas(t, dns); r["web"] != 0 {
		t.Errorf("destination started although unfence was vetoed: %v", r)
	}
	if _, err := m.Failback(ctx); !errors.Is(err, ErrPending) {
		t.Errorf("another mode while the Cutover is pending: %v", err)
	}

	var sourceAtUnfence []int
	m.OnStep(func(ctx context.Context, ev StepEvent, mig *Migration) error {
		if ev.Mode == "cutover" && ev.Step == "unfence" && ev.Before {
			if mig != m {
				t.Error("the hook got another migration")
			}
			if err := mig.Step(ctx, "wait_gone", Source); err != nil { // an embedder's own step
				return err
			}
			sourceAtUnfence = append(sourceAtUnfence, tc.src.replicas(t, ns)["web"])
		}
		return nil
	})
	cut, err := m.Cutover(ctx)
	if err != nil || !cut.OK {
		t.Fatalf("resumed cutover: %v", err)
	}
	if len(sourceAtUnfence) != 1 || sourceAtUnfence[0] != 0 {
		t.Errorf("source replicas at unfence %v", sourceAtUnfence)
	}
	if r := tc.dst.replicas(t, dns); r["web"] != 2 {
		t.Errorf("destination after the resumed cutover %v", r)
	}
}

func TestPlanPreflightAndDataHook(t *testing.T) {
	tc := clusters(t)
	ns := tc.namespace(t, "plan")
	dns := ns + "-dr"
	tc.src.deploy(t, ns, "web", 2, "", true)
	m, err := NewMigration(tc.source, ns, tc.dest, dns, fast(Options{"migrateData": true}))
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	ctx := context.Background()
	plan, err := m.Plan(ctx, Stage, true)
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(plan.StepNames(), ","); got != "sync,record,migrate_data" {
		t.Fatalf("stage plan: %s", got)
	}
	if plan.Steps[0].SyncPlan == nil || plan.Steps[0].SyncPlan.Count("create") < 1 {
		t.Errorf("stage plan without a sync preview: %+v", plan.Steps[0])
	}
	if pre, err := m.Preflight(ctx); err != nil || !pre.OK {
		t.Errorf("preflight: %v %+v", err, pre)
	}
	var moved []Side
	m.OnData(func(ctx context.Context, mig *Migration, from, to Side) error {
		moved = append(moved, from, to)
		return nil
	})
	if _, err := m.Stage(ctx); err != nil {
		t.Fatal(err)
	}
	if len(moved) != 2 || moved[0] != Source || moved[1] != Destination {
		t.Errorf("data hook calls %v", moved)
	}
	refuse := errors.New("the storage array refused")
	m.OnData(func(context.Context, *Migration, Side, Side) error { return refuse })
	if _, err := m.Cutover(ctx); !errors.Is(err, refuse) {
		t.Errorf("cutover with a refusing data hook: %v", err)
	}
	if r := tc.dst.replicas(t, dns); r["web"] != 0 {
		t.Errorf("destination started although the data hook failed: %v", r)
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
