// Package drsync is the Go binding of libdrsync (cgo over its C ABI, <drsync/drsync.h>):
// Kubernetes disaster recovery between two clusters. NamespaceSync copies a namespace into a
// (possibly renamed) namespace of another cluster; Migration moves the running application
// between the clusters (Stage, Cutover, Failback) from idempotent, journalled steps.
//
// The API follows the Python package (bindings/python): Cluster, NamespaceSync, Migration and
// Plan own one C handle each and are freed by Close (a finalizer is only a safety net). Cluster
// is safe for concurrent use; NamespaceSync, Migration and Plan are not (use each from one
// goroutine at a time; different handles may run concurrently).
//
// Errors returned by the library are *Error values carrying the C ABI's code, HTTP status,
// Kubernetes reason and message; match them with errors.Is against the sentinel Codes
// (errors.Is(err, drsync.ErrFenced)) or errors.As into *Error.
//
// Every operation takes a context.Context. Its cancellation reaches the library through the
// callbacks the binding installs for the call (a callback that returns non-zero cancels the
// operation, the C ABI's cancellation): libdrsync calls them for every object it applies and
// on every poll of its wait steps (at most a second apart), so a cancelled operation returns
// within about a second, with an error that matches both ErrCancelled and context.Canceled
// (or context.DeadlineExceeded).
//
// Callbacks (progress, step hook, data hook) run on the goroutine that called the operation.
// An error returned by a callback, or a panic in it, cancels the operation; the error is
// wrapped in the returned *Error (errors.Is finds it), the panic is re-raised once the C call
// has returned. C never keeps a Go pointer: each operation passes a runtime/cgo.Handle as the
// callbacks' payload and deletes it, and removes the callbacks, when the call returns.
package drsync
