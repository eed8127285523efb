#include "rest/transport.hpp"

#include <algorithm>
#include <cstring>
#include <random>

#include <fmt/format.h>

#include "rest/url.hpp"

namespace drsync::detail {

using Clock = std::chrono::steady_clock;

// The longest curl_multi_poll() sleep while transfers are in flight (see Transport::loop).
constexpr long kBusyPollMs = 10;

struct HeaderSink {
  std::string* content_type;
  std::string* retry_after;
};

struct Transport::Call {
  Request request;
  std::promise<Response> promise;
  std::string url;
  int attempt = 0;
  bool auth_refreshed = false;
  // Fetched on the submitting thread, so a slow exec plugin never stalls the event loop; reset
  // after a 401 so the retry fetches fresh ones.
  std::optional<Credentials> creds;
  Clock::time_point not_before{};
  // When the whole call (every attempt and backoff) must be over; max(): unbounded.
  Clock::time_point deadline = Clock::time_point::max();
  std::chrono::milliseconds budget{0};
  BodyReader once;             // the body of a non-idempotent request (see BodyReader)
  bool fresh_connect = false;  // after a timeout or a lost connection: a new connection
  bool out_of_time = false;    // a retry was due but the deadline left no room for it
  CURL* easy = nullptr;
  curl_slist* headers = nullptr;
  curl_slist* connect_to = nullptr;
  HeaderSink sink{nullptr, nullptr};
  Response response;
  std::string retry_after;
  char error[CURL_ERROR_SIZE] = {0};

  bool idempotent() const {
    if (request.idempotent) return *request.idempotent;
    return request.method == Method::Get || request.method == Method::Put ||
           request.method == Method::Delete;
  }
};

namespace {

size_t on_body(char* data, size_t size, size_t n, void* user) {
  static_cast<std::string*>(user)->append(data, size * n);
  return size * n;
}

bool header_is(std::string_view line, std::string_view name) {
  if (line.size() <= name.size() || line[name.size()] != ':') return false;
  for (size_t i = 0; i < name.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(line[i])) != name[i]) return false;
  }
  return true;
}

std::string header_value(std::string_view line, size_t name_len) {
  std::string_view v = line.substr(name_len + 1);
  while (!v.empty() && (v.front() == ' ' || v.front() == '\t')) v.remove_prefix(1);
  while (!v.empty() && (v.back() == '\r' || v.back() == '\n' || v.back() == ' '))
    v.remove_suffix(1);
  return std::string(v);
}

size_t on_header(char* data, size_t size, size_t n, void* user) {
  auto* sink = static_cast<HeaderSink*>(user);
  std::string_view line(data, size * n);
  if (header_is(line, "content-type")) *sink->content_type = header_value(line, 12);
  if (header_is(line, "retry-after")) *sink->retry_after = header_value(line, 11);
  return size * n;
}

}  // namespace

Transport::Transport(RestConfig config, std::shared_ptr<CredentialSource> credentials)
    : config_(std::move(config)),
      credentials_(std::move(credentials)),
      limiter_(config_.qps, config_.burst),
      retry_policy_(config_.max_retries) {
  ParsedUrl server = parse_url(config_.server);
  if (!config_.tls_server_name.empty()) {
    // Verify and send SNI for tls-server-name while connecting to the configured address.
    connect_to_ =
        config_.tls_server_name + ":" + server.port + ":" + server.host + ":" + server.port;
    url_base_ = server.scheme + "://" + config_.tls_server_name + ":" + server.port + server.path;
  } else {
    url_base_ = server.scheme + "://" + server.host_for_url() + ":" + server.port + server.path;
  }
  while (!url_base_.empty() && url_base_.back() == '/') url_base_.pop_back();
  multi_ = curl_multi_init();
  if (multi_ == nullptr) throw Error(Errc::internal, "curl_multi_init failed");
  curl_multi_setopt(multi_, CURLMOPT_PIPELINING, CURLPIPE_MULTIPLEX);
  curl_multi_setopt(multi_, CURLMOPT_MAX_TOTAL_CONNECTIONS,
                    static_cast<long>(std::max(1, config_.max_concurrent_requests)));
  thread_ = std::thread([this] { loop(); });
}

