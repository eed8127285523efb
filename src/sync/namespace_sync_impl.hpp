// Internal: the state of one NamespaceSync, shared with the watch-driven ContinuousSync, which
// runs the same full sync (execute) and plans and applies single objects through the same Planner
// and Applier (apply_changes).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/ids.hpp"
#include "drsync/sync.hpp"
#include "sync/plan.hpp"
#include "sync/planner.hpp"

namespace drsync {
namespace detail {

// What a full sync listed, for a watch to continue from: every listed source type (apply order)
// and the resourceVersion of its LIST, and the skip rules' context.
struct Listing {
  std::vector<SelectedType> types;
  std::vector<std::string> resource_versions;  // per type
  SkipContext skip;
};

// One source object to bring over: its current state, or none when it was deleted.
struct ObjectChange {
  const SelectedType* type = nullptr;
  std::string name;
  const Object* source = nullptr;  // nullptr: deleted in the source
};

}  // namespace detail

struct NamespaceSync::Impl {
  Cluster source;
  std::string source_ns;
  Cluster dest;
  std::string dest_ns;
  SyncOptions options;
  ReplicaLedger ledger;
  TransformList transforms;
  std::string id;
  bool namespace_ensured = false;  // the destination namespace was created (or found) once

  Impl(Cluster s, std::string sns, Cluster d, std::string dns, SyncOptions o)
      : source(std::move(s)),
        source_ns(std::move(sns)),
        dest(std::move(d)),
        dest_ns(std::move(dns)),
        options(std::move(o)),
        ledger(options.custom_scale_kinds),
        transforms(default_transforms()),
        id(detail::fnv1a_hex(source.server() + "/" + source_ns)) {
    for (auto& t : options.extra_transforms) transforms.push_back(t);
    if (options.concurrency < 1) options.concurrency = 1;
  }

  void progress(const char* phase, size_t done, size_t total, std::string object = {}) const {
    if (options.progress) options.progress(SyncProgress{phase, done, total, std::move(object)});
  }
  void check_cancel() const {
    if (options.cancel.cancelled()) throw Error(Errc::cancelled, "sync cancelled");
  }

  detail::PlanContext plan_context() const;
  detail::Snapshot take_snapshot(bool apply, detail::Problems& problems) const;
  void ensure_namespace(detail::Problems& problems);
  // The full sync; with `listing`, also what a watch-driven sync continues from.
  SyncResult execute(bool apply, detail::Listing* listing = nullptr);
  // Plans and applies only these objects (each with its destination copy read first), through
  // the same Planner and Applier as execute(): the watch-driven sync's path.
  SyncResult apply_changes(const std::vector<detail::ObjectChange>& changes,
                           const detail::SkipContext& skip);
};

}  // namespace drsync
