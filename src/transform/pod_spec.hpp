// Where the pod template of each built-in workload kind lives (internal to src/transform).
#pragma once

#include <rapidjson/document.h>

#include <string_view>

namespace drsync::detail {

// The PodTemplateSpec ({metadata, spec}) of a workload: spec.template for Deployment,
// StatefulSet, DaemonSet, ReplicaSet, ReplicationController and Job; spec.jobTemplate.spec.template
// for CronJob; template for PodTemplate. nullptr for other kinds (and for Pod: use pod_spec).
rapidjson::Value* pod_template(rapidjson::Value& obj, std::string_view kind);

// The PodSpec of a Pod (spec) or of a workload's pod template; nullptr when there is none.
rapidjson::Value* pod_spec(rapidjson::Value& obj, std::string_view kind);

}  // namespace drsync::detail
