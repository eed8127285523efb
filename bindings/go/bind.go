package drsync

/*
#include <stdint.h>
#include <drsync/drsync.h>

// The exported Go callbacks (callbacks.go), as cgo declares them.
extern int drsyncGoProgress(drsync_progress*, void*);
extern int drsyncGoStep(char*, char*, int, drsync_migration*, void*);
extern int drsyncGoData(drsync_migration*, drsync_side, drsync_side, void*);
extern int drsyncGoContinuous(drsync_continuous_event*, void*);

static int drsyncgo_progress(const drsync_progress* p, void* payload) {
  return drsyncGoProgress((drsync_progress*)p, payload);
}
static int drsyncgo_step(const char* mode, const char* step, int before, drsync_migration* m,
                         void* payload) {
  return drsyncGoStep((char*)mode, (char*)step, before, m, payload);
}
static int drsyncgo_data(drsync_migration* m, drsync_side from, drsync_side to, void* payload) {
  return drsyncGoData(m, from, to, payload);
}

static int drsyncgo_continuous(const drsync_continuous_event* e, void* payload) {
  return drsyncGoContinuous((drsync_continuous_event*)e, payload);
}

// Installs (handle != 0) or removes (handle == 0) the callbacks of one operation; the payload
// is the operation's cgo.Handle, never a Go pointer.
int drsyncgo_bind_sync(drsync_sync* s, uintptr_t handle) {
  return drsync_sync_set_progress(s, handle ? drsyncgo_progress : NULL, (void*)handle);
}
int drsyncgo_bind_migration(drsync_migration* m, uintptr_t handle, int data) {
  void* payload = (void*)handle;
  int rc = drsync_migration_set_progress(m, handle ? drsyncgo_progress : NULL, payload);
  if (rc == 0) rc = drsync_migration_set_step_hook(m, handle ? drsyncgo_step : NULL, payload);
  if (rc == 0)
    rc = drsync_migration_set_data_hook(m, handle && data ? drsyncgo_data : NULL, payload);
  return rc;
}
int drsyncgo_bind_continuous(drsync_continuous_sync* s, uintptr_t handle) {
  return drsync_continuous_sync_set_callback(s, handle ? drsyncgo_continuous : NULL,
                                             (void*)handle);
}
*/
import "C"

import (
	"context"
	"runtime"
	"runtime/cgo"
	"sync"
)

// StepEvent is one call of a step hook: before (Before) or after every step of a mode.
type StepEvent struct {
	Mode   string // "stage", "cutover", "failback", "activate", "deactivate"
	Step   string // "sync", "scale_down", ...; "rollback_..." for a Cutover's rollback
	Before bool
}

// StepHook runs before and after every step of a mode, on the goroutine that called the mode.
// It may run steps itself (m.Step, m.Ledger, m.Status), e.g. a storage failover between
// wait_gone and unfence, but must not close m or start another mode on it. A non-nil error
// cancels the mode (the journal keeps what was done; running the mode again resumes).
type StepHook func(ctx context.Context, ev StepEvent, m *Migration) error

// DataHook is the PVC data mover of the migrate_data step (options migrateData /
// reverseMigrateData): copy the migration's PVC data from one side to the other. A non-nil
// error cancels the mode.
type DataHook func(ctx context.Context, m *Migration, from, to Side) error

// callState is what the callbacks of one operation see (through a cgo.Handle).
type callState struct {
	ctx      context.Context
	op       string
	progress func(Progress) error
	stepHook StepHook
	dataHook DataHook
	mig      *Migration
	event    func(ContinuousEvent) error

	step     string // the step of a mode running now (set by the step hook)
	cause    error  // the context's or a callback's error that cancelled the operation
	panicked bool
	panicVal any
}

// guard runs one callback body: non-zero (cancel) when the context is done, when the body
// returns an error, or when it panics (the panic is re-raised once the C call returned).
func (st *callState) guard(body func() error) (rc C.int) {
	if st.cause != nil || st.panicked {
		return 1
	}
	if err := st.ctx.Err(); err != nil {
		st.cause = err
		return 1
	}
	defer func() {
		if r := recover(); r != nil {
			st.panicked, st.panicVal = true, r
			rc = 1
		}
	}()
	if err := body(); err != nil {
		st.cause = err
		return 1
	}
	return 0
}

// invoke runs fn, one C call of the operation st.op, with the callbacks bound to st: bind(h)
// installs them with the cgo.Handle h as payload, bind(0) removes them afterwards, and the
// handle is deleted, so C keeps nothing of Go's beyond the call. While fn runs, the context
// being done calls stop (the handle's drsync_X_cancel, from another goroutine), so a wait or a
// long step ends without waiting for the next callback. The error is read on the thread of
// the call.
func invoke(st *callState, bind func(C.uintptr_t) C.int, fn func() C.int, stop func()) (C.int, *Error) {
	if err := st.ctx.Err(); err != nil {
		return C.DRSYNC_ECANCELLED, &Error{Code: ErrCancelled, Op: st.op,
			Message: "not started: the context is done", cause: err}
	}
	h := cgo.NewHandle(st)
	defer h.Delete()
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	if rc := bind(C.uintptr_t(h)); rc < 0 {
		return rc, lastError(rc, st.op)
	}
	unwatch := watchContext(st.ctx, stop)
	rc := fn()
	unwatch()
	var e *Error
	if rc < 0 {
		e = lastError(rc, st.op)
		e.Step = st.step
		if e.Code == ErrCancelled {
			e.cause = st.cause
			if e.cause == nil {
				e.cause = st.ctx.Err() // stopped by drsync_X_cancel
			}
		}
	}
	bind(0)
	if st.panicked {
		panic(st.panicVal)
	}
	return rc, e
}

// watchContext calls stop once if ctx is done before the returned function is called; that
// function returns only after the watcher has ended, so stop never runs after it (the C
// handle may be freed then).
func watchContext(ctx context.Context, stop func()) (unwatch func()) {
	if ctx.Done() == nil || stop == nil {
		return func() {}
	}
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		select {
		case <-ctx.Done():
			stop()
		case <-done:
		}
	}()
	return func() {
		close(done)
		wg.Wait()
	}
}

// direct runs fn without binding callbacks: a call made from inside a callback of the same
// handle, whose callbacks are bound already.
func direct(op string, fn func() C.int) (C.int, *Error) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	if rc := fn(); rc < 0 {
		return rc, lastError(rc, op)
	}
	return 0, nil
}

// asError turns a nil *Error into a nil error (not a non-nil interface holding nil).
func asError(e *Error) error {
	if e == nil {
		return nil
	}
	return e
}

// takeResult is the JSON and Markdown of a drsync_result, which it frees.
func takeResult(out *C.drsync_result) (doc []byte, markdown string) {
	if out == nil {
		return nil, ""
	}
	defer C.drsync_result_free(out)
	doc = []byte(C.GoString(C.drsync_result_json(out)))
	if md := C.drsync_result_markdown(out); md != nil {
		markdown = C.GoString(md)
	}
	return doc, markdown
}
