// A scripted HTTP/1.1 server on 127.0.0.1 for fault-injection tests of the REST transport.
//
// It listens on an ephemeral port, accepts connections on a thread and serves every connection
// on a thread of its own (keep-alive supported, so concurrent requests are answered
// concurrently). Each request takes the next reply of the script, in arrival order; when the
// script is exhausted the fallback reply is used. A reply may be delayed, or may close the
// connection with a TCP reset instead of answering. Every request received is logged.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

namespace drsync::test {

struct StubRequest {
  std::string method;
  std::string path;                                          // the request target, query included
  std::vector<std::pair<std::string, std::string>> headers;  // names lowercased
  std::string body;
  // The value of a header (name in lowercase), empty when absent.
  std::string header(std::string_view name) const;
};

struct StubReply {
  int status = 200;
  std::vector<std::pair<std::string, std::string>> headers;  // Content-Type defaults to JSON
  std::string body;
  std::chrono::milliseconds delay{0};  // wait this long before answering
  bool reset = false;                  // close the connection with a RST, answer nothing
  bool close = false;                  // answer, then close the connection

  static StubReply json(int status, std::string body);
  // A Kubernetes metav1.Status body; `details` is inserted verbatim as the "details" member when
  // not empty.
  static StubReply k8s_status(int code, std::string reason, std::string message,
                              std::string details = {});
  static StubReply connection_reset();
  StubReply&& with_header(std::string name, std::string value) &&;
  StubReply&& after(std::chrono::milliseconds d) &&;
  StubReply&& closing() &&;
};

class StubServer {
 public:
  StubServer();
  ~StubServer();
  StubServer(const StubServer&) = delete;
  StubServer& operator=(const StubServer&) = delete;

  int port() const noexcept { return port_; }
  std::string url() const;  // http://127.0.0.1:PORT

  // Appends replies to the script.
  void script(std::vector<StubReply> replies);
  // The reply once the script is exhausted (default: 404 NotFound Status).
  void set_fallback(StubReply reply);

  std::vector<StubRequest> requests() const;
  std::size_t count(std::string_view method) const;
  std::size_t connections() const;
  // The most requests that were being served at the same moment.
  std::size_t max_in_flight() const;

 private:
  void accept_loop();
  void serve(int fd);
  StubReply next_reply();
  // Sleeps for `d` unless the server stops first; false when stopping.
  bool sleep_for(std::chrono::milliseconds d);

  int listen_fd_ = -1;
  int port_ = 0;
  mutable std::mutex mutex_;
  std::condition_variable stop_cv_;
  bool stopping_ = false;
  std::deque<StubReply> script_;
  StubReply fallback_;
  std::vector<StubRequest> log_;
  std::vector<int> open_fds_;
  std::vector<std::thread> workers_;
  std::size_t connections_ = 0;
  std::size_t in_flight_ = 0;
  std::size_t max_in_flight_ = 0;
  std::thread acceptor_;
};

}  // namespace drsync::test