Transport::~Transport() {
  stopping_ = true;
  curl_multi_wakeup(multi_);
  if (thread_.joinable()) thread_.join();
  for (CURL* e : idle_handles_) curl_easy_cleanup(e);
  curl_multi_cleanup(multi_);
}

std::string Transport::url_for(const Request& request) const {
  std::string url = url_base_ + request.path;
  char sep = request.path.find('?') == std::string::npos ? '?' : '&';
  for (const auto& [k, v] : request.query) {
    url += sep;
    url += percent_encode(k);
    url += '=';
    url += percent_encode(v);
    sep = '&';
  }
  return url;
}

std::future<Response> Transport::submit(Request request) {
  auto call = std::make_unique<Call>();
  if (!request.verb) request.verb = default_verb(request.method);
  call->url = url_for(request);
  call->request = std::move(request);
  // The call's budget: call_timeout, or a longer per-request timeout (one full attempt).
  call->budget = std::max(config_.call_timeout, call->request.timeout);
  if (call->budget.count() > 0) call->deadline = Clock::now() + call->budget;
  auto future = call->promise.get_future();
  try {
    call->creds = credentials_->current();
  } catch (...) {
    call->promise.set_exception(std::current_exception());
    return future;
  }
  if (stopping_) {
    call->promise.set_exception(
        std::make_exception_ptr(Error(Errc::cancelled, "cluster client closed")));
    return future;
  }
  {
    std::lock_guard<std::mutex> lock(mutex_);
    incoming_.push_back(std::move(call));
  }
  curl_multi_wakeup(multi_);
  return future;
}

void Transport::start(Call& call) {
  if (!call.creds) {
    try {
      call.creds = credentials_->current();
    } catch (...) {
      call.promise.set_exception(std::current_exception());
      call.easy = nullptr;
      return;
    }
  }
  const Credentials& creds = *call.creds;
  CURL* easy;
  if (!idle_handles_.empty()) {
    easy = idle_handles_.back();
    idle_handles_.pop_back();
    curl_easy_reset(easy);
  } else {
    easy = curl_easy_init();
  }
  call.easy = easy;
  call.response = Response{};
  call.response.attempts = call.attempt + 1;
  call.retry_after.clear();
  call.error[0] = 0;
  call.headers =
      configure_easy(easy, call.request, call.url, creds, call.idempotent() ? nullptr : &call.once);
  limit_to_deadline(call);
  if (call.fresh_connect) curl_easy_setopt(easy, CURLOPT_FRESH_CONNECT, 1L);
  curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt(easy, CURLOPT_WRITEDATA, &call.response.body);
  call.sink = HeaderSink{&call.response.content_type, &call.retry_after};
  curl_easy_setopt(easy, CURLOPT_HEADERFUNCTION, on_header);
  curl_easy_setopt(easy, CURLOPT_HEADERDATA, &call.sink);
  curl_easy_setopt(easy, CURLOPT_PRIVATE, &call);
  curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, call.error);
  if (!connect_to_.empty()) {
    call.connect_to = curl_slist_append(nullptr, connect_to_.c_str());
    curl_easy_setopt(easy, CURLOPT_CONNECT_TO, call.connect_to);
  }
  counters_.count(*call.request.verb);
  if (call.attempt > 0) ++counters_.retries;
  curl_multi_add_handle(multi_, easy);
}

// No attempt outlives the call's deadline: its timeouts are cut to what is left.
void Transport::limit_to_deadline(Call& call) const {
  if (call.deadline == Clock::time_point::max()) return;
  auto left = std::chrono::ceil<std::chrono::milliseconds>(call.deadline - Clock::now());
  left = std::max(left, std::chrono::milliseconds(1));
  auto attempt = call.request.timeout.count() > 0 ? call.request.timeout : config_.request_timeout;
  if (attempt.count() <= 0 || left < attempt) {
    curl_easy_setopt(call.easy, CURLOPT_TIMEOUT_MS, static_cast<long>(left.count()));
  }
  if (left < config_.connect_timeout) {
    curl_easy_setopt(call.easy, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(left.count()));
  }
}

void Transport::schedule_retry(std::unique_ptr<Call> call, std::chrono::milliseconds delay) {
  ++call->attempt;
  call->not_before = Clock::now() + delay;
  waiting_.push_back(std::move(call));
}

namespace {

std::string curl_message(CURLcode code, const char* errbuf) {
  return errbuf && errbuf[0] ? errbuf : curl_easy_strerror(code);
}

}  // namespace

