#include "rest/retry_policy.hpp"

#include <algorithm>
#include <charconv>
#include <random>

namespace drsync::detail {

TransportFailure failure_of(CURLcode c) noexcept {
  switch (c) {
    case CURLE_OK:
      return TransportFailure::None;
    case CURLE_COULDNT_CONNECT:
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
    // A handshake cut short (reset, EOF: "SSL_ERROR_SYSCALL") is a connection failure before
    // anything was sent; a certificate that does not verify is CURLE_PEER_FAILED_VERIFICATION.
    case CURLE_SSL_CONNECT_ERROR:
      return TransportFailure::NeverSent;
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_ENGINE_NOTFOUND:
    case CURLE_SSL_ENGINE_SETFAILED:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_SSL_CRL_BADFILE:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
    case CURLE_SSL_INVALIDCERTSTATUS:
      return TransportFailure::Tls;
    case CURLE_OPERATION_TIMEDOUT:
      return TransportFailure::Timeout;
    default:
      return TransportFailure::Connection;
  }
}

RetryDecision RetryPolicy::decide(const AttemptOutcome& outcome, int attempt,
                                  bool idempotent) const {
  if (attempt >= max_retries_) return {};
  switch (outcome.failure) {
    case TransportFailure::Tls:
      return {};
    case TransportFailure::NeverSent:
      return {true, backoff(attempt)};
    case TransportFailure::Timeout:
    case TransportFailure::Connection:
      return idempotent ? RetryDecision{true, backoff(attempt)} : RetryDecision{};
    case TransportFailure::None:
      break;
  }
  const long status = outcome.status;
  const bool transient = status == 429 || (status >= 500 && status != 501);
  if (!transient || (status != 429 && !idempotent)) return {};
  auto delay = parse_retry_after(outcome.retry_after);
  return {true, delay.count() < 0 ? backoff(attempt) : delay};
}

std::chrono::milliseconds RetryPolicy::backoff(int attempt) {
  // Full jitter over an exponential ceiling: 100 ms, 200 ms, ... capped at 5 s.
  thread_local std::mt19937 rng{std::random_device{}()};
  long ceiling = std::min<long>(5000, 100L << std::min(attempt, 10));
  std::uniform_int_distribution<long> d(ceiling / 2, ceiling);
  return std::chrono::milliseconds(d(rng));
}

std::chrono::milliseconds RetryPolicy::parse_retry_after(std::string_view value) {
  if (value.empty()) return std::chrono::milliseconds(-1);
  long secs = 0;
  auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), secs);
  if (ec != std::errc() || end == value.data() || secs < 0) return std::chrono::milliseconds(1000);
  return std::chrono::milliseconds(std::min<long>(secs, 60) * 1000);
}

}  // namespace drsync::detail
