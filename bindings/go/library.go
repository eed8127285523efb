package drsync

/*
// The shared library: -ldrsync, found through CGO_LDFLAGS (-L..., -Wl,-rpath,...) or the
// system's library path. With -tags drsync_static, nothing: CGO_LDFLAGS names the static
// archive and its dependencies (pkg-config --libs drsync-static). See README.md.
#cgo !drsync_static LDFLAGS: -ldrsync
#include <stdlib.h>
#include <drsync/drsync.h>
*/
import "C"

import (
	"fmt"
	"runtime"
	"strings"
	"unsafe"
)

// ABIVersion is the C ABI this package was built against (DRSYNC_ABI_VERSION of the header).
const ABIVersion = int(C.DRSYNC_ABI_VERSION)

// Side is one side of a migration (drsync_side).
type Side int

// The sides.
const (
	Source      Side = C.DRSYNC_SIDE_SOURCE
	Destination Side = C.DRSYNC_SIDE_DESTINATION
)

func (s Side) String() string {
	switch s {
	case Source:
		return "source"
	case Destination:
		return "destination"
	}
	return fmt.Sprintf("Side(%d)", int(s))
}

// ParseSide accepts "source", "destination" and "dest".
func ParseSide(name string) (Side, error) {
	switch strings.ToLower(name) {
	case "source":
		return Source, nil
	case "destination", "dest":
		return Destination, nil
	}
	return 0, &Error{Code: ErrInvalidArgument, Op: "parse side",
		Message: fmt.Sprintf("unknown side %q (source or destination)", name)}
}

// Mode is a mode of a migration (drsync_mode).
type Mode int

// The modes. Activate and Deactivate act on one cluster (NewSingleMigration).
const (
	Stage      Mode = C.DRSYNC_MODE_STAGE
	Cutover    Mode = C.DRSYNC_MODE_CUTOVER
	Failback   Mode = C.DRSYNC_MODE_FAILBACK
	Activate   Mode = C.DRSYNC_MODE_ACTIVATE
	Deactivate Mode = C.DRSYNC_MODE_DEACTIVATE
)

// String is the library's name of the mode ("stage", "cutover", ...; drsync_mode_name).
func (m Mode) String() string {
	if name := C.drsync_mode_name(C.drsync_mode(m)); name != nil {
		return C.GoString(name)
	}
	return fmt.Sprintf("Mode(%d)", int(m))
}

// Version is the loaded libdrsync's version ("0.1.0").
func Version() string { return C.GoString(C.drsync_version()) }

// LoadedABIVersion is the C ABI version of the loaded library; it equals ABIVersion unless
// the program runs with another libdrsync than the one it was built against.
func LoadedABIVersion() int { return int(C.drsync_abi_version()) }

// StepNames lists the steps modes are made of, in the library's order ("sync", "record",
// "fence", ...; drsync_step_name).
func StepNames() []string {
	var names []string
	for i := 0; ; i++ {
		name := C.drsync_step_name(C.drsync_step(i))
		if name == nil {
			return names
		}
		names = append(names, C.GoString(name))
	}
}

// cstr is a C copy of s, freed by the returned function; "" gives NULL when null is true
// (the C ABI's "default" for kubeconfig paths, contexts and options).
func cstr(s string, null bool) (*C.char, func()) {
	if s == "" && null {
		return nil, func() {}
	}
	p := C.CString(s)
	return p, func() { C.free(unsafe.Pointer(p)) }
}

// call runs one int-returning C function and, when it fails, reads the thread's last error on
// the same OS thread.
func call(op string, fn func() C.int) error {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	if rc := fn(); rc < 0 {
		return lastError(rc, op)
	}
	return nil
}
