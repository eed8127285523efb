#include "rest/url.hpp"

#include <string>

#include "drsync/error.hpp"

namespace drsync::detail {

ParsedUrl parse_url(std::string_view url) {
  ParsedUrl out;
  auto bad = [&](const char* why) {
    return Error(Errc::config, "invalid server URL \"" + std::string(url) + "\": " + why);
  };
  auto scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos) throw bad("missing scheme (https://)");
  out.scheme = std::string(url.substr(0, scheme_end));
  if (out.scheme != "https" && out.scheme != "http") throw bad("scheme must be https or http");
  std::string_view rest = url.substr(scheme_end + 3);
  auto slash = rest.find('/');
  std::string_view authority = rest.substr(0, slash);
  out.path = slash == std::string_view::npos ? "" : std::string(rest.substr(slash));
  if (authority.empty()) throw bad("missing host");
  if (authority.front() == '[') {
    auto close = authority.find(']');
    if (close == std::string_view::npos) throw bad("unterminated IPv6 address");
    out.host = std::string(authority.substr(1, close - 1));
    out.ipv6 = true;
    std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') throw bad("unexpected text after IPv6 address");
      out.port = std::string(after.substr(1));
    }
  } else {
    auto colon = authority.rfind(':');
    if (colon != std::string_view::npos) {
      out.host = std::string(authority.substr(0, colon));
      out.port = std::string(authority.substr(colon + 1));
    } else {
      out.host = std::string(authority);
    }
  }
  if (out.host.empty()) throw bad("missing host");
  if (out.host.find('@') != std::string::npos) throw bad("user information is not supported");
  if (out.host.find_first_of("?# ") != std::string::npos) throw bad("invalid character in host");
  if (!out.ipv6 && out.host.find(':') != std::string::npos) {
    // "https://fe80::1:6443": the last colon was taken for the port separator.
    throw bad("an IPv6 address must be in brackets ([::1])");
  }
  if (out.port.empty()) out.port = out.scheme == "https" ? "443" : "80";
  if (out.port.size() > 5) throw bad("port is out of range");
  for (char c : out.port) {
    if (c < '0' || c > '9') throw bad("port is not a number");
  }
  if (std::stoi(out.port) > 65535) throw bad("port is out of range");
  return out;
}

std::string percent_encode(std::string_view s) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  out.reserve(s.size());
  for (unsigned char c : s) {
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
        c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

}  // namespace drsync::detail
