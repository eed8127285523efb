// The custom resources the controller reconciles, read from their JSON (docs/controller.md):
// DR-Syncer's dr-syncer.io/v1alpha1 RemoteCluster, ClusterMapping and NamespaceMapping, and
// drsync's own drsync.io/v1alpha1 Failover. Parsing checks what the CRD schema cannot
// (a schedule that is a valid cron expression, a mode that is known) and names the field.
#pragma once

#include <drsync/cluster.hpp>
#include <drsync/migration.hpp>
#include <drsync/object.hpp>

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace drsync_controller {

// The ResourceInfo of each kind (no discovery needed: the CRDs are ours).
drsync::ResourceInfo remote_clusters();
drsync::ResourceInfo cluster_mappings();
drsync::ResourceInfo namespace_mappings();
drsync::ResourceInfo failovers();
drsync::ResourceInfo secrets();

inline constexpr const char* kSyncNowAnnotation = "dr-syncer.io/sync-now";

struct ObjectRef {
  std::string namespace_;
  std::string name;
  std::string key() const { return namespace_ + "/" + name; }
};

struct RemoteClusterSpec {
  ObjectRef self;
  ObjectRef kubeconfig_secret;
  std::string kubeconfig_key = "kubeconfig";
};

struct ClusterMappingSpec {
  ObjectRef self;
  std::string source_cluster, target_cluster;
  bool paused = false;
};

enum class ReplicationMode { Scheduled, Continuous, Manual };
const char* mode_name(ReplicationMode m) noexcept;

struct NamespaceMappingSpec {
  ObjectRef self;
  std::int64_t generation = 0;
  bool paused = false;
  bool sync_now = false;  // the dr-syncer.io/sync-now annotation is set
  ReplicationMode mode = ReplicationMode::Scheduled;
  std::string schedule;
  std::optional<ObjectRef> cluster_mapping;
  std::string source_cluster,
      destination_cluster;  // RemoteCluster names (without a ClusterMapping)
  std::string source_namespace, destination_namespace;
  std::vector<std::string> resource_types;  // empty or "*": the default DR set
  std::vector<std::string> namespace_scoped_resources;
  bool scale_to_zero = true;
  bool sync_crds = false;
  bool recreate_immutable = false;
  std::map<std::string, std::string> storage_class_map, access_mode_map;
  std::chrono::milliseconds resync_interval = std::chrono::hours(1);
  bool sync_data = false;  // pvcConfig.syncData: each Stage copies the PVCs' data
  // What a Stage, a Failover or a continuous sync of this mapping runs with: the fields above,
  // then pvcConfig.dataSyncConfig (the data mover), then drsync's own options document
  // (spec.drsyncOptions, docs/options.md), each overriding the one before.
  drsync::MigrationOptions options;
  // Fields of DR-Syncer's spec this controller does not act on (reported in a condition).
  std::vector<std::string> ignored;
  std::string fingerprint;  // the spec's JSON: a worker restarts when it changes
};

struct FailoverSpec {
  ObjectRef self;
  std::string uid;
  std::string namespace_mapping;
  std::string mode = "Cutover";  // Cutover or Failback
  bool source_down = false;
  bool migrate_data = false, reverse_migrate_data = false, reverse_sync = false;
  bool rollback_on_failure = false;
  std::chrono::seconds wait_timeout{300};
  std::string phase;  // from the status: "", Running, Succeeded, Failed
};

// Each throws drsync::Error(invalid_argument) naming the object and the field.
RemoteClusterSpec parse_remote_cluster(const drsync::Object& o);
ClusterMappingSpec parse_cluster_mapping(const drsync::Object& o);
NamespaceMappingSpec parse_namespace_mapping(const drsync::Object& o);
FailoverSpec parse_failover(const drsync::Object& o);

}  // namespace drsync_controller
