package drsync

/*
#include <stdint.h>
#include <stdlib.h>
#include <drsync/drsync.h>
int drsyncgo_bind_migration(drsync_migration* m, uintptr_t handle, int data);
*/
import "C"

import (
	"context"
	"runtime"
)

// Migration moves an application between a source and a destination cluster (Stage, Cutover,
// Failback), from idempotent steps, crash-safe through a journal in the destination namespace.
// Not safe for concurrent use.
type Migration struct {
	ptr      *C.drsync_migration
	progress func(Progress) error
	stepHook StepHook
	dataHook DataHook
	active   *callState // the operation running now (its callbacks may call methods again)
}

type resultCall func(out **C.drsync_result, m *C.drsync_migration) C.int

// NewMigration is a migration of sourceNS of source to destNS of dest, with options
// (docs/options.md: "waitTimeoutSeconds", "workloads", "force", "rollbackOnFailure", ...).
func NewMigration(source *Cluster, sourceNS string, dest *Cluster, destNS string,
	opts Options) (*Migration, error) {
	var out *C.drsync_migration
	err := newForPair("new migration", source, sourceNS, dest, destNS, opts,
		func(src, dst *C.drsync_cluster, sns, dns, options *C.char) C.int {
			return C.drsync_migration_new(&out, src, sns, dst, dns, options)
		})
	if err != nil {
		return nil, err
	}
	return wrapMigration(out), nil
}

// NewSingleMigration is a migration of one namespace of one cluster with no source, for
// Activate and Deactivate (e.g. on a DR copy Stork or DR-Syncer made).
func NewSingleMigration(cluster *Cluster, ns string, opts Options) (*Migration, error) {
	const op = "new single migration"
	doc, err := opts.document(op)
	if err != nil {
		return nil, err
	}
	var out *C.drsync_migration
	err = cluster.with(op, func(c *C.drsync_cluster) error {
		cns, free1 := cstr(ns, false)
		defer free1()
		options, free2 := cstr(doc, true)
		defer free2()
		return call(op, func() C.int { return C.drsync_migration_single_new(&out, c, cns, options) })
	})
	if err != nil {
		return nil, err
	}
	return wrapMigration(out), nil
}

func wrapMigration(p *C.drsync_migration) *Migration {
	m := &Migration{ptr: p}
	runtime.SetFinalizer(m, (*Migration).free)
	return m
}

// OnProgress sets the progress callback of modes and steps (nil: none).
func (m *Migration) OnProgress(fn func(Progress) error) { m.progress = fn }

// OnStep sets the step hook of the modes (nil: none).
func (m *Migration) OnStep(fn StepHook) { m.stepHook = fn }

// OnData sets the data hook of the migrate_data step (nil: the built-in mover).
func (m *Migration) OnData(fn DataHook) { m.dataHook = fn }

// run runs fn on the C handle with this migration's callbacks bound to ctx; from inside one of
// them (a step hook running a step), it runs fn directly under the running operation's.
func (m *Migration) run(ctx context.Context, op string, fn func(*C.drsync_migration) C.int) (C.int, *Error) {
	if m.ptr == nil {
		return C.DRSYNC_EINVALIDARG, closedError(op, "Migration").(*Error)
	}
	defer runtime.KeepAlive(m)
	p := m.ptr
	if m.active != nil {
		return direct(op, func() C.int { return fn(p) })
	}
	st := &callState{ctx: ctx, op: op, progress: m.progress, stepHook: m.stepHook,
		dataHook: m.dataHook, mig: m}
	m.active = st
	defer func() { m.active = nil }()
	data := C.int(0)
	if m.dataHook != nil {
		data = 1
	}
	return invoke(st,
		func(h C.uintptr_t) C.int { return C.drsyncgo_bind_migration(p, h, data) },
		func() C.int { return fn(p) },
		func() { C.drsync_migration_cancel(p) })
}

// result runs an operation that returns a drsync_result: its JSON and Markdown (set also on
// ErrFailed and, for modes, ErrCancelled) and the error.
func (m *Migration) result(ctx context.Context, op string, fn resultCall) ([]byte, string, *Error) {
	var out *C.drsync_result
	_, e := m.run(ctx, op, func(p *C.drsync_migration) C.int { return fn(&out, p) })
	doc, md := takeResult(out)
	return doc, md, e
}

// mode runs Stage, Cutover, Failback, Activate or Deactivate. A mode that ran and failed
// returns its report together with an *Error matching ErrFailed; a cancelled one, the partial
// report with an *Error matching ErrCancelled (and the context's error). A refusal (ErrFenced,
// ErrPending, ErrUnavailable, ...) returns no report.
func (m *Migration) mode(ctx context.Context, op string, fn resultCall) (*MigrationReport, error) {
	doc, md, e := m.result(ctx, op, fn)
	var report *MigrationReport
	if doc != nil {
		var err error
		if report, err = decodeReport(doc, md); err != nil {
			return nil, &Error{Code: ErrInternal, Op: op, Message: "report: " + err.Error()}
		}
	}
	if e != nil {
		e.Report = report
		return report, e
	}
	return report, nil
}

// Stage copies the source namespace into the destination, workloads stopped and their
// original scale recorded. ErrFenced when the destination is active (unless "force").
func (m *Migration) Stage(ctx context.Context) (*MigrationReport, error) {
	return m.mode(ctx, "stage", func(out **C.drsync_result, p *C.drsync_migration) C.int {
		return C.drsync_migration_stage(out, p)
	})
}

// Cutover moves the application to the destination: sync, record, fence and scale down the
// source, unfence and scale up the destination, wait until ready, verify. Re-running a failed
// or cancelled Cutover resumes it.
func (m *Migration) Cutover(ctx context.Context) (*MigrationReport, error) {
	return m.mode(ctx, "cutover", func(out **C.drsync_result, p *C.drsync_migration) C.int {
		return C.drsync_migration_cutover(out, p)
	})
}

// Failback moves the application back to the source.
func (m *Migration) Failback(ctx context.Context) (*MigrationReport, error) {
	return m.mode(ctx, "failback", func(out **C.drsync_result, p *C.drsync_migration) C.int {
		return C.drsync_migration_failback(out, p)
	})
}

// Activate (NewSingleMigration) starts every stopped workload at its recorded count and marks
// the namespace active.
func (m *Migration) Activate(ctx context.Context) (*MigrationReport, error) {
	return m.mode(ctx, "activate", func(out **C.drsync_result, p *C.drsync_migration) C.int {
		return C.drsync_migration_activate(out, p)
	})
}

// Deactivate (NewSingleMigration) stops every workload, recording its count, and marks the
// namespace passive.
func (m *Migration) Deactivate(ctx context.Context) (*MigrationReport, error) {
	return m.mode(ctx, "deactivate", func(out **C.drsync_result, p *C.drsync_migration) C.int {
		return C.drsync_migration_deactivate(out, p)
	})
}

// Close frees the C handle; idempotent. Not from inside one of its callbacks.
func (m *Migration) Close() error {
	if m.active != nil {
		return &Error{Code: ErrInvalidArgument, Op: "close",
			Message: "Migration closed from inside its own callback"}
	}
	m.free()
	runtime.SetFinalizer(m, nil)
	return nil
}

func (m *Migration) free() {
	if m.ptr != nil {
		C.drsync_migration_free(m.ptr)
		m.ptr = nil
	}
}
