package drsync

// The C callbacks of the binding: exported Go functions that libdrsync calls with the payload
// the operation passed, a runtime/cgo.Handle of its *callState. This file may only declare C
// (cgo's rule for files with //export); bind.go defines the C adapters that call these.

/*
#include <drsync/drsync.h>
*/
import "C"

import (
	"runtime/cgo"
	"time"
	"unsafe"
)

func stateOf(payload unsafe.Pointer) *callState {
	return cgo.Handle(uintptr(payload)).Value().(*callState)
}

//export drsyncGoProgress
func drsyncGoProgress(p *C.drsync_progress, payload unsafe.Pointer) C.int {
	st := stateOf(payload)
	ev := Progress{
		Step:       C.GoString(p.step),
		Object:     C.GoString(p.object),
		Done:       uint64(p.done),
		Total:      uint64(p.total),
		FilesDone:  uint64(p.files_done),
		FilesTotal: uint64(p.files_total),
	}
	return st.guard(func() error {
		if st.progress == nil {
			return nil
		}
		return st.progress(ev)
	})
}

//export drsyncGoStep
func drsyncGoStep(mode, step *C.char, before C.int, _ *C.drsync_migration, payload unsafe.Pointer) C.int {
	st := stateOf(payload)
	ev := StepEvent{Mode: C.GoString(mode), Step: C.GoString(step), Before: before != 0}
	if ev.Before {
		st.step = ev.Step
	}
	rc := st.guard(func() error {
		if st.stepHook == nil {
			return nil
		}
		return st.stepHook(st.ctx, ev, st.mig)
	})
	if !ev.Before && rc == 0 {
		st.step = ""
	}
	return rc
}

//export drsyncGoData
func drsyncGoData(_ *C.drsync_migration, from, to C.drsync_side, payload unsafe.Pointer) C.int {
	st := stateOf(payload)
	return st.guard(func() error {
		if st.dataHook == nil {
			return nil
		}
		return st.dataHook(st.ctx, st.mig, Side(from), Side(to))
	})
}

//export drsyncGoContinuous
func drsyncGoContinuous(e *C.drsync_continuous_event, payload unsafe.Pointer) C.int {
	st := stateOf(payload)
	ev := ContinuousEvent{
		Kind:    C.GoString(e.kind),
		Object:  C.GoString(e.object),
		Action:  C.GoString(e.action),
		Message: C.GoString(e.message),
		Lag:     time.Duration(float64(e.lag_ms) * float64(time.Millisecond)),
	}
	return st.guard(func() error {
		if st.event == nil {
			return nil
		}
		return st.event(ev)
	})
}
