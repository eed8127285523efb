package drsync

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
)

// planOf is a DR plan of the test clusters with one pair "<ns>" -> "<ns>-dr" per namespace.
func planOf(t *testing.T, tc *testClusters, namespaces ...string) *Plan {
	t.Helper()
	doc := "apiVersion: drsync.io/v1\nkind: DRPlan\nmetadata: {name: go}\n" +
		"source: {kubeconfig: source.kubeconfig}\ndestination: {kubeconfig: dest.kubeconfig}\n" +
		"defaults: {waitTimeoutSeconds: 120, goneTimeoutSeconds: 60}\nnamespaces:\n"
	for _, ns := range namespaces {
		doc += fmt.Sprintf("- {source: %s, destination: %s-dr}\n", ns, ns)
	}
	p, err := ParsePlan(doc, tc.dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	return p
}

// A plan's Stage and Cutover through Plan.Run: every pair, one report.
func TestPlanRun(t *testing.T) {
	tc := clusters(t)
	a, b := tc.namespace(t, "plana"), tc.namespace(t, "planb")
	tc.src.deploy(t, a, "web", 2, "", true)
	tc.src.deploy(t, b, "api", 1, "", true)
	p := planOf(t, tc, a, b)
	ctx := context.Background()
	staged, err := p.Run(ctx, Stage, tc.source, tc.dest, 2)
	if err != nil || !staged.OK || len(staged.Pairs) != 2 || staged.Mode != "Stage" {
		t.Fatalf("plan stage: %v %+v", err, staged)
	}
	if staged.Pairs[0].Report == nil || staged.Pairs[1].Destination != b+"-dr" || staged.Markdown == "" {
		t.Errorf("plan stage report: %+v", staged)
	}
	cut, err := p.Run(ctx, Cutover, tc.source, tc.dest, 0)
	if err != nil || !cut.OK || cut.ReadySeconds <= 0 {
		t.Fatalf("plan cutover: %v %+v", err, cut)
	}
	if ra, rb := tc.dst.replicas(t, a+"-dr"), tc.dst.replicas(t, b+"-dr"); ra["web"] != 2 || rb["api"] != 1 {
		t.Errorf("destinations after the plan's cutover: %v %v", ra, rb)
	}
	if _, err := p.Run(ctx, Stage, nil, tc.dest, 1); !errors.Is(err, ErrInvalidArgument) {
		t.Errorf("a nil cluster: %v", err)
	}
}

// Plan.Run has no callbacks: a context cancelled while its pairs wait for Pods that never get
// ready stops every pair through drsync_plan_cancel, within a poll.
func TestPlanRunCancelledByContext(t *testing.T) {
	tc := clusters(t)
	a, b := tc.namespace(t, "pcana"), tc.namespace(t, "pcanb")
	stuck := "nodeSelector: {drsync.io/no-such-node: \"true\"}"
	tc.src.deploy(t, a, "stuck", 1, stuck, false)
	tc.src.deploy(t, b, "stuck", 1, stuck, false)
	p := planOf(t, tc, a, b)
	if r, err := p.Run(context.Background(), Stage, tc.source, tc.dest, 2); err != nil || !r.OK {
		t.Fatalf("plan stage: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	cancelledAt := make(chan time.Time, 1)
	go func() { // both destinations scaled up: the pairs are in wait_ready
		deadline := time.Now().Add(90 * time.Second)
		for time.Now().Before(deadline) {
			if scaledTo(tc.dst, a+"-dr", "stuck") == "1" && scaledTo(tc.dst, b+"-dr", "stuck") == "1" {
				break
			}
			time.Sleep(100 * time.Millisecond)
		}
		time.Sleep(300 * time.Millisecond)
		cancelledAt <- time.Now()
		cancel()
	}()
	report, err := p.Run(ctx, Cutover, tc.source, tc.dest, 2)
	var cancelled time.Time
	select {
	case cancelled = <-cancelledAt:
	default:
		t.Fatalf("the plan's cutover returned before the cancel: %v %+v", err, report)
	}
	within(t, "the plan's cutover after the cancel", cancelled, 3*time.Second)
	var e *Error
	if !errors.Is(err, ErrCancelled) || !errors.Is(err, context.Canceled) || !errors.As(err, &e) {
		t.Fatalf("cancelled plan: %v", err)
	}
	if report == nil || e.PlanReport != report || !report.Cancelled || report.OK || len(report.Pairs) != 2 {
		t.Fatalf("cancelled plan's report: %+v", report)
	}
	for _, pair := range report.Pairs {
		if pair.OK {
			t.Errorf("pair %s ok after the cancel", pair.Source)
		}
	}
}

// scaledTo is spec.replicas of a Deployment ("" when unreadable); safe off the test goroutine.
func scaledTo(k *kubectl, ns, name string) string {
	out, _ := k.try("-n", ns, "get", "deployment", name, "-o", "jsonpath={.spec.replicas}")
	return strings.TrimSpace(out)
}
