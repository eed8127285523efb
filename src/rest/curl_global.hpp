// Internal: libdrsync owns curl_global_init/cleanup, reference-counted across Cluster objects.
#pragma once

namespace drsync::detail {

// Holds one reference to libcurl's global state for its lifetime. The first reference calls
// curl_global_init (which is not thread-safe in old libcurl, so references are taken under a
// mutex); the last one calls curl_global_cleanup.
class CurlGlobal {
 public:
  CurlGlobal();
  ~CurlGlobal();
  CurlGlobal(const CurlGlobal&) = delete;
  CurlGlobal& operator=(const CurlGlobal&) = delete;
};

}  // namespace drsync::detail
