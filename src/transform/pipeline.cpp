// The default pipeline and the "resource-modifiers" unit that ends it.
#include "drsync/transform.hpp"

namespace drsync {
namespace {

class ApplyResourceModifiers final : public Transform {
 public:
  std::string_view name() const noexcept override { return "resource-modifiers"; }

  void apply(Object& obj, const TransformContext& ctx) const override {
    if (!ctx.modifiers) return;
    // Velero matches `namespaces` against the source namespace; remap-namespace has already
    // replaced metadata.namespace, so that is only a fallback when the context has none.
    const std::string ns =
        ctx.source_namespace.empty() ? std::string(obj.namespace_()) : ctx.source_namespace;
    ctx.modifiers->apply(obj, ctx.group_resource, ns);
  }
};

}  // namespace

std::shared_ptr<const Transform> apply_resource_modifiers() {
  static const auto t = std::make_shared<const ApplyResourceModifiers>();
  return t;
}

TransformList default_transforms() {
  return {strip_server_fields(), remap_namespace(), service_cluster_fields(),  pvc_binding(),
          job_controller_uid(),  image_rewrite(),   apply_resource_modifiers()};
}

void run_transforms(const TransformList& list, Object& obj, const TransformContext& ctx) {
  for (const auto& t : list) t->apply(obj, ctx);
}

}  // namespace drsync
