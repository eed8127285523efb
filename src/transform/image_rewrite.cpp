// "image-rewrite": points container images at the registry mirror reachable from the destination
// cluster (ctx.image_map, registry prefix old -> new).
#include "drsync/transform.hpp"
#include "transform/image_ref.hpp"
#include "transform/json_util.hpp"
#include "transform/pod_spec.hpp"

namespace drsync {
namespace {

class ImageRewrite final : public Transform {
 public:
  std::string_view name() const noexcept override { return "image-rewrite"; }

  void apply(Object& obj, const TransformContext& ctx) const override {
    if (ctx.image_map.empty() || !obj.json().IsObject()) return;
    rapidjson::Value* spec = detail::pod_spec(obj.json(), obj.kind());
    if (!spec) return;
    for (std::string_view list : {"containers", "initContainers", "ephemeralContainers"}) {
      rapidjson::Value* containers = detail::array_member(*spec, list);
      if (!containers) continue;
      for (auto& c : containers->GetArray()) {
        rapidjson::Value* image = detail::member(c, "image");
        if (!image || !image->IsString()) continue;
        if (auto out = detail::rewrite_image(detail::name_of(*image), ctx.image_map)) {
          image->SetString(out->data(), static_cast<rapidjson::SizeType>(out->size()),
                           obj.allocator());
        }
      }
    }
  }
};

}  // namespace

std::shared_ptr<const Transform> image_rewrite() {
  static const auto t = std::make_shared<const ImageRewrite>();
  return t;
}

}  // namespace drsync
