// The thread's last error and the one table mapping drsync::Errc to the C error codes.
#include <array>
#include <utility>

#include "handles.hpp"

namespace drsync_capi {
namespace {

struct LastError {
  std::string reason;
  std::string message;
  drsync_error view{DRSYNC_OK, 0, "", ""};
};

thread_local LastError last_error;

// Every Errc (but ok) and its C code, in the order of enum class Errc.
constexpr std::array<std::pair<Errc, int>, 22> kCodes{{
    {Errc::invalid_argument, DRSYNC_EINVALIDARG},
    {Errc::config, DRSYNC_ECONFIG},
    {Errc::not_found, DRSYNC_ENOTFOUND},
    {Errc::already_exists, DRSYNC_EEXISTS},
    {Errc::conflict, DRSYNC_ECONFLICT},
    {Errc::invalid, DRSYNC_EINVALID},
    {Errc::bad_request, DRSYNC_EBADREQUEST},
    {Errc::forbidden, DRSYNC_EFORBIDDEN},
    {Errc::unauthorized, DRSYNC_EUNAUTHORIZED},
    {Errc::method_not_allowed, DRSYNC_ENOTALLOWED},
    {Errc::gone, DRSYNC_EGONE},
    {Errc::too_many_requests, DRSYNC_ETOOMANYREQUESTS},
    {Errc::timeout, DRSYNC_ETIMEOUT},
    {Errc::server_error, DRSYNC_ESERVER},
    {Errc::network, DRSYNC_ENETWORK},
    {Errc::tls, DRSYNC_ETLS},
    {Errc::unavailable, DRSYNC_EUNAVAILABLE},
    {Errc::fenced, DRSYNC_EFENCED},
    {Errc::pending, DRSYNC_EPENDING},
    {Errc::cancelled, DRSYNC_ECANCELLED},
    {Errc::internal, DRSYNC_EINTERNAL},
    {Errc::ok, DRSYNC_ERROR},  // an Error never carries ok
}};

int code_of(Errc c) noexcept {
  for (const auto& [errc, code] : kCodes) {
    if (errc == c) return code;
  }
  return DRSYNC_ERROR;
}

}  // namespace

int set_error(int code, int http_status, const char* reason, const char* message) noexcept {
  LastError& e = last_error;
  e.view.code = code;
  e.view.http_status = http_status;
  try {
    e.reason = reason ? reason : "";
    e.message = message ? message : "";
    e.view.reason = e.reason.c_str();
    e.view.message = e.message.c_str();
  } catch (...) {  // out of memory while recording an error: keep the code
    e.view.reason = "";
    e.view.message = "out of memory while recording an error";
  }
  return code;
}

int set_error(const drsync::Error& e) noexcept {
  return set_error(code_of(e.code()), e.http_status(), e.reason().c_str(), e.what());
}

}  // namespace drsync_capi

using namespace drsync_capi;

extern "C" {

int drsync_abi_version(void) {
  return DRSYNC_ABI_VERSION;
}

const char* drsync_version(void) {
  return DRSYNC_VERSION;
}

const drsync_error* drsync_error_last(void) {
  return &last_error.view;
}

void drsync_error_clear(void) {
  LastError& e = last_error;
  e.view = drsync_error{DRSYNC_OK, 0, "", ""};
  e.reason.clear();
  e.message.clear();
}

const char* drsync_error_name(int code) {
  switch (code) {
    case DRSYNC_OK:
      return "ok";
    case DRSYNC_ERROR:
      return "error";
    case DRSYNC_ENOMEM:
      return "out_of_memory";
    case DRSYNC_EFAILED:
      return "failed";
    default:
      break;
  }
  for (const auto& [errc, c] : kCodes) {
    if (c == code && errc != Errc::ok) return drsync::errc_name(errc);
  }
  return "unknown";
}

}  // extern "C"
