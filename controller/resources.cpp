#include "resources.hpp"

#include <fmt/format.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>
#include <drsync/error.hpp>
#include <drsync/options.hpp>
#include <drsync/schedule.hpp>

#include <set>

#include "../cli/duration.hpp"
#include "../cli/flags.hpp"

namespace drsync_controller {
namespace {

drsync::ResourceInfo info(const char* group, const char* resource, const char* kind) {
  drsync::ResourceInfo r;
  r.group = group;
  r.version = "v1alpha1";
  r.resource = resource;
  r.kind = kind;
  r.namespaced = true;
  r.subresources = {"status"};
  return r;
}

// The fields of a DR-Syncer NamespaceMapping spec this controller acts on.
const std::set<std::string, std::less<>> kUnderstood = {
    "paused",
    "replicationMode",
    "schedule",
    "clusterMappingRef",
    "sourceCluster",
    "destinationCluster",
    "sourceNamespace",
    "destinationNamespace",
    "resourceTypes",
    "namespaceScopedResources",
    "scaleToZero",
    "syncCRDs",
    "immutableResourceConfig",
    "pvcConfig",
    "continuous",
    "drsyncOptions",
};

class Fields {
 public:
  Fields(const drsync::Object& o, const char* kind) : o_(o) {
    where_ = fmt::format("{} {}/{}", kind, o.namespace_(), o.name());
  }
  [[noreturn]] void fail(std::string_view field, std::string_view why) const {
    throw drsync::Error(drsync::Errc::invalid_argument,
                        fmt::format("{}: {}: {}", where_, field, why));
  }
  const rapidjson::Value* at(const char* pointer) const { return o_.find(pointer); }
  std::string str(const char* pointer, std::string fallback = {}) const {
    const auto* v = at(pointer);
    if (!v || v->IsNull()) return fallback;
    if (!v->IsString()) fail(pointer, "expected a string");
    return {v->GetString(), v->GetStringLength()};
  }
  std::string required(const char* pointer) const {
    std::string s = str(pointer);
    if (s.empty()) fail(pointer, "required");
    return s;
  }
  bool boolean(const char* pointer, bool fallback) const {
    const auto* v = at(pointer);
    if (!v || v->IsNull()) return fallback;
    if (!v->IsBool()) fail(pointer, "expected true or false");
    return v->GetBool();
  }
  std::vector<std::string> strings(const char* pointer) const {
    std::vector<std::string> out;
    const auto* v = at(pointer);
    if (!v || v->IsNull()) return out;
    if (!v->IsArray()) fail(pointer, "expected a list of strings");
    for (const auto& s : v->GetArray()) {
      if (!s.IsString()) fail(pointer, "expected a list of strings");
      out.emplace_back(s.GetString(), s.GetStringLength());
    }
    return out;
  }
  std::map<std::string, std::string> from_to(const char* pointer) const {
    std::map<std::string, std::string> out;
    const auto* v = at(pointer);
    if (!v || !v->IsArray()) return out;
    for (const auto& m : v->GetArray()) {
      if (!m.IsObject() || !m.HasMember("from") || !m.HasMember("to") || !m["from"].IsString() ||
          !m["to"].IsString()) {
        fail(pointer, "expected a list of {from, to}");
      }
      out[m["from"].GetString()] = m["to"].GetString();
    }
    return out;
  }
  std::chrono::milliseconds duration(const char* pointer,
                                     std::chrono::milliseconds fallback) const {
    std::string s = str(pointer);
    if (s.empty()) return fallback;
    try {
      return drsync_cli::parse_duration(pointer, s);
    } catch (const drsync_cli::UsageError& e) {
      fail(pointer, e.what());
    }
  }
  ObjectRef self() const { return {std::string(o_.namespace_()), std::string(o_.name())}; }

