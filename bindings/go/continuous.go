package drsync

/*
#include <stdint.h>
#include <stdlib.h>
#include <drsync/drsync.h>
int drsyncgo_bind_continuous(drsync_continuous_sync* s, uintptr_t handle);
*/
import "C"

import (
	"context"
	"encoding/json"
	"runtime"
	"sync"
	"time"
)

// ContinuousSettings tune a ContinuousSync; zero values are the library's defaults.
type ContinuousSettings struct {
	ResyncInterval time.Duration // full resync with drift repair (default 1 h)
	Debounce       time.Duration // quiet time before a changed object is applied (100 ms)
	MaxDelay       time.Duration // longest a busy object waits (1 s)
	StatePoll      time.Duration // how often the destination's role is read (2 s)
	NoDriftRepair  bool          // resyncs leave hand edits in the destination alone
	// StopWhenFenced makes Run return ErrFenced when the destination becomes the active side
	// (after a Cutover) instead of staying suspended until a Failback.
	StopWhenFenced bool
}

func (s ContinuousSettings) document() string {
	doc := map[string]any{"repairDrift": !s.NoDriftRepair, "stopWhenFenced": s.StopWhenFenced}
	for key, d := range map[string]time.Duration{"resyncIntervalMs": s.ResyncInterval,
		"debounceMs": s.Debounce, "maxDelayMs": s.MaxDelay, "statePollMs": s.StatePoll} {
		if d > 0 {
			doc[key] = max(int64(1), d.Milliseconds())
		}
	}
	b, _ := json.Marshal(doc) // a map of numbers and booleans always marshals
	return string(b)
}

// ContinuousEvent is one event of a ContinuousSync.
type ContinuousEvent struct {
	Kind    string        // "applied", "resynced", "suspended", "resumed", "error"
	Object  string        // applied: "deployments.apps/web"
	Action  string        // applied: "create", "update", "prune", "unchanged", "skip", "error"
	Message string        // why (suspended), the error, a full sync's summary (resynced)
	Lag     time.Duration // applied: first source event seen -> destination written
}

// ContinuousStats are a ContinuousSync's counters and lag (docs/continuous.md).
type ContinuousStats struct {
	State           string  `json:"state"` // "starting", "syncing", "suspended", "stopped"
	SuspendedReason string  `json:"suspendedReason"`
	LastFullSync    string  `json:"lastFullSync"`
	LastError       string  `json:"lastError"`
	Events          uint64  `json:"events"`
	Changes         uint64  `json:"changes"`
	Created         uint64  `json:"created"`
	Updated         uint64  `json:"updated"`
	Pruned          uint64  `json:"pruned"`
	Unchanged       uint64  `json:"unchanged"`
	Skipped         uint64  `json:"skipped"`
	Errors          uint64  `json:"errors"`
	Resyncs         uint64  `json:"resyncs"`
	WatchRestarts   uint64  `json:"watchRestarts"`
	Relists         uint64  `json:"relists"`
	LagLastMs       float64 `json:"lagLastMs"`
	LagP50Ms        float64 `json:"lagP50Ms"`
	LagP99Ms        float64 `json:"lagP99Ms"`
	LagMaxMs        float64 `json:"lagMaxMs"`
}

// ContinuousSync keeps destNS of dest in sync with sourceNS of source until its context is
// done: a full sync, then the source's watches (each change planned and applied like a full
// sync's objects), and a full resync with drift repair every ResyncInterval. It never writes
// into an active DR site: after a Cutover it is suspended until a Failback (or, with
// StopWhenFenced, Run returns). Stats may be read from any goroutine while Run runs.
type ContinuousSync struct {
	mu      sync.Mutex
	ptr     *C.drsync_continuous_sync
	running bool
	onEvent func(ContinuousEvent) error
}

// NewContinuousSync prepares a continuous sync; opts is an options document as for
// NewNamespaceSync.
func NewContinuousSync(source *Cluster, sourceNS string, dest *Cluster, destNS string,
	opts Options, settings ContinuousSettings) (*ContinuousSync, error) {
	set, free := cstr(settings.document(), false)
	defer free()
	var out *C.drsync_continuous_sync
	err := newForPair("new continuous sync", source, sourceNS, dest, destNS, opts,
		func(src, dst *C.drsync_cluster, sns, dns, options *C.char) C.int {
			return C.drsync_continuous_sync_new(&out, src, sns, dst, dns, options, set)
		})
	if err != nil {
		return nil, err
	}
	c := &ContinuousSync{ptr: out}
	runtime.SetFinalizer(c, (*ContinuousSync).Close)
	return c, nil
}

// OnEvent sets the event callback (nil: none); not while Run runs. It runs on Run's
// goroutine; a non-nil error stops the sync and Run returns it wrapped (ErrCancelled).
func (c *ContinuousSync) OnEvent(fn func(ContinuousEvent) error) { c.onEvent = fn }

// Run blocks until ctx is done (then it returns nil: a clean stop), until the event callback
// returns an error, or, with StopWhenFenced, until the destination becomes the active side
// (an *Error matching ErrFenced). A failure of the first full sync returns its error; a
// context done before Run starts, an *Error matching ErrCancelled.
func (c *ContinuousSync) Run(ctx context.Context) error {
	const op = "continuous sync"
	p, err := c.start(op)
	if err != nil {
		return err
	}
	defer c.stop()
	st := &callState{ctx: ctx, op: op, event: c.onEvent}
	_, e := invoke(st,
		func(h C.uintptr_t) C.int { return C.drsyncgo_bind_continuous(p, h) },
		func() C.int { return C.drsync_continuous_sync_run(p) },
		func() { C.drsync_continuous_sync_cancel(p) })
	if e != nil {
		return e
	}
	if st.cause != nil && ctx.Err() == nil { // the callback's error stopped it
		return &Error{Code: ErrCancelled, Op: op, Message: "stopped by the event callback",
			cause: st.cause}
	}
	return nil
}

func (c *ContinuousSync) start(op string) (*C.drsync_continuous_sync, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.ptr == nil {
		return nil, closedError(op, "ContinuousSync")
	}
	if c.running {
		return nil, &Error{Code: ErrInvalidArgument, Op: op, Message: "already running"}
	}
	c.running = true
	return c.ptr, nil
}

func (c *ContinuousSync) stop() {
	c.mu.Lock()
	c.running = false
	c.mu.Unlock()
}

// Stats are the counters, lag and state now; from any goroutine.
func (c *ContinuousSync) Stats() (*ContinuousStats, error) {
	const op = "continuous stats"
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.ptr == nil {
		return nil, closedError(op, "ContinuousSync")
	}
	var out *C.drsync_result
	if err := call(op, func() C.int { return C.drsync_continuous_sync_stats(&out, c.ptr) }); err != nil {
		return nil, err
	}
	doc, _ := takeResult(out)
	s := &ContinuousStats{}
	if err := json.Unmarshal(doc, s); err != nil {
		return nil, &Error{Code: ErrInternal, Op: op, Message: "stats: " + err.Error()}
	}
	return s, nil
}

// Close frees the C handle; idempotent. Not while Run runs (ErrInvalidArgument).
func (c *ContinuousSync) Close() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.running {
		return &Error{Code: ErrInvalidArgument, Op: "close", Message: "ContinuousSync is running"}
	}
	if c.ptr != nil {
		C.drsync_continuous_sync_free(c.ptr)
		c.ptr = nil
	}
	runtime.SetFinalizer(c, nil)
	return nil
}
