// NamespaceSync: a correct and fast DR copy of one namespace into a (possibly renamed) namespace of
// another cluster. Data flows one way: discover -> select -> transform -> diff -> apply -> report.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "drsync/cluster.hpp"
#include "drsync/error.hpp"
#include "drsync/export.hpp"
#include "drsync/ledger.hpp"
#include "drsync/transform.hpp"

namespace drsync {

inline constexpr const char* kManagedByLabel = "app.kubernetes.io/managed-by";
inline constexpr const char* kManagedByValue = "drsync";
inline constexpr const char* kSourceIdLabel = "drsync.io/source-id";
inline constexpr const char* kSourceAnnotation = "drsync.io/source";
inline constexpr const char* kContentHashAnnotation = "drsync.io/content-hash";
inline constexpr const char* kIgnoreMarker = "drsync.io/ignore";
inline constexpr const char* kDrSyncerIgnoreMarker = "dr-syncer.io/ignore";
// The ConfigMap in which each side keeps drsync's state (role, journal); never copied.
inline constexpr const char* kStateConfigMap = "drsync-state";
// On a cluster-scoped copy (ClusterRole, ClusterRoleBinding): the destination namespaces that use
// it, comma-separated; a prune deletes it only when no namespace is left.
inline constexpr const char* kUsedByAnnotation = "drsync.io/used-by";
// On a cluster-scoped copy made for a renamed namespace: the original's name and namespace.
inline constexpr const char* kOriginalNameAnnotation = "drsync.io/original-name";
inline constexpr const char* kOriginalNamespaceAnnotation = "drsync.io/original-namespace";

enum class Action { Create, Update, Unchanged, Skip, Prune, Conflict, Error };
inline constexpr Action kAllActions[] = {Action::Create, Action::Update, Action::Unchanged,
                                         Action::Skip,   Action::Prune,  Action::Conflict,
                                         Action::Error};
DRSYNC_API const char* action_name(Action a) noexcept;

// A destination object that exists but was not written by drsync from this source.
enum class UnmanagedPolicy { Skip, Adopt, Fail };
// A write rejected because a field is immutable (422 "field is immutable").
enum class ImmutablePolicy { Fail, Recreate };

struct SyncProgress {
  std::string phase;  // "discover", "list", "apply", "prune"
  std::size_t done = 0;
  std::size_t total = 0;
  std::string object;  // "deployments.apps/web", may be empty
};

struct SyncOptions {
  // Types: empty include = the default DR set (docs/sync.md). Names as kubectl takes them:
  // "deployments", "deployments.apps", "deploy", or a glob over groups "*.example.com".
  std::vector<std::string> include_types;
  std::vector<std::string> exclude_types;
  bool include_jobs = false;
  bool include_custom_resources = true;  // those whose CRD exists in the destination
  bool copy_crds = false;                // copy missing CRDs instead of failing
  // Cluster-scoped dependencies: the ClusterRoleBindings whose subjects include a ServiceAccount
  // of the source namespace and the ClusterRoles they reference (docs/sync.md).
  bool cluster_resources = true;
  // Types (group_resource names, "configmaps", "deployments.apps") known to have no object in
  // any namespace of the source cluster: not listed per namespace, on either side (the
  // destination still is with `prune`). A DR plan's run takes this census once, with one
  // cluster-wide LIST of one item per type, for all its pairs (docs/plans.md). Empty: every
  // selected type is listed.
  std::shared_ptr<const std::set<std::string>> absent_source_types;
  std::string label_selector;

  bool prune = false;
  bool dry_run = false;  // every write validated server-side (dryRun=All), nothing persisted
  // Also compare each unchanged-looking destination object (same content hash) with what an
  // update would write, and put it back when it was edited by hand (docs/continuous.md). Costs
  // no request: the destination is listed anyway.
  bool repair_drift = false;
  UnmanagedPolicy unmanaged = UnmanagedPolicy::Skip;
  ImmutablePolicy immutable = ImmutablePolicy::Fail;

  // Transforms.
  std::map<std::string, std::string> storage_class_map;
  std::map<std::string, std::string> access_mode_map;
  std::vector<std::pair<std::string, std::string>> image_map;
  bool preserve_node_ports = false;
  std::shared_ptr<const ResourceModifiers> modifiers;
  TransformList extra_transforms;  // run after the default pipeline

  // Workloads are created stopped, with the source's original scale recorded (ReplicaLedger).
  bool stop_workloads = true;
  std::vector<ScaleSpec> custom_scale_kinds;

  int concurrency = 64;
  std::function<void(const SyncProgress&)> progress;  // called from the calling thread
  CancelToken cancel;
};

struct ObjectOutcome {
  std::string group_resource;  // "deployments.apps"
  std::string kind;
  std::string name;
  Action action = Action::Unchanged;
  std::string message;    // why (errors, skips, conflicts)
  std::string diff;       // unified diff live -> desired (plan only; Secret data masked)
  Errc error = Errc::ok;  // the cause when the object failed (forbidden, invalid, ...)
};

struct DRSYNC_API SyncResult {
  std::vector<ObjectOutcome> objects;
  std::map<Action, int> counts;
  std::vector<std::string> warnings;
  std::vector<std::string> errors;
  // What could not be copied and why (e.g. cluster-scoped objects the identity may not read or
  // write): reported, not an error. Each line is also among the warnings.
  std::vector<std::string> not_copied;
  Errc error_code = Errc::ok;  // the cause of the first error
  std::chrono::milliseconds duration{0};
  RequestStats source_requests;
  RequestStats dest_requests;
  bool dry_run = false;
  // A partial failure is a failure.
  bool ok() const noexcept { return errors.empty(); }
  int count(Action a) const {
    auto it = counts.find(a);
    return it == counts.end() ? 0 : it->second;
  }
  std::string to_json() const;
};

class DRSYNC_API NamespaceSync {
 public:
  NamespaceSync(Cluster source, std::string source_namespace, Cluster dest,
                std::string dest_namespace, SyncOptions options = {});
  ~NamespaceSync();
  NamespaceSync(NamespaceSync&&) noexcept;
  NamespaceSync& operator=(NamespaceSync&&) noexcept;

  // Every action that run() would take, with a diff per object; writes nothing.
  SyncResult plan();
  // Applies the plan (with options.dry_run: validated server-side, nothing persisted).
  SyncResult run();

  // The label value identifying this source (cluster server + namespace) on written objects.
  std::string source_id() const;
  const SyncOptions& options() const noexcept;

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace drsync