std::unique_ptr<Transport::Call> Transport::take_active(Call* raw) {
  auto it =
      std::find_if(active_.begin(), active_.end(), [raw](const auto& c) { return c.get() == raw; });
  if (it == active_.end()) return nullptr;
  std::unique_ptr<Call> call = std::move(*it);
  active_.erase(it);
  return call;
}

void Transport::release_handle(Call& call) {
  curl_multi_remove_handle(multi_, call.easy);
  curl_slist_free_all(call.headers);
  curl_slist_free_all(call.connect_to);
  call.headers = nullptr;
  call.connect_to = nullptr;
  idle_handles_.push_back(call.easy);
  call.easy = nullptr;
}

// After a 401 the credentials may have expired (exec plugin, rotated token file): drop them once
// per wave of 401s and send the request again with fresh ones. Returns whether it was requeued.
bool Transport::retry_with_fresh_credentials(std::unique_ptr<Call>& call) {
  if (call->response.status != 401 || call->auth_refreshed) return false;
  call->auth_refreshed = true;
  bool refreshed = false;
  const std::string used =
      call->creds ? call->creds->bearer_token + call->creds->client_cert_pem : "";
  if (!used.empty() && used == invalidated_) {
    refreshed = true;  // another request already dropped these credentials: just re-fetch
  } else {
    try {
      refreshed = credentials_->invalidate();
      invalidated_ = used;
    } catch (...) {
    }
  }
  call->creds.reset();
  if (!refreshed) return false;
  call->not_before = Clock::now();
  waiting_.push_back(std::move(call));
  return true;
}

void Transport::fail_transport(Call& call, CURLcode code) {
  const TransportFailure failure = failure_of(code);
  const bool tls = failure == TransportFailure::Tls || code == CURLE_SSL_CONNECT_ERROR;
  Errc errc = tls                                    ? Errc::tls
              : failure == TransportFailure::Timeout ? Errc::timeout
                                                     : Errc::network;
  const Request& r = call.request;
  std::string what = r.what.empty() ? fmt::format("{} {}", verb_name(*r.verb), r.path) : r.what;
  if (call.once.resend_refused) {
    what += fmt::format(
        ": connection to {} lost after the request was sent, before any answer: not sent again "
        "(it may or may not have been carried out)",
        config_.server);
  } else {
    what += fmt::format(": {} talking to {}: {}", tls ? "TLS error" : "connection error",
                        config_.server, curl_message(code, call.error));
  }
  if (call.attempt > 0) what += fmt::format(" (after {} attempts)", call.attempt + 1);
  if (errc == Errc::timeout || call.out_of_time) {
    what += fmt::format("; gave up at the call's deadline ({} ms; attempt timeout {} ms)",
                        call.budget.count(),
                        (r.timeout.count() > 0 ? r.timeout : config_.request_timeout).count());
  }
  // Refused connections never sent it; TLS failures end before the request goes out.
  const bool unanswered =
      failure == TransportFailure::Timeout || failure == TransportFailure::Connection;
  call.promise.set_exception(std::make_exception_ptr(Error(errc, what).set_unanswered(unanswered)));
}

void Transport::deliver(Call& call) {
  std::shared_ptr<const RequestObserver> observer;
  {
    std::lock_guard<std::mutex> lock(observer_mutex_);
    observer = observer_;
  }
  if (observer && *observer) (*observer)(call.request, call.response);
  call.promise.set_value(std::move(call.response));
}

void Transport::finish(Call* raw, CURLcode code) {
  std::unique_ptr<Call> call = take_active(raw);
  if (!call) return;
  if (code == CURLE_OK) {
    curl_easy_getinfo(call->easy, CURLINFO_RESPONSE_CODE, &call->response.status);
  }
  release_handle(*call);
  if (code == CURLE_OK && retry_with_fresh_credentials(call)) return;
  AttemptOutcome outcome{failure_of(code), call->response.status, call->retry_after};
  RetryDecision next = retry_policy_.decide(outcome, call->attempt, call->idempotent());
  if (next.retry && Clock::now() + next.delay >= call->deadline) {
    next.retry = false;
    call->out_of_time = true;
  }
  if (next.retry) {
    const auto f = outcome.failure;
    call->fresh_connect = f == TransportFailure::Timeout || f == TransportFailure::Connection;
    schedule_retry(std::move(call), next.delay);
  } else if (code != CURLE_OK) {
    fail_transport(*call, code);
  } else {
    deliver(*call);
  }
}

