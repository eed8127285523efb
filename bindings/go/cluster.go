package drsync

/*
#include <drsync/drsync.h>
*/
import "C"

import (
	"runtime"
	"sync"
)

// Cluster is one Kubernetes API server. It is safe for concurrent use; syncs and migrations
// keep their own reference, so a Cluster may be closed as soon as they are created.
type Cluster struct {
	mu  sync.RWMutex
	ptr *C.drsync_cluster
}

// OpenCluster opens a cluster from a kubeconfig with kubectl's loading rules: kubeconfig ""
// means $KUBECONFIG (merged), else ~/.kube/config; kubeContext "" means the current context.
// A wrong or unreadable configuration is ErrConfig; TLS material that does not load, ErrTLS.
func OpenCluster(kubeconfig, kubeContext string) (*Cluster, error) {
	path, freePath := cstr(kubeconfig, true)
	defer freePath()
	ctx, freeCtx := cstr(kubeContext, true)
	defer freeCtx()
	var out *C.drsync_cluster
	if err := call("open cluster", func() C.int {
		return C.drsync_cluster_open(&out, path, ctx)
	}); err != nil {
		return nil, err
	}
	return wrapCluster(out), nil
}

// InClusterConfig opens the cluster a Pod runs in: its service-account token, CA and
// namespace.
func InClusterConfig() (*Cluster, error) {
	var out *C.drsync_cluster
	if err := call("open in-cluster", func() C.int {
		return C.drsync_cluster_open_in_cluster(&out)
	}); err != nil {
		return nil, err
	}
	return wrapCluster(out), nil
}

func wrapCluster(p *C.drsync_cluster) *Cluster {
	c := &Cluster{ptr: p}
	runtime.SetFinalizer(c, (*Cluster).Close)
	return c
}

// Server is the API server URL ("" once closed).
func (c *Cluster) Server() string {
	c.mu.RLock()
	defer c.mu.RUnlock()
	if c.ptr == nil {
		return ""
	}
	return C.GoString(C.drsync_cluster_server(c.ptr))
}

// Close frees the C handle; idempotent. Syncs and migrations made from the cluster keep
// working.
func (c *Cluster) Close() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.ptr != nil {
		C.drsync_cluster_free(c.ptr)
		c.ptr = nil
	}
	runtime.SetFinalizer(c, nil)
	return nil
}

// with runs fn with the C handle, which stays valid (not closed concurrently) meanwhile.
func (c *Cluster) with(op string, fn func(*C.drsync_cluster) error) error {
	if c == nil {
		return closedError(op, "Cluster")
	}
	c.mu.RLock()
	defer c.mu.RUnlock()
	if c.ptr == nil {
		return closedError(op, "Cluster")
	}
	return fn(c.ptr)
}

// withPair runs fn with the handles of two clusters (possibly the same one).
func withPair(op string, a, b *Cluster, fn func(pa, pb *C.drsync_cluster) error) error {
	return a.with(op, func(pa *C.drsync_cluster) error {
		if a == b {
			return fn(pa, pa)
		}
		return b.with(op, func(pb *C.drsync_cluster) error { return fn(pa, pb) })
	})
}

// newForPair runs create, a drsync_*_new of a namespace pair, with both clusters held open and
// the namespaces and the options document as C strings (the options NULL when empty).
func newForPair(op string, source *Cluster, sourceNS string, dest *Cluster, destNS string, opts Options,
	create func(src, dst *C.drsync_cluster, sns, dns, options *C.char) C.int) error {
	doc, err := opts.document(op)
	if err != nil {
		return err
	}
	return withPair(op, source, dest, func(src, dst *C.drsync_cluster) error {
		sns, free1 := cstr(sourceNS, false)
		defer free1()
		dns, free2 := cstr(destNS, false)
		defer free2()
		options, free3 := cstr(doc, true)
		defer free3()
		return call(op, func() C.int { return create(src, dst, sns, dns, options) })
	})
}

func closedError(op, what string) error {
	return &Error{Code: ErrInvalidArgument, Op: op, Message: what + " is closed or nil"}
}
