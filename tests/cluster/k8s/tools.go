//go:build tools

// Keeps go.etcd.io/etcd/server/v3 a direct requirement of this module.
package tools

import _ "go.etcd.io/etcd/server/v3/embed"
