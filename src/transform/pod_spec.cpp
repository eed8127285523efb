#include "transform/pod_spec.hpp"

#include "transform/json_util.hpp"

namespace drsync::detail {

rapidjson::Value* pod_template(rapidjson::Value& obj, std::string_view kind) {
  if (kind == "Deployment" || kind == "StatefulSet" || kind == "DaemonSet" ||
      kind == "ReplicaSet" || kind == "Job" || kind == "ReplicationController") {
    rapidjson::Value* spec = object_member(obj, "spec");
    return spec ? object_member(*spec, "template") : nullptr;
  }
  if (kind == "CronJob") {
    rapidjson::Value* v = object_member(obj, "spec");
    if (v) v = object_member(*v, "jobTemplate");
    if (v) v = object_member(*v, "spec");
    return v ? object_member(*v, "template") : nullptr;
  }
  if (kind == "PodTemplate") return object_member(obj, "template");
  return nullptr;
}

rapidjson::Value* pod_spec(rapidjson::Value& obj, std::string_view kind) {
  if (kind == "Pod") return object_member(obj, "spec");
  rapidjson::Value* tmpl = pod_template(obj, kind);
  return tmpl ? object_member(*tmpl, "spec") : nullptr;
}

}  // namespace drsync::detail
