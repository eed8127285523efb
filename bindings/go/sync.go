package drsync

/*
#include <stdint.h>
#include <drsync/drsync.h>
int drsyncgo_bind_sync(drsync_sync* s, uintptr_t handle);
*/
import "C"

import (
	"context"
	"encoding/json"
	"runtime"
)

// Options is an options document (docs/options.md) with its camelCase keys:
// Options{"includeTypes": []string{"configmaps"}, "prune": true, "waitTimeoutSeconds": 120}.
// nil means the library's defaults. The library parses it strictly: an unknown key or a wrong
// type is ErrInvalidArgument naming the key.
type Options map[string]any

func (o Options) document(op string) (string, error) {
	if len(o) == 0 {
		return "", nil
	}
	doc, err := json.Marshal(map[string]any(o))
	if err != nil {
		return "", &Error{Code: ErrInvalidArgument, Op: op, Message: "options: " + err.Error()}
	}
	return string(doc), nil
}

// NamespaceSync copies one namespace into a (possibly renamed) namespace of another cluster.
// Not safe for concurrent use.
type NamespaceSync struct {
	ptr      *C.drsync_sync
	progress func(Progress) error
	active   *callState
}

// NewNamespaceSync is a copy of sourceNS of source into destNS of dest. Keys of opts that
// only concern migrations are accepted and ignored.
func NewNamespaceSync(source *Cluster, sourceNS string, dest *Cluster, destNS string,
	opts Options) (*NamespaceSync, error) {
	var out *C.drsync_sync
	err := newForPair("new sync", source, sourceNS, dest, destNS, opts,
		func(src, dst *C.drsync_cluster, sns, dns, options *C.char) C.int {
			return C.drsync_sync_new(&out, src, sns, dst, dns, options)
		})
	if err != nil {
		return nil, err
	}
	return wrapSync(out), nil
}

func wrapSync(p *C.drsync_sync) *NamespaceSync {
	s := &NamespaceSync{ptr: p}
	runtime.SetFinalizer(s, (*NamespaceSync).free)
	return s
}

// OnProgress sets the progress callback of Plan and Run (nil: none). It runs on the calling
// goroutine; a non-nil error cancels the operation and is wrapped in the returned *Error.
func (s *NamespaceSync) OnProgress(fn func(Progress) error) { s.progress = fn }

// Plan is every action Run would take, with a diff per object; it writes nothing.
func (s *NamespaceSync) Plan(ctx context.Context) (*SyncResult, error) {
	return s.op(ctx, "sync plan", func(out **C.drsync_result, p *C.drsync_sync) C.int {
		return C.drsync_sync_plan(out, p)
	})
}

// Run applies the plan. When some objects failed, it returns the result (OK false) together
// with an *Error matching ErrFailed.
func (s *NamespaceSync) Run(ctx context.Context) (*SyncResult, error) {
	return s.op(ctx, "sync run", func(out **C.drsync_result, p *C.drsync_sync) C.int {
		return C.drsync_sync_run(out, p)
	})
}

func (s *NamespaceSync) op(ctx context.Context, op string,
	fn func(**C.drsync_result, *C.drsync_sync) C.int) (*SyncResult, error) {
	if s.ptr == nil {
		return nil, closedError(op, "NamespaceSync")
	}
	if s.active != nil {
		return nil, &Error{Code: ErrInvalidArgument, Op: op,
			Message: "called from inside a callback of the same NamespaceSync"}
	}
	defer runtime.KeepAlive(s)
	st := &callState{ctx: ctx, op: op, progress: s.progress}
	s.active = st
	defer func() { s.active = nil }()
	var out *C.drsync_result
	p := s.ptr
	_, e := invoke(st,
		func(h C.uintptr_t) C.int { return C.drsyncgo_bind_sync(p, h) },
		func() C.int { return fn(&out, p) },
		func() { C.drsync_sync_cancel(p) })
	doc, _ := takeResult(out)
	var result *SyncResult
	if doc != nil {
		var err error
		if result, err = decodeSync(doc); err != nil {
			return nil, &Error{Code: ErrInternal, Op: op, Message: "result: " + err.Error()}
		}
	}
	if e != nil {
		e.SyncResult = result
		return result, e
	}
	return result, nil
}

// Close frees the C handle; idempotent. Not from inside one of its callbacks.
func (s *NamespaceSync) Close() error {
	if s.active != nil {
		return &Error{Code: ErrInvalidArgument, Op: "close",
			Message: "NamespaceSync closed from inside its own callback"}
	}
	s.free()
	runtime.SetFinalizer(s, nil)
	return nil
}

func (s *NamespaceSync) free() {
	if s.ptr != nil {
		C.drsync_sync_free(s.ptr)
		s.ptr = nil
	}
}
