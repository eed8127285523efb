#include "sync/drift.hpp"

#include <string_view>

#include "transform/destination_fields.hpp"

namespace drsync::detail {
namespace {

bool empty_value(const rapidjson::Value& v) {
  return v.IsNull() || (v.IsObject() && v.MemberCount() == 0) || (v.IsArray() && v.Empty());
}

bool server_set(const std::string& path) {
  static constexpr std::string_view kServerSet[] = {
      "/status",
      "/metadata/resourceVersion",
      "/metadata/uid",
      "/metadata/generation",
      "/metadata/managedFields",
      "/metadata/creationTimestamp",
  };
  for (auto p : kServerSet) {
    if (path == p) return true;
  }
  return false;
}

// "~" and "/" escaped as JSON pointers escape them.
std::string escape(std::string_view key) {
  std::string out;
  for (char c : key) {
    if (c == '~')
      out += "~0";
    else if (c == '/')
      out += "~1";
    else
      out += c;
  }
  return out;
}

std::string difference_at(const rapidjson::Value& want, const rapidjson::Value& have,
                          const std::string& path) {
  if (want.IsObject()) {
    if (!have.IsObject()) return path.empty() ? "/" : path;
    for (const auto& m : want.GetObject()) {
      std::string at =
          path + "/" + escape(std::string_view(m.name.GetString(), m.name.GetStringLength()));
      if (server_set(at)) continue;
      auto h = have.FindMember(m.name);
      if (h == have.MemberEnd()) {
        if (empty_value(m.value)) continue;
        return at;
      }
      if (std::string d = difference_at(m.value, h->value, at); !d.empty()) return d;
    }
    return {};
  }
  if (want.IsArray()) {
    if (!have.IsArray() || have.Size() != want.Size()) return path;
    for (rapidjson::SizeType i = 0; i < want.Size(); ++i) {
      if (std::string d = difference_at(want[i], have[i], path + "/" + std::to_string(i));
          !d.empty()) {
        return d;
      }
    }
    return {};
  }
  return want == have ? std::string() : path;
}

}  // namespace

Object update_body(const Object& desired, const Object& live, const ReplicaLedger& ledger) {
  Object body = desired.clone();
  body.metadata().RemoveMember("resourceVersion");
  body.metadata().AddMember(
      "resourceVersion", json_string(live.resource_version(), body.allocator()), body.allocator());
  ledger.keep_live_scale(body, live);
  keep_destination_fields(body, live);
  return body;
}

std::string first_difference(const rapidjson::Value& want, const rapidjson::Value& have) {
  return difference_at(want, have, "");
}

std::string drift(const Object& desired, const Object& live, const ReplicaLedger& ledger) {
  return first_difference(update_body(desired, live, ledger).json(), live.json());
}

}  // namespace drsync::detail
