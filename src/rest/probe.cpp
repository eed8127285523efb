// One-shot HTTP and TCP probes over a plain libcurl easy handle (src/rest/probe.hpp).
#include "rest/probe.hpp"

#include <curl/curl.h>
#include <fmt/format.h>

#include <memory>

#include "rest/curl_global.hpp"

namespace drsync::detail {
namespace {

struct EasyDeleter {
  void operator()(CURL* c) const noexcept { curl_easy_cleanup(c); }
};
using Easy = std::unique_ptr<CURL, EasyDeleter>;

size_t discard(char*, size_t size, size_t n, void*) {
  return size * n;
}

Easy new_easy(const std::string& url, std::chrono::milliseconds timeout) {
  Easy easy(curl_easy_init());
  if (!easy) return easy;
  CURL* c = easy.get();
  curl_easy_setopt(c, CURLOPT_URL, url.c_str());
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, static_cast<long>(timeout.count()));
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(timeout.count()));
  curl_easy_setopt(c, CURLOPT_PROXY, "");  // a check goes where it says, never via a proxy
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, discard);
  return easy;
}

// curl's own words ("Failed to connect to 127.0.0.1 port 1 after 0 ms: Connection refused")
// when it has them.
std::string failure_text(CURLcode rc, const char* error_buffer, std::chrono::milliseconds timeout) {
  if (rc == CURLE_OPERATION_TIMEDOUT)
    return fmt::format("timed out after {} ms", static_cast<long long>(timeout.count()));
  return error_buffer[0] != '\0' ? error_buffer : curl_easy_strerror(rc);
}

bool status_matches(long status, int expect) {
  return expect == 0 ? status >= 200 && status < 400 : status == expect;
}

}  // namespace

ProbeOutcome probe_http(const std::string& url, int expect_status,
                        std::chrono::milliseconds timeout, bool insecure_skip_tls_verify) {
  CurlGlobal global;
  ProbeOutcome out;
  if (url.rfind("http://", 0) != 0 && url.rfind("https://", 0) != 0) {
    out.detail = "not an http:// or https:// URL";
    return out;
  }
  Easy easy = new_easy(url, timeout);
  if (!easy) {
    out.detail = "curl_easy_init failed";
    return out;
  }
  curl_easy_setopt(easy.get(), CURLOPT_PROTOCOLS_STR, "http,https");
  if (insecure_skip_tls_verify) {
    curl_easy_setopt(easy.get(), CURLOPT_SSL_VERIFYPEER, 0L);
    curl_easy_setopt(easy.get(), CURLOPT_SSL_VERIFYHOST, 0L);
  }
  char error_buffer[CURL_ERROR_SIZE] = {};
  curl_easy_setopt(easy.get(), CURLOPT_ERRORBUFFER, error_buffer);
  CURLcode rc = curl_easy_perform(easy.get());
  if (rc != CURLE_OK) {
    out.detail = failure_text(rc, error_buffer, timeout);
    return out;
  }
  curl_easy_getinfo(easy.get(), CURLINFO_RESPONSE_CODE, &out.status);
  out.ok = status_matches(out.status, expect_status);
  out.detail = expect_status == 0 || out.ok
                   ? fmt::format("HTTP {}", out.status)
                   : fmt::format("HTTP {}, expected {}", out.status, expect_status);
  return out;
}

ProbeOutcome probe_tcp(const std::string& address, std::chrono::milliseconds timeout) {
  CurlGlobal global;
  ProbeOutcome out;
  Easy easy = new_easy(fmt::format("http://{}/", address), timeout);
  if (!easy) {
    out.detail = "curl_easy_init failed";
    return out;
  }
  curl_easy_setopt(easy.get(), CURLOPT_CONNECT_ONLY, 1L);
  char error_buffer[CURL_ERROR_SIZE] = {};
  curl_easy_setopt(easy.get(), CURLOPT_ERRORBUFFER, error_buffer);
  CURLcode rc = curl_easy_perform(easy.get());
  out.ok = rc == CURLE_OK;
  out.detail = out.ok ? "connected" : failure_text(rc, error_buffer, timeout);
  return out;
}

}  // namespace drsync::detail
