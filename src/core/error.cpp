#include "drsync/error.hpp"

namespace drsync {

const char* errc_name(Errc code) noexcept {
  switch (code) {
    case Errc::ok:
      return "ok";
    case Errc::invalid_argument:
      return "invalid_argument";
    case Errc::config:
      return "config";
    case Errc::not_found:
      return "not_found";
    case Errc::already_exists:
      return "already_exists";
    case Errc::conflict:
      return "conflict";
    case Errc::invalid:
      return "invalid";
    case Errc::bad_request:
      return "bad_request";
    case Errc::forbidden:
      return "forbidden";
    case Errc::unauthorized:
      return "unauthorized";
    case Errc::method_not_allowed:
      return "method_not_allowed";
    case Errc::gone:
      return "gone";
    case Errc::too_many_requests:
      return "too_many_requests";
    case Errc::timeout:
      return "timeout";
    case Errc::server_error:
      return "server_error";
    case Errc::network:
      return "network";
    case Errc::tls:
      return "tls";
    case Errc::unavailable:
      return "unavailable";
    case Errc::fenced:
      return "fenced";
    case Errc::pending:
      return "pending";
    case Errc::cancelled:
      return "cancelled";
    case Errc::internal:
      return "internal";
  }
  return "unknown";
}

Error::Error(Errc code, const std::string& message, int http_status, std::string reason,
             std::vector<FieldCause> causes)
    : std::runtime_error(message),
      code_(code),
      http_status_(http_status),
      reason_(std::move(reason)),
      causes_(std::move(causes)) {}

}  // namespace drsync
