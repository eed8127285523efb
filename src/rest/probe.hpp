// Internal: one-shot reachability probes from the library host, for service checks after a
// Cutover (an HTTP GET's status, or a TCP connect). Not the Kubernetes client: no credentials, no
// retries; the caller paces attempts.
#pragma once

#include <chrono>
#include <string>

namespace drsync::detail {

struct ProbeOutcome {
  bool ok = false;
  long status = 0;     // HTTP status, 0 if none was received
  std::string detail;  // "HTTP 200", "connection refused", "timed out after 3 s", ...
};

// GET `url` (http or https), following no redirects; ok when the status is `expect_status`, or
// any 2xx / 3xx with expect_status 0. The body is read and dropped.
ProbeOutcome probe_http(const std::string& url, int expect_status,
                        std::chrono::milliseconds timeout, bool insecure_skip_tls_verify);

// Connects to "host:port" (IPv6 literals in brackets); ok when the connection is established.
ProbeOutcome probe_tcp(const std::string& address, std::chrono::milliseconds timeout);

}  // namespace drsync::detail
