// Internal: the Planner — a pure function of a Snapshot and the sync's options: for every source
// object the desired destination object (transformed, workloads stopped with their scale
// recorded, labelled, hashed) and what to do with it (create / update / unchanged / skip /
// conflict / error, with the reason), plus the prunes. No request is sent.
#pragma once

#include <string>

#include "drsync/ledger.hpp"
#include "drsync/sync.hpp"
#include "drsync/transform.hpp"
#include "sync/plan.hpp"

namespace drsync::detail {

// What planning needs besides the snapshot; built once per sync.
struct PlanContext {
  const SyncOptions* options = nullptr;
  const ReplicaLedger* ledger = nullptr;
  const TransformList* transforms = nullptr;
  TransformContext transform;  // namespaces and maps; group_resource is set per type
  std::string source_id;       // kSourceIdLabel value of this source
  std::string source_ref;      // kSourceAnnotation value: "<server>/namespaces/<ns>"
};

class Planner {
 public:
  explicit Planner(PlanContext context);

  // Consumes the snapshot's object listings (released type by type as they are planned).
  Plan plan(Snapshot& snapshot, Problems& problems);
  // One object: `source` null means it is gone from the source (a prune when pruning and ours,
  // else Unchanged); `live` null means the destination has none. The watch-driven sync plans
  // every event through this.
  PlannedObject plan_object(const SelectedType& type, const Object* source, const Object* live,
                            const SkipContext& skip, Problems& problems);
  // The object written to the destination for `source`.
  Object desired_for(const Object& source, const SelectedType& type);

 private:
  void classify(PlannedObject& p, const Object& live, Problems& problems) const;
  void plan_type(TypeListing& t, const SkipContext& skip, Plan& plan, Problems& problems);

  PlanContext ctx_;
};

SkipContext skip_context(const Snapshot& snapshot);

}  // namespace drsync::detail
