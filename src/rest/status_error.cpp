#include "rest/status_error.hpp"

#include <rapidjson/document.h>

#include <string>

namespace drsync::detail {

Errc errc_for_status(long http_status, std::string_view reason) {
  switch (http_status) {
    case 400:
      return Errc::bad_request;
    case 401:
      return Errc::unauthorized;
    case 403:
      return Errc::forbidden;
    case 404:
      return Errc::not_found;
    case 405:
      return Errc::method_not_allowed;
    case 409:
      return reason == "AlreadyExists" ? Errc::already_exists : Errc::conflict;
    case 410:
      return Errc::gone;
    case 422:
      return Errc::invalid;
    case 429:
      return Errc::too_many_requests;
    case 504:
      return Errc::timeout;
    default:
      break;
  }
  if (reason == "Timeout" || reason == "ServerTimeout") return Errc::timeout;
  if (http_status >= 500) return Errc::server_error;
  return Errc::bad_request;
}

Error error_from_response(const Response& response, std::string_view what,
                          std::string_view server) {
  std::string reason;
  std::string message;
  std::vector<FieldCause> causes;
  rapidjson::Document doc;
  doc.Parse(response.body.data(), response.body.size());
  if (!doc.HasParseError() && doc.IsObject()) {
    auto str = [](const rapidjson::Value& v, const char* key) -> std::string {
      auto it = v.FindMember(key);
      return it != v.MemberEnd() && it->value.IsString() ? it->value.GetString() : std::string();
    };
    reason = str(doc, "reason");
    message = str(doc, "message");
    auto details = doc.FindMember("details");
    if (details != doc.MemberEnd() && details->value.IsObject()) {
      auto cs = details->value.FindMember("causes");
      if (cs != details->value.MemberEnd() && cs->value.IsArray()) {
        for (const auto& c : cs->value.GetArray()) {
          if (c.IsObject())
            causes.push_back({str(c, "field"), str(c, "reason"), str(c, "message")});
        }
      }
    }
  }
  if (message.empty()) {
    // Not a Status (a proxy, a load balancer): a short excerpt of the body is still useful.
    message = response.body.substr(0, 200);
    if (message.empty()) message = "no response body";
  }
  std::string text = std::string(what) + ": " + message + " (HTTP " +
                     std::to_string(response.status) + (reason.empty() ? "" : " " + reason);
  if (response.status == 429 || response.status >= 500) {
    // The server's trouble: say which server, and that retrying did not help.
    if (!server.empty()) text += "; server " + std::string(server);
    if (response.attempts > 1) {
      text += "; gave up after " + std::to_string(response.attempts) + " attempts";
    }
  }
  text += ")";
  return Error(errc_for_status(response.status, reason), text, static_cast<int>(response.status),
               reason, std::move(causes));
}

}  // namespace drsync::detail
