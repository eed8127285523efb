// Internal: the HTTP layer of one Cluster. One event-loop thread drives a curl multi handle, so
// every request shares one connection pool and, over TLS, one HTTP/2 connection multiplexing many
// streams. Requests are rate-limited by a token bucket and retried with exponential backoff and
// full jitter when that is safe (see RetryPolicy), each within its deadline: every attempt gets
// at most RestConfig::request_timeout, the whole call (attempts and backoff together) at most
// RestConfig::call_timeout. A request that must not be repeated blindly (a create) never is, not
// even by libcurl itself (see BodyReader).
#pragma once

#include <curl/curl.h>

#include <atomic>
#include <condition_variable>
#include <deque>
#include <future>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "config/credentials.hpp"
#include "drsync/cluster.hpp"
#include "rest/curl_global.hpp"
#include "rest/rate_limiter.hpp"
#include "rest/retry_policy.hpp"
#include "rest/verbs.hpp"

namespace drsync::detail {

// The body of a request that is not idempotent (POST, PATCH), handed to libcurl by a read
// callback instead of as POSTFIELDS. libcurl resends a request by itself when a reused
// connection dies before the answer starts ("Connection died, retrying a fresh connect"),
// rewinding the body first; the reader refuses that rewind once any of the body went out, so the
// attempt fails (resend_refused) instead of possibly writing twice.
struct BodyReader {
  const std::string* body = nullptr;
  size_t offset = 0;
  bool resend_refused = false;
};

class Transport {
 public:
  Transport(RestConfig config, std::shared_ptr<CredentialSource> credentials);
  ~Transport();
  Transport(const Transport&) = delete;
  Transport& operator=(const Transport&) = delete;

  std::future<Response> submit(Request request);
  const RestConfig& config() const noexcept { return config_; }
  Counters& counters() noexcept { return counters_; }
  CredentialSource& credentials() noexcept { return *credentials_; }

  // Sets TLS, auth, timeouts and URL on an easy handle for `request` (used by watch too).
  // Returns the header list the caller must free after the transfer. With `once`, the body goes
  // through that reader (which must outlive the transfer) and is never resent by libcurl.
  curl_slist* configure_easy(CURL* easy, const Request& request, const std::string& url,
                             const Credentials& creds, BodyReader* once = nullptr) const;
  std::string url_for(const Request& request) const;
  void set_observer(RequestObserver observer);
  // Fails every queued and in-flight request with Errc::cancelled (their transfers are aborted).
  void cancel_all();

 private:
  struct Call;
  void loop();
  void start(Call& call);
  void finish(Call* call, CURLcode code);
  std::unique_ptr<Call> take_active(Call* call);
  void release_handle(Call& call);
  void limit_to_deadline(Call& call) const;
  bool retry_with_fresh_credentials(std::unique_ptr<Call>& call);
  void fail_transport(Call& call, CURLcode code);
  void deliver(Call& call);
  void fail_everything(const char* why);
  void schedule_retry(std::unique_ptr<Call> call, std::chrono::milliseconds delay);
  void start_due_calls();
  std::chrono::steady_clock::time_point next_wake();

  RestConfig config_;
  std::shared_ptr<CredentialSource> credentials_;
  CurlGlobal curl_global_;
  Counters counters_;
  CURLM* multi_ = nullptr;
  std::mutex mutex_;
  std::deque<std::unique_ptr<Call>> incoming_;
  std::atomic<bool> stopping_{false};
  std::atomic<bool> cancel_requested_{false};
  // Loop-thread-only state.
  std::vector<std::unique_ptr<Call>> waiting_;
  std::vector<std::unique_ptr<Call>> active_;
  std::vector<CURL*> idle_handles_;
  TokenBucket limiter_;
  RetryPolicy retry_policy_;
  std::thread thread_;
  std::string connect_to_;  // tls-server-name: "name:port:host:port"
  std::string url_base_;
  std::string invalidated_;  // loop thread: the credentials last dropped after a 401
  std::mutex observer_mutex_;
  std::shared_ptr<const RequestObserver> observer_;
};

}  // namespace drsync::detail
