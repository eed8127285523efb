// RFC 7386 JSON Merge Patch.
#include "drsync/transform.hpp"
#include "transform/json_util.hpp"

namespace drsync {

void apply_merge_patch(rapidjson::Value& target, const rapidjson::Value& patch,
                       Object::Allocator& a) {
  if (!patch.IsObject()) {
    target.CopyFrom(patch, a);
    return;
  }
  if (!target.IsObject()) target.SetObject();
  for (const auto& m : patch.GetObject()) {
    auto it = target.FindMember(m.name);
    if (m.value.IsNull()) {
      if (it != target.MemberEnd()) target.EraseMember(it);
    } else if (it != target.MemberEnd()) {
      apply_merge_patch(it->value, m.value, a);
    } else {
      // Merging into "nothing" still drops the nulls nested in the patch value.
      rapidjson::Value v;
      apply_merge_patch(v, m.value, a);
      target.AddMember(rapidjson::Value(m.name, a), std::move(v), a);
    }
  }
}

}  // namespace drsync
