// A minimal HTTP/1.1 server for /metrics and /healthz: GET only, one request per connection,
// served one at a time on a thread of its own. Not for anything a client could abuse: bodies
// are ignored and requests larger than 8 KiB are refused.
#pragma once

#include <atomic>
#include <functional>
#include <string>
#include <thread>

namespace drsync_controller {

struct HttpResponse {
  int status = 200;
  std::string content_type = "text/plain; charset=utf-8";
  std::string body;
};

class HttpServer {
 public:
  // Called with the request path (without the query) on the server's thread.
  using Handler = std::function<HttpResponse(const std::string& path)>;

  // `bind_address`: "HOST:PORT", ":PORT" (every address) or "0" (disabled: no server). Port 0
  // picks a free port (see port()). Throws std::runtime_error when it cannot listen.
  HttpServer(const std::string& bind_address, Handler handler);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  int port() const noexcept { return port_; }

 private:
  void serve();
  void answer(int client);

  Handler handler_;
  int fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

}  // namespace drsync_controller
