#include "unit/stub_server.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <stdexcept>

namespace drsync::test {
namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) {
    s.remove_suffix(1);
  }
  return std::string(s);
}

const char* reason_phrase(int status) {
  switch (status) {
    case 200:
      return "OK";
    case 201:
      return "Created";
    case 400:
      return "Bad Request";
    case 401:
      return "Unauthorized";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 409:
      return "Conflict";
    case 410:
      return "Gone";
    case 422:
      return "Unprocessable Entity";
    case 429:
      return "Too Many Requests";
    case 500:
      return "Internal Server Error";
    case 502:
      return "Bad Gateway";
    case 503:
      return "Service Unavailable";
    case 504:
      return "Gateway Timeout";
    default:
      return "Status";
  }
}

bool send_all(int fd, std::string_view data) {
  while (!data.empty()) {
    ssize_t n = ::send(fd, data.data(), data.size(), MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    data.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

// JSON string literal (quotes included) of `s`.
std::string json_quote(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out + "\"";
}

}  // namespace

std::string StubRequest::header(std::string_view name) const {
  for (const auto& [k, v] : headers) {
    if (k == name) return v;
  }
  return {};
}

StubReply StubReply::json(int status, std::string body) {
  StubReply r;
  r.status = status;
  r.body = std::move(body);
  return r;
}

StubReply StubReply::k8s_status(int code, std::string reason, std::string message,
                                std::string details) {
  std::string body = R"({"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure",)";
  body += "\"message\":" + json_quote(message) + ",\"reason\":" + json_quote(reason);
  if (!details.empty()) body += ",\"details\":" + details;
  body += ",\"code\":" + std::to_string(code) + "}";
  return json(code, std::move(body));
}

StubReply StubReply::connection_reset() {
  StubReply r;
  r.reset = true;
  return r;
}

StubReply&& StubReply::with_header(std::string name, std::string value) && {
  headers.emplace_back(std::move(name), std::move(value));
  return std::move(*this);
}

StubReply&& StubReply::after(std::chrono::milliseconds d) && {
  delay = d;
  return std::move(*this);
}

StubReply&& StubReply::closing() && {
  close = true;
  return std::move(*this);
}

StubServer::StubServer()
    : fallback_(StubReply::k8s_status(404, "NotFound", "no reply scripted for this request")) {
  listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (listen_fd_ < 0) throw std::runtime_error("stub server: socket() failed");
  int one = 1;
  ::setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  if (::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::listen(listen_fd_, 128) != 0) {
    ::close(listen_fd_);
    throw std::runtime_error(std::string("stub server: bind/listen failed: ") +
                             std::strerror(errno));
  }
  socklen_t len = sizeof addr;
  ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len);
  port_ = ntohs(addr.sin_port);
  acceptor_ = std::thread([this] { accept_loop(); });
}

StubServer::~StubServer() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
    // Wake the accept() and every recv() in progress.
    ::shutdown(listen_fd_, SHUT_RDWR);
    for (int fd : open_fds_) ::shutdown(fd, SHUT_RDWR);
  }
  stop_cv_.notify_all();
  if (acceptor_.joinable()) acceptor_.join();
  // No new workers can start once the acceptor is joined.
  for (auto& t : workers_) {
    if (t.joinable()) t.join();
  }
  ::close(listen_fd_);
}

std::string StubServer::url() const {
  return "http://127.0.0.1:" + std::to_string(port_);
}

void StubServer::script(std::vector<StubReply> replies) {
  std::lock_guard<std::mutex> lock(mutex_);
  for (auto& r : replies) script_.push_back(std::move(r));
}

void StubServer::set_fallback(StubReply reply) {
  std::lock_guard<std::mutex> lock(mutex_);
  fallback_ = std::move(reply);
}

std::vector<StubRequest> StubServer::requests() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return log_;
}

std::size_t StubServer::count(std::string_view method) const {
  std::lock_guard<std::mutex> lock(mutex_);
  return static_cast<std::size_t>(std::count_if(
      log_.begin(), log_.end(), [&](const StubRequest& r) { return r.method == method; }));
}

std::size_t StubServer::connections() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return connections_;
}

std::size_t StubServer::max_in_flight() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return max_in_flight_;
}

StubReply StubServer::next_reply() {
  if (script_.empty()) return fallback_;
  StubReply r = std::move(script_.front());
  script_.pop_front();
  return r;
}

