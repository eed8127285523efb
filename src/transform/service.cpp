// "service": a Service's cluster-assigned addresses and ports belong to the source cluster; the
// destination allocates its own (a copied clusterIP would collide or fall outside its range).
#include "drsync/transform.hpp"
#include "transform/destination_fields.hpp"
#include "transform/json_util.hpp"

namespace drsync {
namespace {

class ServiceClusterFields final : public Transform {
 public:
  std::string_view name() const noexcept override { return "service"; }

  void apply(Object& obj, const TransformContext& ctx) const override {
    // Core v1 only: Knative and others also have a kind "Service".
    if (obj.kind() != "Service" || obj.api_version() != "v1") return;
    rapidjson::Value* spec = detail::object_member(obj.json(), "spec");
    if (!spec) return;
    // A headless Service ("None") is a choice of the user, not an allocation.
    if (json_str(detail::member(*spec, "clusterIP")) != "None") {
      detail::erase_member(*spec, "clusterIP");
      detail::erase_member(*spec, "clusterIPs");
    }
    detail::erase_member(*spec, "healthCheckNodePort");
    detail::erase_member(*spec, "loadBalancerIP");
    if (ctx.preserve_node_ports) return;
    if (rapidjson::Value* ports = detail::array_member(*spec, "ports")) {
      for (auto& port : ports->GetArray()) detail::erase_member(port, "nodePort");
    }
  }
};

}  // namespace

std::shared_ptr<const Transform> service_cluster_fields() {
  static const auto t = std::make_shared<const ServiceClusterFields>();
  return t;
}

namespace detail {

void keep_service_fields(Object& desired, const Object& live) {
  copy_pointer(desired, live, "/spec/clusterIP");
  copy_pointer(desired, live, "/spec/clusterIPs");
  copy_pointer(desired, live, "/spec/healthCheckNodePort");
}

}  // namespace detail

}  // namespace drsync
