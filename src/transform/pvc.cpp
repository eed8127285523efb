// "persistentvolumeclaim": a claim copied from the source is bound to a source PersistentVolume;
// in the destination it must bind (or be provisioned) afresh, possibly with another storage class
// and access mode. StatefulSet volumeClaimTemplates get the same class / mode mapping.
#include <array>

#include "drsync/transform.hpp"
#include "transform/destination_fields.hpp"
#include "transform/json_util.hpp"

namespace drsync {
namespace {

constexpr std::array<std::string_view, 5> kBindingAnnotations = {
    "pv.kubernetes.io/bind-completed", "pv.kubernetes.io/bound-by-controller",
    "volume.beta.kubernetes.io/storage-provisioner", "volume.kubernetes.io/storage-provisioner",
    "volume.kubernetes.io/selected-node"};

constexpr std::string_view kLegacyClassAnnotation = "volume.beta.kubernetes.io/storage-class";

// Replaces a string value found in `map` (old -> new); leaves it when not mapped.
void map_string(rapidjson::Value* v, const std::map<std::string, std::string>& map,
                Object::Allocator& a) {
  if (!v || !v->IsString() || map.empty()) return;
  auto it = map.find(std::string(detail::name_of(*v)));
  if (it != map.end()) v->SetString(it->second.data(), it->second.size(), a);
}

// Maps each access mode, dropping duplicates the mapping may create (RWO+RWX -> RWX, RWX).
void map_access_modes(rapidjson::Value* modes, const std::map<std::string, std::string>& map,
                      Object::Allocator& a) {
  if (!modes || !modes->IsArray() || map.empty()) return;
  for (auto& m : modes->GetArray()) map_string(&m, map, a);
  for (rapidjson::SizeType i = 0; i < modes->Size(); ++i) {
    bool dup = false;
    for (rapidjson::SizeType j = 0; j < i && !dup; ++j) dup = (*modes)[j] == (*modes)[i];
    if (dup) modes->Erase(modes->Begin() + i--);
  }
}

// Storage class and access modes of a claim ({metadata, spec}), shared with claim templates.
void map_claim(rapidjson::Value& claim, const TransformContext& ctx, Object::Allocator& a) {
  rapidjson::Value* spec = detail::object_member(claim, "spec");
  if (spec) {
    map_string(detail::member(*spec, "storageClassName"), ctx.storage_class_map, a);
    map_access_modes(detail::member(*spec, "accessModes"), ctx.access_mode_map, a);
  }
  rapidjson::Value* meta = detail::object_member(claim, "metadata");
  rapidjson::Value* ann = meta ? detail::object_member(*meta, "annotations") : nullptr;
  if (ann) map_string(detail::member(*ann, kLegacyClassAnnotation), ctx.storage_class_map, a);
}

class PvcBinding final : public Transform {
 public:
  std::string_view name() const noexcept override { return "persistentvolumeclaim"; }

  void apply(Object& obj, const TransformContext& ctx) const override {
    const std::string_view kind = obj.kind();
    if (kind == "PersistentVolumeClaim" && obj.api_version() == "v1") {
      apply_claim(obj, ctx);
    } else if (kind == "StatefulSet" && obj.group() == "apps") {
      rapidjson::Value* spec = detail::object_member(obj.json(), "spec");
      rapidjson::Value* templates =
          spec ? detail::array_member(*spec, "volumeClaimTemplates") : nullptr;
      if (!templates) return;
      for (auto& t : templates->GetArray()) {
        if (t.IsObject()) map_claim(t, ctx, obj.allocator());
      }
    }
  }

 private:
  static void apply_claim(Object& obj, const TransformContext& ctx) {
    rapidjson::Value& root = obj.json();
    if (rapidjson::Value* spec = detail::object_member(root, "spec")) {
      detail::erase_member(*spec, "volumeName");
    }
    if (rapidjson::Value* meta = detail::object_member(root, "metadata")) {
      if (rapidjson::Value* ann = detail::object_member(*meta, "annotations")) {
        for (std::string_view key : kBindingAnnotations) detail::erase_member(*ann, key);
      }
      detail::erase_if_empty_object(*meta, "annotations");
    }
    map_claim(root, ctx, obj.allocator());
  }
};

}  // namespace

std::shared_ptr<const Transform> pvc_binding() {
  static const auto t = std::make_shared<const PvcBinding>();
  return t;
}

namespace detail {

// The claim's binding: its volume and the binding annotations of the destination's controllers.
void keep_claim_fields(Object& desired, const Object& live) {
  copy_pointer(desired, live, "/spec/volumeName");
  const rapidjson::Value* anns = live.find("/metadata/annotations");
  if (!anns || !anns->IsObject()) return;
  for (const auto& m : anns->GetObject()) {
    std::string_view key = name_of(m.name);
    if (key.starts_with("pv.kubernetes.io/") || key.starts_with("volume.kubernetes.io/") ||
        key == "volume.beta.kubernetes.io/storage-provisioner") {
      desired.set_annotation(key, json_str(&m.value));
    }
  }
}

}  // namespace detail

}  // namespace drsync