bool StubServer::sleep_for(std::chrono::milliseconds d) {
  std::unique_lock<std::mutex> lock(mutex_);
  return !stop_cv_.wait_for(lock, d, [this] { return stopping_; });
}

void StubServer::accept_loop() {
  while (true) {
    int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    std::lock_guard<std::mutex> lock(mutex_);
    if (stopping_) {
      if (fd >= 0) ::close(fd);
      return;
    }
    if (fd < 0) {
      if (errno == EINTR || errno == ECONNABORTED) continue;
      return;
    }
    int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    ++connections_;
    open_fds_.push_back(fd);
    workers_.emplace_back([this, fd] { serve(fd); });
  }
}

void StubServer::serve(int fd) {
  std::string buf;
  bool keep_open = true;
  while (keep_open) {
    // Read the request head.
    size_t head_end;
    while ((head_end = buf.find("\r\n\r\n")) == std::string::npos) {
      char chunk[16384];
      ssize_t n = ::recv(fd, chunk, sizeof chunk, 0);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        keep_open = false;
        break;
      }
      buf.append(chunk, static_cast<size_t>(n));
    }
    if (!keep_open) break;
    StubRequest req;
    std::string_view head(buf.data(), head_end);
    size_t line_end = head.find("\r\n");
    std::string_view request_line = head.substr(0, line_end);
    size_t sp1 = request_line.find(' ');
    size_t sp2 = request_line.find(' ', sp1 + 1);
    req.method = std::string(request_line.substr(0, sp1));
    req.path = std::string(request_line.substr(sp1 + 1, sp2 - sp1 - 1));
    size_t content_length = 0;
    size_t pos = line_end == std::string_view::npos ? head.size() : line_end + 2;
    while (pos < head.size()) {
      size_t eol = head.find("\r\n", pos);
      if (eol == std::string_view::npos) eol = head.size();
      std::string_view line = head.substr(pos, eol - pos);
      size_t colon = line.find(':');
      if (colon != std::string_view::npos) {
        std::string name = lower(line.substr(0, colon));
        std::string value = trim(line.substr(colon + 1));
        if (name == "content-length") content_length = std::strtoul(value.c_str(), nullptr, 10);
        req.headers.emplace_back(std::move(name), std::move(value));
      }
      pos = eol + 2;
    }
    buf.erase(0, head_end + 4);
    while (buf.size() < content_length) {
      char chunk[16384];
      ssize_t n = ::recv(fd, chunk, sizeof chunk, 0);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        keep_open = false;
        break;
      }
      buf.append(chunk, static_cast<size_t>(n));
    }
    if (!keep_open) break;
    req.body = buf.substr(0, content_length);
    buf.erase(0, content_length);
    if (lower(req.header("connection")) == "close") keep_open = false;

    StubReply reply;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      log_.push_back(req);
      reply = next_reply();
      ++in_flight_;
      max_in_flight_ = std::max(max_in_flight_, in_flight_);
    }
    bool alive = reply.delay.count() <= 0 || sleep_for(reply.delay);
    {
      std::lock_guard<std::mutex> lock(mutex_);
      --in_flight_;
    }
    if (!alive) break;
    if (reply.reset) {
      // SO_LINGER with a zero timeout makes close() send a RST instead of a FIN.
      linger lg{1, 0};
      ::setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
      break;
    }
    std::string out =
        "HTTP/1.1 " + std::to_string(reply.status) + " " + reason_phrase(reply.status) + "\r\n";
    bool has_type = false;
    for (const auto& [k, v] : reply.headers) {
      has_type |= lower(k) == "content-type";
      out += k + ": " + v + "\r\n";
    }
    if (!has_type) out += "Content-Type: application/json\r\n";
    out += "Content-Length: " + std::to_string(reply.body.size()) + "\r\n";
    if (reply.close) {
      out += "Connection: close\r\n";
      keep_open = false;
    }
    out += "\r\n";
    out += reply.body;
    if (!send_all(fd, out)) break;
  }
  {
    std::lock_guard<std::mutex> lock(mutex_);
    open_fds_.erase(std::remove(open_fds_.begin(), open_fds_.end(), fd), open_fds_.end());
    ::close(fd);
  }
}

}  // namespace drsync::test
