// ReplicaLedger: the scale each workload had before drsync touched it, kept where it survives
// losing either cluster — as annotations on the objects themselves.
//
//  * At Stage, the destination copy is created stopped (0 replicas / suspended) and annotated with
//    the source's original value.
//  * At Cutover, the source object is annotated with its value before it is scaled down, so a
//    later Stage in the other direction (or a Failback) reads the original, never the 0 that
//    drsync set.
// The records other DR tools leave are read too, so users can take over their copies: see
// kReplicaRecords for the keys and their precedence (docs/annotations.md).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "drsync/export.hpp"
#include "drsync/object.hpp"

namespace drsync {

inline constexpr const char* kOriginalReplicasAnnotation = "drsync.io/original-replicas";
inline constexpr const char* kOriginalValueAnnotation = "drsync.io/original-value";
inline constexpr const char* kStorkReplicasAnnotation =
    "stork.libopenstorage.org/migrationReplicas";
// The key Portworx's failover documentation names.
inline constexpr const char* kStorkDocsReplicasAnnotation =
    "stork.openstorage.org/migrationReplicas";
inline constexpr const char* kDrSyncerReplicasAnnotation = "dr-syncer.io/original-replicas";
// DR-Syncer's label: the replica count the DR copy should run at.
inline constexpr const char* kDrSyncerScaleOverrideLabel = "dr-syncer.io/scale-override";

// Where a replica count can be recorded on a workload, in precedence order: drsync's own record,
// then DR-Syncer's explicit scale override, then Stork's keys, then DR-Syncer's record.
struct ReplicaRecordKey {
  const char* key;
  bool label;        // a label, not an annotation
  const char* tool;  // who writes it
};
inline constexpr ReplicaRecordKey kReplicaRecords[] = {
    {kOriginalReplicasAnnotation, false, "drsync"},
    {kDrSyncerScaleOverrideLabel, true, "DR-Syncer"},
    {kStorkReplicasAnnotation, false, "Stork"},
    {kStorkDocsReplicasAnnotation, false, "Portworx"},
    {kDrSyncerReplicasAnnotation, false, "DR-Syncer"},
};

enum class ScaleType { Int, Bool, String };

// The key of the pod template's nodeSelector that stops a DaemonSet: no node carries it, so the
// copy schedules nowhere; removing it restores the DaemonSet's own nodeSelector exactly.
inline constexpr const char* kStoppedNodeSelector = "drsync.io/stopped";

// Where a kind keeps its scale: Deployment /spec/replicas (int, stopped 0), CronJob /spec/suspend
// (bool, stopped true), DaemonSet the nodeSelector key kStoppedNodeSelector (stopped "true",
// running when absent), or a user-declared kind such as a RabbitmqCluster's /spec/replicas or a
// CassandraDatacenter's /spec/stopped (bool, stopped true) — like Stork's ApplicationRegistration.
struct ScaleSpec {
  std::string group;  // "apps", "batch", "rabbitmq.com"
  std::string kind;
  std::string path;  // JSON pointer
  ScaleType type = ScaleType::Int;
  std::string stopped_value;  // "0", "true", ...
  // The value "" means the field is absent (set: removed; a merge patch: null). DaemonSets.
  bool absent_when_empty = false;
  bool replicas() const noexcept { return path == "/spec/replicas" && type == ScaleType::Int; }
};

// The value of one workload's scale, as text ("3", "false", "Stopped").
struct ScaleValue {
  std::string value;
  std::string source;  // which annotation or field it came from, for reports
};

class DRSYNC_API ReplicaLedger {
 public:
  // Deployments, StatefulSets, ReplicaSets (replicas), CronJobs and Jobs (suspend), plus `extra`.
  explicit ReplicaLedger(std::vector<ScaleSpec> extra = {});

  const ScaleSpec* spec_for(std::string_view group, std::string_view kind) const noexcept;
  bool is_workload(const Object& obj) const noexcept;

  // The live value of the object's scale field ("" when absent: the API default applies).
  std::string live_value(const Object& obj) const;
  // The original value recorded on the object (kReplicaRecords, in order; a value that is not a
  // replica count is ignored), if any.
  std::optional<ScaleValue> recorded(const Object& obj) const;
  // "annotation drsync.io/original-replicas, label dr-syncer.io/scale-override, ..." — what
  // recorded() looks for on `obj`'s kind, for messages.
  std::string record_keys(const Object& obj) const;
  // What the workload should run at when active: the recorded original if drsync stopped it,
  // else its live value. Never a value drsync itself set.
  ScaleValue original(const Object& obj) const;
  bool is_stopped(const Object& obj) const;
  // original(), except for a stopped workload with no record anywhere: nothing is known then.
  std::optional<ScaleValue> known_original(const Object& obj) const;

  // Writes `value` as the recorded original into the object's annotations.
  void record(Object& obj, const ScaleValue& value) const;
  void clear_record(Object& obj) const;
  // Sets the live scale field to the stopped value / to `value`.
  void set_stopped(Object& obj) const;
  void set_value(Object& obj, std::string_view value) const;
  // On an update of an existing copy: the live scale belongs to the ledger's steps, not to the
  // sync, so `desired` takes it from `live`.
  void keep_live_scale(Object& desired, const Object& live) const;
  // JSON merge patch setting the scale field to `value` (and the annotations when given).
  std::string scale_patch(const ScaleSpec& spec, std::string_view value,
                          const std::optional<ScaleValue>& record, bool clear_record) const;

  const std::vector<ScaleSpec>& specs() const noexcept { return specs_; }

 private:
  std::vector<ScaleSpec> specs_;
};

}  // namespace drsync