void Transport::cancel_all() {
  cancel_requested_ = true;
  curl_multi_wakeup(multi_);
}

// Loop thread: aborts the transfers and fails every promise.
void Transport::fail_everything(const char* why) {
  auto fail = [why](std::unique_ptr<Call>& call) {
    call->promise.set_exception(std::make_exception_ptr(Error(Errc::cancelled, why)));
  };
  for (auto& call : active_) {
    release_handle(*call);
    fail(call);
  }
  active_.clear();
  for (auto& call : waiting_) fail(call);
  waiting_.clear();
}

void Transport::set_observer(RequestObserver observer) {
  std::lock_guard<std::mutex> lock(observer_mutex_);
  observer_ = std::make_shared<const RequestObserver>(std::move(observer));
}

// Starts what is due, oldest first, within the concurrency cap and the rate limit.
void Transport::start_due_calls() {
  const auto now = Clock::now();
  std::stable_sort(waiting_.begin(), waiting_.end(),
                   [](const auto& a, const auto& b) { return a->not_before < b->not_before; });
  size_t started = 0;
  for (auto& call : waiting_) {
    if (call->not_before > now) break;
    if (static_cast<int>(active_.size()) >= std::max(1, config_.max_concurrent_requests)) break;
    if (!limiter_.try_take(now)) break;
    Call* raw = call.get();
    start(*raw);
    if (raw->easy != nullptr) active_.push_back(std::move(call));
    ++started;
  }
  waiting_.erase(waiting_.begin(), waiting_.begin() + static_cast<long>(started));
}

// When the loop must wake up next without socket activity: what is waiting can start as soon as
// it is due (a retry's backoff), the rate limit allows and a slot is free, which finish() may
// just have made; else at the next 1 s tick.
Clock::time_point Transport::next_wake() {
  const auto now = Clock::now();
  auto wake = now + std::chrono::milliseconds(1000);
  if (waiting_.empty() ||
      static_cast<int>(active_.size()) >= std::max(1, config_.max_concurrent_requests)) {
    return wake;
  }
  auto due = waiting_.front()->not_before;
  for (const auto& call : waiting_) due = std::min(due, call->not_before);
  return std::min(wake, std::max(due, now + limiter_.wait_time(now)));
}

void Transport::loop() {
  while (true) {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      while (!incoming_.empty()) {
        waiting_.push_back(std::move(incoming_.front()));
        incoming_.pop_front();
      }
    }
    if (stopping_) break;
    if (cancel_requested_.exchange(false)) fail_everything("request cancelled");
    start_due_calls();
    int running = 0;
    curl_multi_perform(multi_, &running);
    int queued = 0;
    while (CURLMsg* msg = curl_multi_info_read(multi_, &queued)) {
      if (msg->msg != CURLMSG_DONE) continue;
      Call* raw = nullptr;
      curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, reinterpret_cast<char**>(&raw));
      finish(raw, msg->data.result);
    }
    // Sleep until socket activity, a wake-up (new request, shutdown) or the next due time
    // (rounded up: waking early for a sub-millisecond rest would spin). While transfers are in
    // flight, drive them at least every kBusyPollMs: libcurl 7.88's HTTP/2 code can take in a
    // stream's whole response while serving another stream on the same connection without
    // flagging the first one as due, so curl_multi_poll() would sleep out its full timeout (1 s
    // stalls under concurrency) before the next curl_multi_perform() completes it.
    auto wait = std::chrono::ceil<std::chrono::milliseconds>(next_wake() - Clock::now());
    const long ceiling = active_.empty() ? 1000 : kBusyPollMs;
    int timeout_ms = static_cast<int>(std::clamp<long>(wait.count(), 0, ceiling));
    curl_multi_poll(multi_, nullptr, 0, timeout_ms, nullptr);
  }
  // Shutting down: fail whatever is left.
  {
    std::lock_guard<std::mutex> lock(mutex_);
    for (auto& call : incoming_) waiting_.push_back(std::move(call));
    incoming_.clear();
  }
  fail_everything("cluster client closed");
}

}  // namespace drsync::detail
