#include "http_server.hpp"

#include <arpa/inet.h>
#include <fmt/format.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace drsync_controller {
namespace {

const char* reason_phrase(int status) {
  switch (status) {
    case 200:
      return "OK";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 500:
      return "Internal Server Error";
    case 503:
      return "Service Unavailable";
    default:
      return "Status";
  }
}

sockaddr_in parse_address(const std::string& bind_address) {
  auto colon = bind_address.rfind(':');
  if (colon == std::string::npos) {
    throw std::runtime_error(
        fmt::format("bind address {:?}: expected HOST:PORT or :PORT", bind_address));
  }
  std::string host = bind_address.substr(0, colon);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(std::stoi(bind_address.substr(colon + 1))));
  if (host.empty() || host == "0.0.0.0") {
    addr.sin_addr.s_addr = htonl(INADDR_ANY);
  } else if (host == "localhost") {
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  } else if (inet_pton(AF_INET, host.c_str(), &addr.sin_addr) != 1) {
    throw std::runtime_error(
        fmt::format("bind address {:?}: {:?} is not an IPv4 address", bind_address, host));
  }
  return addr;
}

// Reads up to the end of the request head; "" when the client sent nothing usable in time.
std::string read_head(int client) {
  std::string head;
  char buf[1024];
  while (head.size() < 8192 && head.find("\r\n\r\n") == std::string::npos) {
    pollfd p{client, POLLIN, 0};
    if (::poll(&p, 1, 2000) <= 0) return {};
    ssize_t n = ::recv(client, buf, sizeof buf, 0);
    if (n <= 0) return {};
    head.append(buf, static_cast<size_t>(n));
  }
  return head;
}

void send_all(int client, const std::string& data) {
  size_t sent = 0;
  while (sent < data.size()) {
    ssize_t n = ::send(client, data.data() + sent, data.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) return;
    sent += static_cast<size_t>(n);
  }
}

}  // namespace

HttpServer::HttpServer(const std::string& bind_address, Handler handler)
    : handler_(std::move(handler)) {
  if (bind_address == "0") return;
  sockaddr_in addr = parse_address(bind_address);
  fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  int one = 1;
  ::setsockopt(fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (fd_ < 0 || ::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::listen(fd_, 16) != 0) {
    int err = errno;
    if (fd_ >= 0) ::close(fd_);
    throw std::runtime_error(
        fmt::format("cannot listen on {}: {}", bind_address, std::strerror(err)));
  }
  socklen_t len = sizeof addr;
  ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
  port_ = ntohs(addr.sin_port);
  thread_ = std::thread([this] { serve(); });
}

HttpServer::~HttpServer() {
  stop_ = true;
  if (thread_.joinable()) thread_.join();
  if (fd_ >= 0) ::close(fd_);
}

void HttpServer::serve() {
  while (!stop_) {
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, 200) <= 0) continue;
    int client = ::accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (client < 0) continue;
    answer(client);
    ::close(client);
  }
}

void HttpServer::answer(int client) {
  std::string head = read_head(client);
  if (head.empty()) return;
  auto sp1 = head.find(' ');
  auto sp2 = head.find(' ', sp1 + 1);
  std::string method = head.substr(0, sp1);
  std::string path = sp1 == std::string::npos ? "/" : head.substr(sp1 + 1, sp2 - sp1 - 1);
  path = path.substr(0, path.find('?'));
  HttpResponse r;
  if (method != "GET" && method != "HEAD") {
    r = {405, "text/plain; charset=utf-8", "only GET\n"};
  } else {
    try {
      r = handler_(path);
    } catch (const std::exception& e) {
      r = {500, "text/plain; charset=utf-8", std::string(e.what()) + "\n"};
    }
  }
  std::string out = fmt::format(
      "HTTP/1.1 {} {}\r\nContent-Type: {}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
      r.status, reason_phrase(r.status), r.content_type, r.body.size());
  if (method != "HEAD") out += r.body;
  send_all(client, out);
}

}  // namespace drsync_controller
