package drsync

/*
#include <drsync/drsync.h>
*/
import "C"

import (
	"fmt"
	"strings"
)

// Code is a drsync_error_code of the C ABI. Its values come from <drsync/drsync.h> through
// cgo; the Err* constants below are the sentinels to match with errors.Is:
//
//	if errors.Is(err, drsync.ErrFenced) { ... }
//
// A Code is itself an error, so a sentinel can also be returned or wrapped.
type Code int

// The error codes of the C ABI (drsync_error_code), one per drsync::Errc of the C++ API.
const (
	codeOK              Code = C.DRSYNC_OK
	ErrGeneric          Code = C.DRSYNC_ERROR            // an unexpected exception
	ErrInvalidArgument  Code = C.DRSYNC_EINVALIDARG      // the caller's input: options, plan, step name, empty name
	ErrConfig           Code = C.DRSYNC_ECONFIG          // kubeconfig / in-cluster configuration wrong or unreadable
	ErrNotFound         Code = C.DRSYNC_ENOTFOUND        // 404 NotFound
	ErrAlreadyExists    Code = C.DRSYNC_EEXISTS          // 409 AlreadyExists
	ErrConflict         Code = C.DRSYNC_ECONFLICT        // 409 Conflict
	ErrInvalid          Code = C.DRSYNC_EINVALID         // 422 Invalid
	ErrBadRequest       Code = C.DRSYNC_EBADREQUEST      // 400 BadRequest
	ErrForbidden        Code = C.DRSYNC_EFORBIDDEN       // 403 Forbidden
	ErrUnauthorized     Code = C.DRSYNC_EUNAUTHORIZED    // 401 Unauthorized
	ErrMethodNotAllowed Code = C.DRSYNC_ENOTALLOWED      // 405 MethodNotAllowed
	ErrGone             Code = C.DRSYNC_EGONE            // 410 Gone / Expired
	ErrTooManyRequests  Code = C.DRSYNC_ETOOMANYREQUESTS // 429 after retries
	ErrTimeout          Code = C.DRSYNC_ETIMEOUT         // 504, request or operation timeout
	ErrServer           Code = C.DRSYNC_ESERVER          // other 5xx after retries
	ErrNetwork          Code = C.DRSYNC_ENETWORK         // connection refused/reset, DNS, ...
	ErrTLS              Code = C.DRSYNC_ETLS             // certificate verification, bad client key, ...
	ErrUnavailable      Code = C.DRSYNC_EUNAVAILABLE     // the cluster cannot be reached at all
	ErrFenced           Code = C.DRSYNC_EFENCED          // refused: the target side is active
	ErrPending          Code = C.DRSYNC_EPENDING         // refused: another operation is half-done
	ErrCancelled        Code = C.DRSYNC_ECANCELLED       // a callback or the context cancelled the operation
	ErrInternal         Code = C.DRSYNC_EINTERNAL        // a bug in libdrsync
	ErrOutOfMemory      Code = C.DRSYNC_ENOMEM           // out of memory
	ErrFailed           Code = C.DRSYNC_EFAILED          // the operation ran and its result reports failures
)

// codeTable names every Code after its C enumerator. errors_test.go checks it against the enum
// of the header, so an enumerator added to the C ABI without a Go counterpart fails the tests.
var codeTable = []struct {
	C    string
	Code Code
}{
	{"DRSYNC_OK", codeOK},
	{"DRSYNC_ERROR", ErrGeneric},
	{"DRSYNC_EINVALIDARG", ErrInvalidArgument},
	{"DRSYNC_ECONFIG", ErrConfig},
	{"DRSYNC_ENOTFOUND", ErrNotFound},
	{"DRSYNC_EEXISTS", ErrAlreadyExists},
	{"DRSYNC_ECONFLICT", ErrConflict},
	{"DRSYNC_EINVALID", ErrInvalid},
	{"DRSYNC_EBADREQUEST", ErrBadRequest},
	{"DRSYNC_EFORBIDDEN", ErrForbidden},
	{"DRSYNC_EUNAUTHORIZED", ErrUnauthorized},
	{"DRSYNC_ENOTALLOWED", ErrMethodNotAllowed},
	{"DRSYNC_EGONE", ErrGone},
	{"DRSYNC_ETOOMANYREQUESTS", ErrTooManyRequests},
	{"DRSYNC_ETIMEOUT", ErrTimeout},
	{"DRSYNC_ESERVER", ErrServer},
	{"DRSYNC_ENETWORK", ErrNetwork},
	{"DRSYNC_ETLS", ErrTLS},
	{"DRSYNC_EUNAVAILABLE", ErrUnavailable},
	{"DRSYNC_EFENCED", ErrFenced},
	{"DRSYNC_EPENDING", ErrPending},
	{"DRSYNC_ECANCELLED", ErrCancelled},
	{"DRSYNC_EINTERNAL", ErrInternal},
	{"DRSYNC_ENOMEM", ErrOutOfMemory},
	{"DRSYNC_EFAILED", ErrFailed},
}

