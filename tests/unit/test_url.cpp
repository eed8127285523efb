// src/rest/url.hpp: the server URL parser and query percent-encoding.
#include <catch2/catch.hpp>
#include <string>

#include "drsync/error.hpp"
#include "rest/url.hpp"

using drsync::Errc;
using drsync::Error;
using drsync::detail::parse_url;
using drsync::detail::ParsedUrl;
using drsync::detail::percent_encode;

TEST_CASE("parse_url splits scheme, host, port and path", "[url]") {
  ParsedUrl u = parse_url("https://api.example.com:6443");
  CHECK(u.scheme == "https");
  CHECK(u.host == "api.example.com");
  CHECK(u.port == "6443");
  CHECK(u.path.empty());
  CHECK_FALSE(u.ipv6);
  CHECK(u.host_for_url() == "api.example.com");

  u = parse_url("https://10.0.0.1/k8s/clusters/c-1");
  CHECK(u.host == "10.0.0.1");
  CHECK(u.port == "443");  // the scheme's default
  CHECK(u.path == "/k8s/clusters/c-1");

  u = parse_url("http://127.0.0.1:8080/");
  CHECK(u.scheme == "http");
  CHECK(u.port == "8080");
  CHECK(u.path == "/");

  CHECK(parse_url("http://localhost").port == "80");
}

TEST_CASE("parse_url handles bracketed IPv6 addresses", "[url]") {
  ParsedUrl u = parse_url("https://[::1]:6443");
  CHECK(u.ipv6);
  CHECK(u.host == "::1");
  CHECK(u.port == "6443");
  CHECK(u.host_for_url() == "[::1]");

  u = parse_url("https://[fd00:10:96::1]/prefix");
  CHECK(u.ipv6);
  CHECK(u.host == "fd00:10:96::1");
  CHECK(u.port == "443");
  CHECK(u.path == "/prefix");
  CHECK(u.host_for_url() == "[fd00:10:96::1]");
}

TEST_CASE("parse_url rejects bad URLs with a config error naming the URL", "[url]") {
  const char* bad[] = {
      "",                           // nothing
      "api.example.com:6443",       // no scheme
      "ftp://api.example.com",      // wrong scheme
      "https://",                   // no host
      "https:///path",              // no host
      "https://:6443",              // no host
      "https://[::1",               // unterminated IPv6
      "https://[]:6443",            // empty IPv6
      "https://[::1]6443",          // junk after the brackets
      "https://host:port",          // port not a number
      "https://host:-1",            // port not a number
      "https://host:70000",         // port out of range
      "https://host:6443?x=1",      // query in the port
      "https://fe80::1:6443",       // IPv6 without brackets
      "https://user:pw@host:6443",  // user information
      "https://host?x=1",           // query in the host
  };
  for (const char* url : bad) {
    INFO(url);
    try {
      parse_url(url);
      FAIL("accepted a bad URL");
    } catch (const Error& e) {
      CHECK(e.code() == Errc::config);
      CHECK(std::string(e.what()).find(std::string("\"") + url + "\"") != std::string::npos);
    }
  }
}

TEST_CASE("percent_encode keeps unreserved characters only", "[url]") {
  CHECK(percent_encode("abcXYZ019-_.~") == "abcXYZ019-_.~");
  CHECK(percent_encode("app in (web,db)") == "app%20in%20%28web%2Cdb%29");
  CHECK(percent_encode("a=b&c/d") == "a%3Db%26c%2Fd");
  CHECK(percent_encode("metadata.name!=x") == "metadata.name%21%3Dx");
  CHECK(percent_encode("\xc3\xa9") == "%C3%A9");  // UTF-8 bytes
  CHECK(percent_encode("").empty());
}
