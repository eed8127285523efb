// The Kubernetes Status parser: any response body becomes a typed error with a message that names
// what was asked, and the HTTP status decides the code when the body says nothing usable.
#include "fuzz.hpp"
#include "rest/status_error.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  if (size < 2) return 0;
  drsync::Response r;
  r.status = 400 + (data[0] | (data[1] << 8)) % 200;  // every 4xx and 5xx
  r.body = std::string(fuzz::text(data + 2, size - 2));
  drsync::Error e = drsync::detail::error_from_response(r, "fuzz request");
  std::string_view message = e.what();
  FUZZ_ASSERT(!message.empty());
  FUZZ_ASSERT(message.find("fuzz request") != std::string_view::npos);
  FUZZ_ASSERT(e.code() != drsync::Errc::ok);
  return 0;
}
