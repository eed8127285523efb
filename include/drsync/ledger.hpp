// ReplicaLedger: the scale each workload had before drsync touched it, kept where it survives
// losing either cluster — as annotations on the objects themselves.
//
//  * At Stage, the destination copy is created stopped (0 replicas / suspended) and annotated with
//    the source's original value.
//  * At Cutover, the source object is annotated with its value before it is scaled down, so a
//    later Stage in the other direction (or a Failback) reads the original, never the 0 that
//    drsync set.
// Foreign annotations are read too so users can switch tools: Stork's
// `stork.libopenstorage.org/migrationReplicas` and DR-Syncer's `dr-syncer.io/original-replicas`.
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
inline constexpr const char* kDrSyncerReplicasAnnotation = "dr-syncer.io/original-replicas";

enum class ScaleType { Int, Bool, String };

// Where a kind keeps its scale: Deployment /spec/replicas (int, stopped 0), CronJob /spec/suspend
// (bool, stopped true), or a user-declared kind such as a RabbitmqCluster's /spec/replicas or a
// CassandraDatacenter's /spec/stopped (bool, stopped true) — like Stork's ApplicationRegistration.
struct ScaleSpec {
  std::string group;  // "apps", "batch", "rabbitmq.com"
  std::string kind;
  std::string path;  // JSON pointer
  ScaleType type = ScaleType::Int;
  std::string stopped_value;  // "0", "true", ...
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
  // The original value recorded in the object's annotations (drsync's, then Stork's, then
  // DR-Syncer's), if any.
  std::optional<ScaleValue> recorded(const Object& obj) const;
  // What the workload should run at when active: the recorded original if drsync stopped it,
  // else its live value. Never a value drsync itself set.
  ScaleValue original(const Object& obj) const;
  bool is_stopped(const Object& obj) const;

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
