// "job": a Job's selector and controller-uid labels name the source Job's UID; the destination API
// server generates new ones and rejects a create that carries the old ones.
#include "drsync/transform.hpp"
#include "transform/destination_fields.hpp"
#include "transform/json_util.hpp"

namespace drsync {
namespace {

void remove_controller_uid(rapidjson::Value* meta) {
  if (!meta) return;
  if (rapidjson::Value* labels = detail::object_member(*meta, "labels")) {
    detail::erase_member(*labels, "controller-uid");
    detail::erase_member(*labels, "batch.kubernetes.io/controller-uid");
  }
  detail::erase_if_empty_object(*meta, "labels");
}

class JobControllerUid final : public Transform {
 public:
  std::string_view name() const noexcept override { return "job"; }

  void apply(Object& obj, const TransformContext&) const override {
    if (obj.kind() != "Job" || obj.group() != "batch") return;
    remove_controller_uid(detail::object_member(obj.json(), "metadata"));
    rapidjson::Value* spec = detail::object_member(obj.json(), "spec");
    if (!spec) return;
    if (rapidjson::Value* tmpl = detail::object_member(*spec, "template")) {
      remove_controller_uid(detail::object_member(*tmpl, "metadata"));
    }
    // With manualSelector the user owns the selector; otherwise the server regenerates it.
    const rapidjson::Value* manual = detail::member(*spec, "manualSelector");
    if (!(manual && manual->IsBool() && manual->GetBool())) detail::erase_member(*spec, "selector");
  }
};

}  // namespace

std::shared_ptr<const Transform> job_controller_uid() {
  static const auto t = std::make_shared<const JobControllerUid>();
  return t;
}

namespace detail {

void keep_job_fields(Object& desired, const Object& live) {
  copy_pointer(desired, live, "/spec/selector");
  copy_pointer(desired, live, "/spec/template/metadata/labels");
}

}  // namespace detail

}  // namespace drsync