// Name is the library's stable lowercase name of the code ("not_found", "cancelled", ...;
// drsync_error_name), "unknown" for a value outside the enum.
func (c Code) Name() string { return C.GoString(C.drsync_error_name(C.int(c))) }

// String is Name.
func (c Code) String() string { return c.Name() }

// Error makes a Code usable as a sentinel error.
func (c Code) Error() string { return "drsync: " + c.Name() }

// Error is a failure reported by libdrsync: drsync_error_last() of the failed call, plus what
// the binding knows about it. Messages never contain credentials or Secret data.
type Error struct {
	Code       Code   // the drsync_error_code; matched by errors.Is against the Err* sentinels
	HTTPStatus int    // the API server's HTTP status, 0 when no server answered
	Reason     string // the Kubernetes Status reason ("NotFound", "Forbidden", ...) or ""
	Message    string // the library's message
	Op         string // the binding's operation: "stage", "cutover", "open cluster", ...
	Step       string // the step of a mode that was running ("scale_down"), or ""

	// Report is the report of a mode that failed (ErrFailed) or was cancelled (ErrCancelled):
	// the partial report, as the C ABI returns it. Nil otherwise.
	Report *MigrationReport
	// SyncResult is the result of a sync run whose objects partly failed (ErrFailed).
	SyncResult *SyncResult
	// PlanReport is the report of a plan run with a failed pair (ErrFailed) or that was
	// cancelled (ErrCancelled).
	PlanReport *PlanReport

	cause error // the context's error or the callback's error that cancelled the operation
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("drsync")
	if e.Op != "" {
		b.WriteString(" " + e.Op)
	}
	if e.Step != "" {
		b.WriteString(" (step " + e.Step + ")")
	}
	b.WriteString(": " + e.Message)
	var extra []string
	if e.HTTPStatus != 0 {
		extra = append(extra, fmt.Sprintf("HTTP %d", e.HTTPStatus))
	}
	if e.Reason != "" {
		extra = append(extra, e.Reason)
	}
	extra = append(extra, e.Code.Name())
	b.WriteString(" [" + strings.Join(extra, ", ") + "]")
	if e.cause != nil {
		b.WriteString(": " + e.cause.Error())
	}
	return b.String()
}

// Is reports whether target is this error's Code: errors.Is(err, drsync.ErrNotFound).
func (e *Error) Is(target error) bool {
	c, ok := target.(Code)
	return ok && c == e.Code
}

// As sets a *Code target to the error's code: var c drsync.Code; errors.As(err, &c).
func (e *Error) As(target any) bool {
	if p, ok := target.(*Code); ok {
		*p = e.Code
		return true
	}
	return false
}

// Unwrap is what cancelled the operation: the context's error (context.Canceled,
// context.DeadlineExceeded) or the error a callback returned; nil otherwise.
func (e *Error) Unwrap() error { return e.cause }

// lastError is the calling thread's drsync_error_last() for the failed return code rc. The
// caller holds runtime.LockOSThread since the failed call (the error is thread-local).
func lastError(rc C.int, op string) *Error {
	l := C.drsync_error_last()
	e := &Error{Code: Code(rc), Op: op}
	if l != nil && Code(l.code) == Code(rc) {
		e.HTTPStatus = int(l.http_status)
		e.Reason = C.GoString(l.reason)
		e.Message = C.GoString(l.message)
	}
	if e.Message == "" {
		e.Message = fmt.Sprintf("libdrsync error %d (%s)", int(rc), Code(rc).Name())
	}
	return e
}
