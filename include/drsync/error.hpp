// Typed errors of libdrsync. Every failure the library reports is a drsync::Error carrying a code,
// the HTTP status and Kubernetes reason when a server produced it, and a message that never
// contains a credential or Secret data.
#pragma once

#include <stdexcept>
#include <string>
#include <vector>

#include "drsync/export.hpp"

namespace drsync {

enum class Errc {
  ok = 0,
  invalid_argument,    // the caller's input (options, YAML, plan) is wrong
  config,              // kubeconfig / in-cluster configuration is wrong or unreadable
  not_found,           // 404
  already_exists,      // 409 AlreadyExists
  conflict,            // 409 Conflict (stale resourceVersion)
  invalid,             // 422 Invalid (field causes attached)
  bad_request,         // 400
  forbidden,           // 403
  unauthorized,        // 401
  method_not_allowed,  // 405
  gone,                // 410 Expired / Gone
  too_many_requests,   // 429 after retries
  timeout,             // 504 / request or operation timeout
  server_error,        // other 5xx after retries
  network,             // connection refused/reset, DNS, ...
  tls,                 // certificate verification, bad client key, ...
  unavailable,         // the cluster cannot be reached at all (used by Migration)
  fenced,              // refused: the target side is active (fencing)
  pending,             // refused: another operation is half-done
  cancelled,           // the caller cancelled
  internal,            // a bug in libdrsync
};

// A stable, lowercase name for a code ("not_found", ...).
DRSYNC_API const char* errc_name(Errc code) noexcept;

// One field-level cause of a 422 Invalid (Status.details.causes[]).
struct FieldCause {
  std::string field;
  std::string reason;
  std::string message;
};

class DRSYNC_API Error : public std::runtime_error {
 public:
  explicit Error(Errc code, const std::string& message, int http_status = 0,
                 std::string reason = {}, std::vector<FieldCause> causes = {});

  Errc code() const noexcept { return code_; }
  int http_status() const noexcept { return http_status_; }
  // The Kubernetes Status reason ("NotFound", "AlreadyExists", "Invalid", ...), empty if none.
  const std::string& reason() const noexcept { return reason_; }
  const std::vector<FieldCause>& causes() const noexcept { return causes_; }
  // The request got no answer after it may have reached the server (its connection was lost
  // after sending, or it timed out): what it asked may or may not have been done. See
  // outcome_unknown() (cluster.hpp).
  bool unanswered() const noexcept { return unanswered_; }
  Error& set_unanswered(bool unanswered = true) noexcept {
    unanswered_ = unanswered;
    return *this;
  }

 private:
  Errc code_;
  int http_status_;
  std::string reason_;
  std::vector<FieldCause> causes_;
  bool unanswered_ = false;
};

}  // namespace drsync