 private:
  const drsync::Object& o_;
  std::string where_;
};

std::string json_of(const rapidjson::Value* v) {
  if (!v) return "{}";
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w(buf);
  v->Accept(w);
  return buf.GetString();
}

ReplicationMode parse_mode(const Fields& f) {
  std::string m = f.str("/spec/replicationMode", "Scheduled");
  if (m == "Scheduled") return ReplicationMode::Scheduled;
  if (m == "Continuous") return ReplicationMode::Continuous;
  if (m == "Manual") return ReplicationMode::Manual;
  f.fail("spec.replicationMode", fmt::format("{:?} is not Scheduled, Continuous or Manual", m));
}

void parse_clusters(const Fields& f, NamespaceMappingSpec& s) {
  if (f.at("/spec/clusterMappingRef")) {
    s.cluster_mapping = ObjectRef{f.str("/spec/clusterMappingRef/namespace", s.self.namespace_),
                                  f.required("/spec/clusterMappingRef/name")};
  } else {
    s.source_cluster = f.str("/spec/sourceCluster");
    s.destination_cluster = f.str("/spec/destinationCluster");
    if (s.source_cluster.empty() || s.destination_cluster.empty()) {
      f.fail("spec", "needs clusterMappingRef, or sourceCluster and destinationCluster");
    }
  }
}

void parse_schedule(const Fields& f, NamespaceMappingSpec& s) {
  s.schedule = f.str("/spec/schedule");
  if (s.mode == ReplicationMode::Scheduled && s.schedule.empty())
    f.fail("spec.schedule", "required in Scheduled mode");
  if (s.schedule.empty()) return;
  try {
    drsync::Schedule check(s.schedule);
  } catch (const drsync::Error& e) {
    f.fail("spec.schedule", e.what());
  }
}

void note_ignored(const Fields& f, const rapidjson::Value* spec, NamespaceMappingSpec& s) {
  if (!spec || !spec->IsObject()) return;
  for (const auto& m : spec->GetObject()) {
    if (!kUnderstood.count(std::string_view(m.name.GetString(), m.name.GetStringLength()))) {
      s.ignored.emplace_back(std::string("spec.") + m.name.GetString());
    }
  }
  if (s.sync_data && s.mode == ReplicationMode::Continuous) {
    s.ignored.emplace_back("spec.pvcConfig.syncData (Continuous mode: data is copied by Stages)");
  }
  if (f.boolean("/spec/pvcConfig/syncPersistentVolumes", false)) {
    s.ignored.emplace_back("spec.pvcConfig.syncPersistentVolumes");
  }
}

drsync::SyncOptions sync_options(const NamespaceMappingSpec& spec) {
  drsync::SyncOptions o;
  o.include_types = spec.resource_types;
  if (!o.include_types.empty()) {
    o.include_types.insert(o.include_types.end(), spec.namespace_scoped_resources.begin(),
                           spec.namespace_scoped_resources.end());
  }
  o.copy_crds = spec.sync_crds;
  o.storage_class_map = spec.storage_class_map;
  o.access_mode_map = spec.access_mode_map;
  o.stop_workloads = spec.scale_to_zero;
  o.immutable =
      spec.recreate_immutable ? drsync::ImmutablePolicy::Recreate : drsync::ImmutablePolicy::Fail;
  return o;
}

// DR-Syncer's dataSyncConfig as drsync's dataMover section (the options document's names, so
// the options document's reader checks and applies them).
rapidjson::Document data_mover_document(const Fields& f) {
  rapidjson::Document d(rapidjson::kObjectType);
  auto& a = d.GetAllocator();
  rapidjson::Value mover(rapidjson::kObjectType);
  auto copy_int = [&](const char* pointer, const char* key) {
    const auto* v = f.at(pointer);
    if (v && v->IsInt64())
      mover.AddMember(rapidjson::StringRef(key), rapidjson::Value(v->GetInt64()), a);
  };
  auto copy_strings = [&](const char* pointer, const char* key) {
    rapidjson::Value list(rapidjson::kArrayType);
    for (const auto& item : f.strings(pointer)) list.PushBack(rapidjson::Value(item.c_str(), a), a);
    if (!list.Empty()) mover.AddMember(rapidjson::StringRef(key), list, a);
  };
  copy_int("/spec/pvcConfig/dataSyncConfig/concurrentSyncs", "parallelism");
  copy_int("/spec/pvcConfig/dataSyncConfig/bandwidthLimit", "bandwidthLimitKiB");
  copy_strings("/spec/pvcConfig/dataSyncConfig/excludePaths", "exclude");
  copy_strings("/spec/pvcConfig/dataSyncConfig/rsyncOptions", "rsyncArgs");
  auto timeout = f.duration("/spec/pvcConfig/dataSyncConfig/timeout", std::chrono::milliseconds(0));
  if (timeout.count() > 0) {
    mover.AddMember("timeoutSeconds",
                    rapidjson::Value(static_cast<int64_t>((timeout.count() + 999) / 1000)), a);
  }
  std::string verify = f.str("/spec/pvcConfig/dataSyncConfig/verificationMode");
  if (!verify.empty()) mover.AddMember("verify", rapidjson::Value(verify.c_str(), a), a);
  d.AddMember("dataMover", mover, a);
  return d;
}

void build_options(const Fields& f, const drsync::Object& o, NamespaceMappingSpec& s) {
  s.options.sync = sync_options(s);
  s.options.migrate_data = s.sync_data;
  const std::string where = fmt::format("NamespaceMapping {}", s.self.key());
  try {
    rapidjson::Document mover = data_mover_document(f);
    drsync::apply_options_value(s.options, mover, where + " spec.pvcConfig.dataSyncConfig",
                                "/nonexistent");
    if (const auto* own = o.find("/spec/drsyncOptions")) {
      drsync::apply_options_value(s.options, *own, where + " spec.drsyncOptions", "/nonexistent");
    }
  } catch (const drsync::Error& e) {
    f.fail("spec", e.what());
  }
}

}  // namespace

drsync::ResourceInfo remote_clusters() {
  return info("dr-syncer.io", "remoteclusters", "RemoteCluster");
}
drsync::ResourceInfo cluster_mappings() {
  return info("dr-syncer.io", "clustermappings", "ClusterMapping");
}
drsync::ResourceInfo namespace_mappings() {
  return info("dr-syncer.io", "namespacemappings", "NamespaceMapping");
}
drsync::ResourceInfo failovers() {
  return info("drsync.io", "failovers", "Failover");
}
drsync::ResourceInfo secrets() {
  drsync::ResourceInfo r;
  r.version = "v1";
  r.resource = "secrets";
  r.kind = "Secret";
  r.namespaced = true;
  return r;
}

const char* mode_name(ReplicationMode m) noexcept {
  switch (m) {
    case ReplicationMode::Scheduled:
      return "Scheduled";
    case ReplicationMode::Continuous:
      return "Continuous";
    case ReplicationMode::Manual:
      return "Manual";
  }
  return "Scheduled";
}

RemoteClusterSpec parse_remote_cluster(const drsync::Object& o) {
  Fields f(o, "RemoteCluster");
  RemoteClusterSpec s;
  s.self = f.self();
  s.kubeconfig_secret = {f.str("/spec/kubeconfigSecretRef/namespace", s.self.namespace_),
                         f.required("/spec/kubeconfigSecretRef/name")};
  s.kubeconfig_key = f.str("/spec/kubeconfigSecretRef/key", "kubeconfig");
  return s;
}

ClusterMappingSpec parse_cluster_mapping(const drsync::Object& o) {
  Fields f(o, "ClusterMapping");
  ClusterMappingSpec s;
  s.self = f.self();
  s.source_cluster = f.required("/spec/sourceCluster");
  s.target_cluster = f.required("/spec/targetCluster");
  s.paused = f.boolean("/spec/paused", false);
  return s;
}

NamespaceMappingSpec parse_namespace_mapping(const drsync::Object& o) {
  Fields f(o, "NamespaceMapping");
  NamespaceMappingSpec s;
  s.self = f.self();
  const auto* gen = o.find("/metadata/generation");
  s.generation = gen && gen->IsInt64() ? gen->GetInt64() : 0;
  s.paused = f.boolean("/spec/paused", false);
  s.sync_now = o.has_annotation(kSyncNowAnnotation);
  s.mode = parse_mode(f);
  parse_clusters(f, s);
  parse_schedule(f, s);
  s.source_namespace = f.required("/spec/sourceNamespace");
  s.destination_namespace = f.str("/spec/destinationNamespace", s.source_namespace);
  s.resource_types = f.strings("/spec/resourceTypes");
  std::erase(s.resource_types, "*");
  s.namespace_scoped_resources = f.strings("/spec/namespaceScopedResources");
  s.scale_to_zero = f.boolean("/spec/scaleToZero", true);
  s.sync_crds = f.boolean("/spec/syncCRDs", false);
  std::string immutable = f.str("/spec/immutableResourceConfig/defaultHandling", "NoChange");
  s.recreate_immutable =
      immutable == "Recreate" || immutable == "ForceUpdate" || immutable == "RecreateWithPodDrain";
  s.storage_class_map = f.from_to("/spec/pvcConfig/storageClassMappings");
  s.access_mode_map = f.from_to("/spec/pvcConfig/accessModeMappings");
  s.resync_interval = f.duration("/spec/continuous/backgroundSyncInterval", std::chrono::hours(1));
  s.sync_data = f.boolean("/spec/pvcConfig/syncData", false);
  build_options(f, o, s);
  note_ignored(f, o.find("/spec"), s);
  s.fingerprint = json_of(o.find("/spec"));
  return s;
}

FailoverSpec parse_failover(const drsync::Object& o) {
  Fields f(o, "Failover");
  FailoverSpec s;
  s.self = f.self();
  s.uid = std::string(o.uid());
  s.namespace_mapping = f.required("/spec/namespaceMapping");
  s.mode = f.str("/spec/mode", "Cutover");
  if (s.mode != "Cutover" && s.mode != "Failback")
    f.fail("spec.mode", fmt::format("{:?} is not Cutover or Failback", s.mode));
  s.source_down = f.boolean("/spec/sourceDown", false);
  s.migrate_data = f.boolean("/spec/migrateData", false);
  s.reverse_migrate_data = f.boolean("/spec/reverseMigrateData", false);
  s.reverse_sync = f.boolean("/spec/reverseSync", false);
  s.rollback_on_failure = f.boolean("/spec/rollbackOnFailure", false);
  s.wait_timeout = std::chrono::duration_cast<std::chrono::seconds>(
      f.duration("/spec/waitTimeout", std::chrono::minutes(5)));
  s.phase = f.str("/status/phase");
  return s;
}

}  // namespace drsync_controller
