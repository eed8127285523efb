// "strip-server-fields": drops what the source API server populated, so the object can be created
// anew in the destination and compared with what the destination server returns.
#include <algorithm>
#include <array>

#include "drsync/transform.hpp"
#include "transform/json_util.hpp"

namespace drsync {
namespace {

constexpr std::array<std::string_view, 9> kServerMetadata = {"uid",
                                                             "resourceVersion",
                                                             "generation",
                                                             "creationTimestamp",
                                                             "deletionTimestamp",
                                                             "deletionGracePeriodSeconds",
                                                             "managedFields",
                                                             "selfLink",
                                                             "ownerReferences"};

// Annotations written by a tool or controller of the source cluster, not by the user: copying them
// would make every controller update look like a change of the object.
constexpr std::array<std::string_view, 4> kServerAnnotations = {
    "kubectl.kubernetes.io/last-applied-configuration", "deployment.kubernetes.io/revision",
    "deployment.kubernetes.io/desired-replicas", "deployment.kubernetes.io/max-replicas"};

bool is_server_field(std::string_view name) {
  return std::find(kServerMetadata.begin(), kServerMetadata.end(), name) != kServerMetadata.end();
}

class StripServerFields final : public Transform {
 public:
  std::string_view name() const noexcept override { return "strip-server-fields"; }

  void apply(Object& obj, const TransformContext&) const override {
    rapidjson::Value& root = obj.json();
    if (!root.IsObject()) return;
    detail::erase_member(root, "status");
    rapidjson::Value* meta = detail::object_member(root, "metadata");
    if (!meta) return;
    // One pass over metadata; EraseMember keeps the remaining keys in their order.
    for (auto it = meta->MemberBegin(); it != meta->MemberEnd();) {
      if (is_server_field(detail::name_of(it->name))) {
        it = meta->EraseMember(it);
      } else {
        ++it;
      }
    }
    if (rapidjson::Value* ann = detail::object_member(*meta, "annotations")) {
      for (std::string_view key : kServerAnnotations) detail::erase_member(*ann, key);
    }
    detail::erase_if_empty_object(*meta, "annotations");
    detail::erase_if_empty_object(*meta, "labels");
  }
};

}  // namespace

std::shared_ptr<const Transform> strip_server_fields() {
  static const auto t = std::make_shared<const StripServerFields>();
  return t;
}

}  // namespace drsync
