package drsync

/*
#include <stdlib.h>
#include <drsync/drsync.h>
*/
import "C"

import (
	"context"
	"encoding/json"
)

// Step runs one idempotent step ("sync", "record", "fence", "unfence", "scale_down",
// "scale_up", "wait_gone", "wait_ready", "migrate_data", "verify", "check_services"; see
// StepNames) on side: "sync" and "migrate_data" copy into side from the other side, "verify"
// takes the active side. An unknown name is ErrInvalidArgument. Callable from a step hook.
func (m *Migration) Step(ctx context.Context, name string, side Side) error {
	cname, free := cstr(name, false)
	defer free()
	_, e := m.run(ctx, "step "+name, func(p *C.drsync_migration) C.int {
		return C.drsync_migration_step(p, cname, C.drsync_side(side))
	})
	if e != nil && e.Step == "" {
		e.Step = name
	}
	return asError(e)
}

// Plan is the steps mode would run, after the refusal checks the mode runs (ErrFenced,
// ErrPending, ErrUnavailable as the mode would). Reads only. With preview, each step also says
// what it would change (the sync plan, each workload's scale before and after).
func (m *Migration) Plan(ctx context.Context, mode Mode, preview bool) (*StepPlan, error) {
	flag := C.int(0)
	if preview {
		flag = 1
	}
	doc, _, e := m.result(ctx, "plan "+mode.String(), func(out **C.drsync_result, p *C.drsync_migration) C.int {
		return C.drsync_migration_plan(out, p, C.drsync_mode(mode), flag)
	})
	if e != nil {
		return nil, e
	}
	return decodeOr(doc, "plan", decodeStepPlan)
}

// Preflight is what in the destination would block (errors) or degrade (warnings) a recovery,
// each finding with its object and fix. Reads only.
func (m *Migration) Preflight(ctx context.Context) (*PreflightReport, error) {
	doc, _, e := m.result(ctx, "preflight", func(out **C.drsync_result, p *C.drsync_migration) C.int {
		return C.drsync_migration_preflight(out, p)
	})
	if e != nil {
		return nil, e
	}
	return decodeOr(doc, "preflight", decodePreflight)
}

// Status is which side is active, a half-done operation, and the destination's ledger.
func (m *Migration) Status(ctx context.Context) (*MigrationStatus, error) {
	doc, _, e := m.result(ctx, "status", func(out **C.drsync_result, p *C.drsync_migration) C.int {
		return C.drsync_migration_status(out, p)
	})
	if e != nil {
		return nil, e
	}
	return decodeOr(doc, "status", decodeStatus)
}

// Ledger is the original scales recorded on one side's workloads:
// {"deployments.apps/web": "2"}.
func (m *Migration) Ledger(ctx context.Context, side Side) (map[string]string, error) {
	doc, _, e := m.result(ctx, "ledger", func(out **C.drsync_result, p *C.drsync_migration) C.int {
		return C.drsync_migration_ledger(out, p, C.drsync_side(side))
	})
	if e != nil {
		return nil, e
	}
	ledger := map[string]string{}
	if err := json.Unmarshal(doc, &ledger); err != nil {
		return nil, &Error{Code: ErrInternal, Op: "ledger", Message: err.Error()}
	}
	return ledger, nil
}

// Report is the report of the last mode run on this migration (with the changes of steps run
// since).
func (m *Migration) Report() (*MigrationReport, error) {
	doc, md, e := m.result(context.Background(), "report", func(out **C.drsync_result, p *C.drsync_migration) C.int {
		return C.drsync_migration_report(out, p)
	})
	if e != nil {
		return nil, e
	}
	return decodeOr(doc, "report", func(d []byte) (*MigrationReport, error) { return decodeReport(d, md) })
}

// StoppedNamespaces lists the namespaces of cluster that have stopped workloads (of the
// options' "workloads" / "workloadSelector"): what activate --all-namespaces acts on.
func StoppedNamespaces(ctx context.Context, cluster *Cluster, opts Options) ([]string, error) {
	const op = "stopped namespaces"
	doc, err := opts.document(op)
	if err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, &Error{Code: ErrCancelled, Op: op, Message: "not started: the context is done", cause: err}
	}
	var out *C.drsync_result
	err = cluster.with(op, func(c *C.drsync_cluster) error {
		options, free := cstr(doc, true)
		defer free()
		return call(op, func() C.int { return C.drsync_stopped_namespaces(&out, c, options) })
	})
	text, _ := takeResult(out)
	if err != nil {
		return nil, err
	}
	var names []string
	if err := json.Unmarshal(text, &names); err != nil {
		return nil, &Error{Code: ErrInternal, Op: op, Message: err.Error()}
	}
	return names, nil
}

func decodeOr[T any](doc []byte, op string, decode func([]byte) (*T, error)) (*T, error) {
	if doc == nil {
		return nil, &Error{Code: ErrInternal, Op: op, Message: "no result"}
	}
	v, err := decode(doc)
	if err != nil {
		return nil, &Error{Code: ErrInternal, Op: op, Message: "result: " + err.Error()}
	}
	return v, nil
}
