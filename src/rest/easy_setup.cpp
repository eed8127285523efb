// Transport::configure_easy: one libcurl easy handle set up for one attempt of a request (TLS,
// authentication, timeouts, URL, method and body), and the body reader of requests that must not
// be repeated blindly.
#include <algorithm>
#include <cstdio>
#include <cstring>

#include "rest/transport.hpp"

namespace drsync::detail {
namespace {

const char* method_name(Method m) {
  switch (m) {
    case Method::Get:
      return "GET";
    case Method::Post:
      return "POST";
    case Method::Put:
      return "PUT";
    case Method::Patch:
      return "PATCH";
    case Method::Delete:
      return "DELETE";
  }
  return "GET";
}

size_t read_body(char* buffer, size_t size, size_t n, void* user) {
  auto* reader = static_cast<BodyReader*>(user);
  const size_t left = reader->body->size() - reader->offset;
  const size_t take = std::min(left, size * n);
  std::memcpy(buffer, reader->body->data() + reader->offset, take);
  reader->offset += take;
  return take;
}

// libcurl rewinds the body before it resends a request on a fresh connection, which it does on
// its own when a reused connection dies before any byte of the answer arrived. Once part of the
// body went out, the server may have acted on it: refusing the rewind fails the transfer
// (CURLE_SEND_FAIL_REWIND) instead of writing twice.
int seek_body(void* user, curl_off_t offset, int origin) {
  auto* reader = static_cast<BodyReader*>(user);
  if (origin == SEEK_SET && offset == 0 && reader->offset == 0) return CURL_SEEKFUNC_OK;
  reader->resend_refused = true;
  return CURL_SEEKFUNC_FAIL;
}

void set_body(CURL* easy, const Request& request, BodyReader* once) {
  if (request.method == Method::Get) {
    curl_easy_setopt(easy, CURLOPT_HTTPGET, 1L);
    curl_easy_setopt(easy, CURLOPT_CUSTOMREQUEST, nullptr);
    return;
  }
  if (request.method == Method::Delete && request.body.empty()) return;
  curl_easy_setopt(easy, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request.body.size()));
  if (once == nullptr) {
    curl_easy_setopt(easy, CURLOPT_POSTFIELDS, request.body.data());
    return;
  }
  *once = BodyReader{&request.body, 0, false};
  // libcurl's smallest upload buffer (its default, 64 KiB, is allocated for each of up to
  // max_concurrent_requests writes in flight; an object's body is mostly a few KiB).
  curl_easy_setopt(easy, CURLOPT_UPLOAD_BUFFERSIZE, 16L * 1024);
  curl_easy_setopt(easy, CURLOPT_POST, 1L);
  curl_easy_setopt(easy, CURLOPT_READFUNCTION, read_body);
  curl_easy_setopt(easy, CURLOPT_READDATA, once);
  curl_easy_setopt(easy, CURLOPT_SEEKFUNCTION, seek_body);
  curl_easy_setopt(easy, CURLOPT_SEEKDATA, once);
}

void set_tls(CURL* easy, const RestConfig& config, const Credentials& creds) {
  // Verification is on unless the kubeconfig says insecure. PEM goes in from memory.
  if (config.insecure_skip_tls_verify) {
    curl_easy_setopt(easy, CURLOPT_SSL_VERIFYPEER, 0L);
    curl_easy_setopt(easy, CURLOPT_SSL_VERIFYHOST, 0L);
  } else {
    curl_easy_setopt(easy, CURLOPT_SSL_VERIFYPEER, 1L);
    curl_easy_setopt(easy, CURLOPT_SSL_VERIFYHOST, 2L);
  }
  if (!config.ca_pem.empty()) {
    curl_blob blob{const_cast<char*>(config.ca_pem.data()), config.ca_pem.size(), CURL_BLOB_COPY};
    curl_easy_setopt(easy, CURLOPT_CAINFO_BLOB, &blob);
  }
  const std::string& cert = creds.client_cert_pem;
  const std::string& key = creds.client_key_pem;
  if (!cert.empty() && !key.empty()) {
    curl_blob cb{const_cast<char*>(cert.data()), cert.size(), CURL_BLOB_COPY};
    curl_blob kb{const_cast<char*>(key.data()), key.size(), CURL_BLOB_COPY};
    curl_easy_setopt(easy, CURLOPT_SSLCERT_BLOB, &cb);
    curl_easy_setopt(easy, CURLOPT_SSLCERTTYPE, "PEM");
    curl_easy_setopt(easy, CURLOPT_SSLKEY_BLOB, &kb);
    curl_easy_setopt(easy, CURLOPT_SSLKEYTYPE, "PEM");
  }
}

}  // namespace

curl_slist* Transport::configure_easy(CURL* easy, const Request& request, const std::string& url,
                                      const Credentials& creds, BodyReader* once) const {
  curl_easy_setopt(easy, CURLOPT_URL, url.c_str());
  curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(easy, CURLOPT_HTTP_VERSION, static_cast<long>(CURL_HTTP_VERSION_2TLS));
  curl_easy_setopt(easy, CURLOPT_PIPEWAIT, 1L);
  curl_easy_setopt(easy, CURLOPT_TCP_KEEPALIVE, 1L);
  curl_easy_setopt(easy, CURLOPT_TCP_NODELAY, 1L);
  curl_easy_setopt(easy, CURLOPT_USERAGENT, config_.user_agent.c_str());
  curl_easy_setopt(easy, CURLOPT_CONNECTTIMEOUT_MS,
                   static_cast<long>(config_.connect_timeout.count()));
  auto timeout = request.timeout.count() > 0 ? request.timeout : config_.request_timeout;
  curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, static_cast<long>(timeout.count()));
  curl_easy_setopt(easy, CURLOPT_CUSTOMREQUEST, method_name(request.method));
  set_body(easy, request, once);
  set_tls(easy, config_, creds);
  if (!config_.proxy_url.empty()) curl_easy_setopt(easy, CURLOPT_PROXY, config_.proxy_url.c_str());
  curl_slist* headers = nullptr;
  headers = curl_slist_append(headers, ("Accept: " + request.accept).c_str());
  if (!request.body.empty()) {
    headers = curl_slist_append(headers, ("Content-Type: " + request.content_type).c_str());
  }
  headers = curl_slist_append(headers, "Expect:");
  if (!creds.bearer_token.empty()) {
    headers = curl_slist_append(headers, ("Authorization: Bearer " + creds.bearer_token).c_str());
  } else if (!creds.username.empty()) {
    curl_easy_setopt(easy, CURLOPT_HTTPAUTH, static_cast<long>(CURLAUTH_BASIC));
    curl_easy_setopt(easy, CURLOPT_USERNAME, creds.username.c_str());
    curl_easy_setopt(easy, CURLOPT_PASSWORD, creds.password.c_str());
  }
  curl_easy_setopt(easy, CURLOPT_HTTPHEADER, headers);
  return headers;
}

}  // namespace drsync::detail
