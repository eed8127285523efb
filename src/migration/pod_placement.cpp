// nodeSelector and tolerations of drsync's own Pods; string members by JSON pointer.
#include "migration/pod_placement.hpp"

#include <rapidjson/pointer.h>

namespace drsync::detail {
namespace {

void add_string(rapidjson::Value& obj, const char* key, std::string_view value,
                Object::Allocator& a) {
  obj.AddMember(rapidjson::StringRef(key), json_string(value, a), a);
}

}  // namespace

void apply_placement(rapidjson::Value& spec, const PodPlacement& p, Object::Allocator& a) {
  if (!p.node_selector.empty()) {
    rapidjson::Value sel(rapidjson::kObjectType);
    for (const auto& [k, v] : p.node_selector)
      sel.AddMember(json_string(k, a), json_string(v, a), a);
    spec.AddMember("nodeSelector", sel, a);
  }
  if (p.tolerations.empty()) return;
  rapidjson::Value list(rapidjson::kArrayType);
  for (const auto& t : p.tolerations) {
    rapidjson::Value v(rapidjson::kObjectType);
    if (!t.key.empty()) add_string(v, "key", t.key, a);
    add_string(v, "operator", t.op, a);
    if (!t.value.empty()) add_string(v, "value", t.value, a);
    if (!t.effect.empty()) add_string(v, "effect", t.effect, a);
    list.PushBack(v, a);
  }
  spec.AddMember("tolerations", list, a);
}

void set_string(Object& obj, std::string_view pointer, std::string_view value) {
  rapidjson::Pointer(pointer.data(), pointer.size())
      .Set(obj.json(), json_string(value, obj.allocator()), obj.allocator());
}

}  // namespace drsync::detail
