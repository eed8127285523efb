// Internal: the little URL handling the client needs.
#pragma once

#include <string>
#include <string_view>

namespace drsync::detail {

struct ParsedUrl {
  std::string scheme;  // https
  std::string host;    // without brackets
  std::string port;    // always set (443 / 80 by default)
  std::string path;    // "" or "/prefix"
  bool ipv6 = false;
  std::string host_for_url() const { return ipv6 ? "[" + host + "]" : host; }
};

// Throws Error(config) for a URL that is not http(s)://host[:port][/path].
ParsedUrl parse_url(std::string_view url);
std::string percent_encode(std::string_view s);

}  // namespace drsync::detail
