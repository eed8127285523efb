package drsync

/*
#include <stdlib.h>
#include <drsync/drsync.h>
*/
import "C"

import (
	"context"
	"runtime"
)

// Plan is a DR plan file (apiVersion: drsync.io/v1, kind: DRPlan): two clusters and namespace
// pairs with their options, the CLI's --plan format. Not safe for concurrent use.
type Plan struct {
	ptr *C.drsync_plan
}

// LoadPlan reads a DR plan file; relative paths in it resolve against its directory.
func LoadPlan(path string) (*Plan, error) {
	cpath, free := cstr(path, false)
	defer free()
	var out *C.drsync_plan
	if err := call("load plan", func() C.int { return C.drsync_plan_load(&out, cpath) }); err != nil {
		return nil, err
	}
	return wrapPlan(out), nil
}

// ParsePlan parses a DR plan document; relative paths in it resolve against baseDir ("": ".").
func ParsePlan(document, baseDir string) (*Plan, error) {
	cdoc, free1 := cstr(document, false)
	defer free1()
	cdir, free2 := cstr(baseDir, true)
	defer free2()
	var out *C.drsync_plan
	if err := call("parse plan", func() C.int { return C.drsync_plan_parse(&out, cdoc, cdir) }); err != nil {
		return nil, err
	}
	return wrapPlan(out), nil
}

func wrapPlan(p *C.drsync_plan) *Plan {
	pl := &Plan{ptr: p}
	runtime.SetFinalizer(pl, (*Plan).Close)
	return pl
}

// Name is metadata.name, or "".
func (p *Plan) Name() string {
	return p.text(func(h *C.drsync_plan) *C.char { return C.drsync_plan_name(h) })
}

// Kubeconfig is the kubeconfig path of one side ("" for kubectl's default loading rules).
func (p *Plan) Kubeconfig(side Side) string {
	return p.text(func(h *C.drsync_plan) *C.char { return C.drsync_plan_kubeconfig(h, C.drsync_side(side)) })
}

// Context is the kubeconfig context of one side ("" for the current one).
func (p *Plan) Context(side Side) string {
	return p.text(func(h *C.drsync_plan) *C.char { return C.drsync_plan_context(h, C.drsync_side(side)) })
}

// Len is the number of namespace pairs.
func (p *Plan) Len() int {
	if p.ptr == nil {
		return 0
	}
	defer runtime.KeepAlive(p)
	return int(C.drsync_plan_count(p.ptr))
}

// Pair is the (source, destination) namespaces of pair i.
func (p *Plan) Pair(i int) (source, dest string) {
	if i < 0 || i >= p.Len() {
		return "", ""
	}
	ns := func(side Side) string {
		return p.text(func(h *C.drsync_plan) *C.char {
			return C.drsync_plan_namespace(h, C.size_t(i), C.drsync_side(side))
		})
	}
	return ns(Source), ns(Destination)
}

// OpenClusters opens the plan's source and destination clusters.
func (p *Plan) OpenClusters() (source, dest *Cluster, err error) {
	if source, err = OpenCluster(p.Kubeconfig(Source), p.Context(Source)); err != nil {
		return nil, nil, err
	}
	if dest, err = OpenCluster(p.Kubeconfig(Destination), p.Context(Destination)); err != nil {
		source.Close()
		return nil, nil, err
	}
	return source, dest, nil
}

// Migration is a Migration for pair i with the plan's options for it.
func (p *Plan) Migration(i int, source, dest *Cluster) (*Migration, error) {
	const op = "plan migration"
	if p.ptr == nil {
		return nil, closedError(op, "Plan")
	}
	defer runtime.KeepAlive(p)
	var out *C.drsync_migration
	err := withPair(op, source, dest, func(src, dst *C.drsync_cluster) error {
		return call(op, func() C.int {
			return C.drsync_plan_migration_new(&out, p.ptr, C.size_t(i), src, dst)
		})
	})
	if err != nil {
		return nil, err
	}
	return wrapMigration(out), nil
}

// Sync is a NamespaceSync for pair i with the plan's options for it.
func (p *Plan) Sync(i int, source, dest *Cluster) (*NamespaceSync, error) {
	const op = "plan sync"
	if p.ptr == nil {
		return nil, closedError(op, "Plan")
	}
	defer runtime.KeepAlive(p)
	var out *C.drsync_sync
	err := withPair(op, source, dest, func(src, dst *C.drsync_cluster) error {
		return call(op, func() C.int { return C.drsync_plan_sync_new(&out, p.ptr, C.size_t(i), src, dst) })
	})
	if err != nil {
		return nil, err
	}
	return wrapSync(out), nil
}

// Run runs mode for every pair of the plan with the plan's options for it, parallelism pairs
// at a time (0: 8), each through its own migration (own journal and fencing). Cutover, Failback
// and Activate run in phases across the pairs: every pair stops its old side, then every pair
// starts its new side, then every pair waits for it (docs/plans.md). A failed or refused pair
// returns the report with an *Error matching ErrFailed; ctx being done stops every pair
// (drsync_plan_cancel) and returns the report with an *Error matching ErrCancelled and the
// context's error. Nothing ran: no report.
func (p *Plan) Run(ctx context.Context, mode Mode, source, dest *Cluster, parallelism int) (*PlanReport, error) {
	const op = "plan run"
	if p.ptr == nil {
		return nil, closedError(op, "Plan")
	}
	if parallelism < 0 {
		parallelism = 0
	}
	defer runtime.KeepAlive(p)
	h := p.ptr
	var out *C.drsync_result
	var e *Error
	err := withPair(op, source, dest, func(src, dst *C.drsync_cluster) error {
		st := &callState{ctx: ctx, op: op}
		_, e = invoke(st,
			func(C.uintptr_t) C.int { return 0 },
			func() C.int {
				return C.drsync_plan_run(&out, h, src, dst, C.drsync_mode(mode), C.size_t(parallelism))
			},
			func() { C.drsync_plan_cancel(h) })
		return nil
	})
	if err != nil {
		return nil, err
	}
	doc, md := takeResult(out)
	var report *PlanReport
	if doc != nil {
		var derr error
		if report, derr = decodePlanReport(doc, md); derr != nil {
			return nil, &Error{Code: ErrInternal, Op: op, Message: "report: " + derr.Error()}
		}
	}
	if e != nil {
		e.PlanReport = report
		return report, e
	}
	return report, nil
}

// Close frees the C handle; idempotent.
func (p *Plan) Close() error {
	if p.ptr != nil {
		C.drsync_plan_free(p.ptr)
		p.ptr = nil
	}
	runtime.SetFinalizer(p, nil)
	return nil
}

func (p *Plan) text(get func(*C.drsync_plan) *C.char) string {
	if p.ptr == nil {
		return ""
	}
	defer runtime.KeepAlive(p)
	if s := get(p.ptr); s != nil {
		return C.GoString(s)
	}
	return ""
}
