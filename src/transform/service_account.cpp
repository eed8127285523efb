// ServiceAccounts: the destination issues its own token Secrets, and creates each namespace's
// `default` ServiceAccount itself — drsync merges into that one and never replaces it.
#include "transform/destination_fields.hpp"

namespace drsync::detail {

void keep_service_account_fields(Object& desired, const Object& live) {
  copy_pointer(desired, live, "/secrets");
}

bool is_merged_not_replaced(std::string_view group_resource, std::string_view name) {
  return group_resource == "serviceaccounts" && name == "default";
}

std::string default_service_account_patch(const Object& desired) {
  Object patch;
  auto& a = patch.allocator();
  rapidjson::Value meta(rapidjson::kObjectType);
  for (const char* field : {"labels", "annotations"}) {
    const rapidjson::Value* v = json_get(desired.json()["metadata"], field);
    if (v) meta.AddMember(rapidjson::StringRef(field), rapidjson::Value(*v, a), a);
  }
  patch.json().AddMember("metadata", meta, a);
  for (const char* field : {"imagePullSecrets", "automountServiceAccountToken"}) {
    const rapidjson::Value* v = json_get(desired.json(), field);
    if (v) patch.json().AddMember(rapidjson::StringRef(field), rapidjson::Value(*v, a), a);
  }
  return patch.to_json();
}

}  // namespace drsync::detail
