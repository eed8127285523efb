#include "rest/curl_global.hpp"

#include <curl/curl.h>

#include <mutex>

#include "drsync/error.hpp"

namespace drsync::detail {
namespace {
std::mutex g_mutex;
int g_refs = 0;
}  // namespace

CurlGlobal::CurlGlobal() {
  std::lock_guard<std::mutex> lock(g_mutex);
  if (g_refs == 0 && curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
    throw Error(Errc::internal, "curl_global_init failed");
  }
  ++g_refs;
}

CurlGlobal::~CurlGlobal() {
  std::lock_guard<std::mutex> lock(g_mutex);
  if (--g_refs == 0) curl_global_cleanup();
}

}  // namespace drsync::detail
