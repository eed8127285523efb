// Internal: when a request is tried again, and after how long. A pure unit: the transport feeds it
// the outcome of one attempt and schedules what it decides.
//
//  * A connection that was never made (refused, DNS, a TLS handshake cut short) is retried for any
//    request: nothing reached the server, so even a create may be repeated.
//  * Other transport failures (reset, timeout) are retried only for idempotent requests; TLS
//    failures never (they do not heal by themselves).
//  * 429 is retried for any request (the server did not process it), honouring Retry-After;
//    5xx (except 501) only for idempotent requests.
//  * Delays: Retry-After when the server sends one (capped at 60 s), else exponential backoff with
//    jitter: 50-100 ms, 100-200 ms, ... capped at 2.5-5 s.
#pragma once

#include <curl/curl.h>

#include <chrono>
#include <string_view>

namespace drsync::detail {

enum class TransportFailure { None, NeverSent, Tls, Timeout, Connection };

TransportFailure failure_of(CURLcode code) noexcept;

struct AttemptOutcome {
  TransportFailure failure = TransportFailure::None;
  long status = 0;               // HTTP status when failure == None
  std::string_view retry_after;  // the Retry-After header, "" if none
};

struct RetryDecision {
  bool retry = false;
  std::chrono::milliseconds delay{0};
};

class RetryPolicy {
 public:
  explicit RetryPolicy(int max_retries) : max_retries_(max_retries) {}
  // `attempt` counts from 0 (the first try).
  RetryDecision decide(const AttemptOutcome& outcome, int attempt, bool idempotent) const;

  static std::chrono::milliseconds backoff(int attempt);
  // Delta-seconds, capped at 60 s; an HTTP date means "soon" (1 s); -1 ms when absent.
  static std::chrono::milliseconds parse_retry_after(std::string_view value);

 private:
  int max_retries_;
};

}  // namespace drsync::detail
