package drsync

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"
)

func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func TestContinuousSyncFollowsTheSourceUntilTheContextEnds(t *testing.T) {
	tc := clusters(t)
	ns := tc.namespace(t, "cont")
	dns := ns + "-dr"
	cs, err := NewContinuousSync(tc.source, ns, tc.dest, dns,
		Options{"includeTypes": []string{"configmaps"}, "prune": true, "clusterResources": false},
		ContinuousSettings{ResyncInterval: 10 * time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var applied []string
	cs.OnEvent(func(e ContinuousEvent) error {
		if e.Kind == "applied" {
			mu.Lock()
			applied = append(applied, e.Object+" "+e.Action)
			mu.Unlock()
		}
		return nil
	})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- cs.Run(ctx) }()
	eventually(t, "the first full sync", func() bool {
		s, err := cs.Stats()
		return err == nil && s.State == "syncing"
	})
	if err := cs.Close(); !errors.Is(err, ErrInvalidArgument) {
		t.Errorf("Close while running: %v", err)
	}
	tc.src.run(t, "", "-n", ns, "create", "configmap", "live", "--from-literal=v=1")
	eventually(t, "the configmap in the destination", func() bool { return tc.dst.exists("-n", dns, "configmap", "live") })
	tc.src.run(t, "", "-n", ns, "delete", "configmap", "live")
	eventually(t, "the prune", func() bool { return !tc.dst.exists("-n", dns, "configmap", "live") })
	stats, err := cs.Stats()
	if err != nil || stats.Created < 1 || stats.Pruned != 1 || stats.Resyncs != 1 || stats.LagP50Ms <= 0 {
		t.Errorf("stats %+v %v", stats, err)
	}
	stopped := time.Now()
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("Run after the context's cancel: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Run did not return after the context's cancel")
	}
	within(t, "Run's return after the cancel", stopped, 3*time.Second)
	mu.Lock()
	got := strings.Join(applied, ",")
	mu.Unlock()
	if !strings.Contains(got, "configmaps/live create") || !strings.Contains(got, "configmaps/live prune") {
		t.Errorf("applied events: %s", got)
	}
	if err := cs.Close(); err != nil {
		t.Error(err)
	}
	if _, err := cs.Stats(); !errors.Is(err, ErrInvalidArgument) {
		t.Errorf("Stats after Close: %v", err)
	}
}

func TestContinuousSyncStopsWhenFencedOrByItsCallback(t *testing.T) {
	tc := clusters(t)
	ns := tc.namespace(t, "contf")
	dns := ns + "-dr"
	opts := Options{"includeTypes": []string{"configmaps"}, "clusterResources": false}
	stop := errors.New("seen enough")
	cs, err := NewContinuousSync(tc.source, ns, tc.dest, dns, opts, ContinuousSettings{})
	if err != nil {
		t.Fatal(err)
	}
	defer cs.Close()
	cs.OnEvent(func(e ContinuousEvent) error {
		if e.Kind == "resynced" {
			return stop
		}
		return nil
	})
	if err := cs.Run(context.Background()); !errors.Is(err, stop) || !errors.Is(err, ErrCancelled) {
		t.Errorf("Run stopped by its callback: %v", err)
	}

	// The role a Cutover's unfence step records: the destination is the active side.
	tc.dst.try("create", "namespace", dns) // the first run may have created it
	tc.dst.run(t, "", "-n", dns, "create", "configmap", "drsync-state", "--from-literal=role=active")
	fenced, err := NewContinuousSync(tc.source, ns, tc.dest, dns, opts, ContinuousSettings{StopWhenFenced: true})
	if err != nil {
		t.Fatal(err)
	}
	defer fenced.Close()
	if err := fenced.Run(context.Background()); !errors.Is(err, ErrFenced) {
		t.Fatalf("Run onto an active destination: %v", err)
	}
	if s, err := fenced.Stats(); err != nil || !strings.Contains(s.SuspendedReason, "active side") {
		t.Errorf("stats of a fenced sync: %+v %v", s, err)
	}
	done, cancel := context.WithCancel(context.Background())
	cancel()
	if err := fenced.Run(done); !errors.Is(err, ErrCancelled) || !errors.Is(err, context.Canceled) {
		t.Errorf("Run with a done context: %v", err)
	}
}
