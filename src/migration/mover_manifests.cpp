// The objects of one PVC pair's copy (pure; volume_mover.cpp creates and deletes them).
#include "migration/mover_manifests.hpp"

#include <fmt/format.h>

#include "core/base64.hpp"
#include "migration/mover_scripts.hpp"
#include "migration/pod_placement.hpp"

namespace drsync::detail {
namespace {

// A deep copy of parsed JSON into `a` (a moved Value would point into the temporary's memory).
rapidjson::Value json_value(const std::string& text, Object::Allocator& a) {
  return rapidjson::Value(Object::parse(text).json(), a);
}

Object labelled(const char* skeleton, const MoverNames& n) {
  Object obj = Object::parse(skeleton);
  obj.set_name(n.name());
  obj.set_label(kMoverLabel, n.run_id);
  obj.set_label("app.kubernetes.io/managed-by", "drsync");
  return obj;
}

rapidjson::Value env(std::initializer_list<std::pair<const char*, std::string>> vars,
                     Object::Allocator& a) {
  rapidjson::Value list(rapidjson::kArrayType);
  for (const auto& [name, value] : vars) {
    rapidjson::Value e(rapidjson::kObjectType);
    e.AddMember("name", rapidjson::StringRef(name), a);
    e.AddMember("value", json_string(value, a), a);
    list.PushBack(e, a);
  }
  return list;
}

std::string joined(const std::vector<std::string>& items, char sep) {
  std::string out;
  for (const auto& s : items) out += (out.empty() ? "" : std::string(1, sep)) + s;
  return out;
}

// The Pod spec both sides share: one container "mover" of the image running `script`, the PVC
// at /data, the run's Secret at /keys (0400), no service-account token, short grace.
constexpr const char* kPodSpec =
    R"({"restartPolicy":"Never","terminationGracePeriodSeconds":2,)"
    R"("automountServiceAccountToken":false,"enableServiceLinks":false,)"
    R"("containers":[{"name":"mover","command":["sh","-c"],"args":[""],)"
    R"("terminationMessagePolicy":"File","volumeMounts":[{"name":"data","mountPath":"/data"},)"
    R"({"name":"keys","mountPath":"/keys","readOnly":true}]}],)"
    R"("volumes":[{"name":"data","persistentVolumeClaim":{"claimName":""}},)"
    R"({"name":"keys","secret":{"secretName":"","defaultMode":256}}]})";

void fill_pod_spec(Object& obj, const std::string& at, const MoverNames& n, const std::string& pvc,
                   const DataMoverOptions& o, const char* script) {
  set_string(obj, at + "/containers/0/image", o.image);
  set_string(obj, at + "/containers/0/args/0", script);
  set_string(obj, at + "/volumes/0/persistentVolumeClaim/claimName", pvc);
  set_string(obj, at + "/volumes/1/secret/secretName", n.name());
}

}  // namespace

std::string MoverNames::name() const {
  return fmt::format("drsync-mover-{}-{}", run_id, index);
}

Object mover_secret(const MoverNames& n, const std::map<std::string, std::string>& data) {
  Object s = labelled(R"({"apiVersion":"v1","kind":"Secret","type":"Opaque","data":{}})", n);
  auto& a = s.allocator();
  auto& d = *s.find("/data");
  for (const auto& [k, v] : data)
    d.AddMember(json_string(k, a), json_string(base64_encode(v), a), a);
  return s;
}

Object sshd_pod(const MoverNames& n, const std::string& pvc, const DataMoverOptions& o) {
  Object pod = labelled(R"({"apiVersion":"v1","kind":"Pod","metadata":{},"spec":{}})", n);
  pod.find("/spec")->CopyFrom(Object::parse(kPodSpec).json(), pod.allocator());
  pod.set_label("drsync.io/mover-pod", n.name());
  fill_pod_spec(pod, "/spec", n, pvc, o, kSshdScript);
  auto& a = pod.allocator();
  auto& c = *pod.find("/spec/containers/0");
  c.AddMember("ports", json_value(fmt::format(R"([{{"containerPort":{}}}])", kSshPort), a), a);
  c.AddMember(
      "readinessProbe",
      json_value(fmt::format(R"({{"tcpSocket":{{"port":{}}},"periodSeconds":1}})", kSshPort), a),
      a);
  pod.find("/spec")->AddMember("activeDeadlineSeconds",
                               rapidjson::Value(static_cast<int64_t>(o.timeout.count())), a);
  apply_placement(*pod.find("/spec"), o.placement, a);
  return pod;
}

Object sshd_service(const MoverNames& n, const DataMoverOptions& o) {
  Object svc = labelled(
      R"({"apiVersion":"v1","kind":"Service","metadata":{},"spec":{"selector":{},"ports":[]}})", n);
  auto& a = svc.allocator();
  set_string(svc, "/spec/type", o.service_type);
  set_string(svc, "/spec/selector/drsync.io~1mover-pod", n.name());
  svc.find("/spec/ports")
      ->PushBack(
          json_value(fmt::format(R"({{"name":"ssh","port":{0},"targetPort":{0}}})", kSshPort), a),
          a);
  return svc;
}

Object rsync_job(const MoverNames& n, const std::string& pvc, const std::string& host, int port,
                 const std::string& node, const DataMoverOptions& o) {
  Object job = labelled(R"({"apiVersion":"batch/v1","kind":"Job","metadata":{},)"
                        R"("spec":{"backoffLimit":0,"template":{"metadata":{},"spec":{}}}})",
                        n);
  auto& a = job.allocator();
  job.find("/spec")->AddMember("activeDeadlineSeconds",
                               rapidjson::Value(static_cast<int64_t>(o.timeout.count())), a);
  set_string(job, "/spec/template/metadata/labels/drsync.io~1mover", n.run_id);
  auto& spec = *job.find("/spec/template/spec");
  spec.CopyFrom(Object::parse(kPodSpec).json(), a);
  fill_pod_spec(job, "/spec/template/spec", n, pvc, o, kRsyncScript);
  auto& mounts = *job.find("/spec/template/spec/containers/0/volumeMounts/0");
  mounts.AddMember("readOnly", true, a);
  const char* verify = o.verify == DataMoverOptions::Verify::Full     ? "full"
                       : o.verify == DataMoverOptions::Verify::Sample ? "sample"
                                                                      : "none";
  job.find("/spec/template/spec/containers/0")
      ->AddMember("env",
                  env({{"DRSYNC_HOST", host},
                       {"DRSYNC_PORT", std::to_string(port)},
                       {"DRSYNC_RSYNC_ARGS", joined(o.rsync_args, ' ')},
                       {"DRSYNC_BWLIMIT", std::to_string(o.bandwidth_limit_kib)},
                       {"DRSYNC_EXCLUDES", joined(o.exclude, '\n')},
                       {"DRSYNC_VERIFY", verify}},
                      a),
                  a);
  auto& pod_spec = *job.find("/spec/template/spec");
  if (!node.empty())
    pod_spec.AddMember("nodeName", json_string(node, a), a);
  else
    apply_placement(pod_spec, o.placement, a);
  return job;
}

}  // namespace drsync::detail
