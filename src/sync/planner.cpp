#include "sync/planner.hpp"

#include <fmt/format.h>

#include <map>

#include "sync/cluster_deps.hpp"
#include "sync/drift.hpp"
#include "transform/destination_fields.hpp"

namespace drsync::detail {

SkipContext skip_context(const Snapshot& snapshot) {
  SkipContext skip;
  for (const auto& t : snapshot.types) {
    skip.copied_kinds.insert(t.type.info.kind);
    if (t.type.info.group_resource() != "services") continue;
    for (const auto& s : t.source.items) {
      if (s.find("/spec/selector")) skip.selector_services.insert(std::string(s.name()));
    }
  }
  return skip;
}

bool Plan::any(Action a) const {
  for (const auto& p : objects) {
    if (p.action == a) return true;
  }
  return false;
}

Planner::Planner(PlanContext context) : ctx_(std::move(context)) {}

namespace {

// A plan holds an object's bodies only until they are written: the desired object for a create
// (as JSON text) or an update, the live one an update is made from. Anything else keeps its name
// and outcome.
void keep_only_what_is_written(PlannedObject& p, const Object* live, Problems& problems) {
  if (p.action == Action::Update && live) p.live = live->clone();
  if (!p.is_write()) p.desired = Object();
  if (p.action != Action::Create || p.merge_only) return;
  try {
    p.pack_desired();
  } catch (const Error& e) {  // not writable as JSON (a number beyond a double's range)
    p.action = Action::Error;
    p.error = e.code();
    p.message = fmt::format("{}: {}", p.label(), e.what());
    problems.error(e.code(), p.message);
    p.desired = Object();
  }
}

}  // namespace

Object Planner::desired_for(const Object& source, const SelectedType& type) {
  Object desired = source.clone();
  ctx_.transform.group_resource = type.info.group_resource();
  run_transforms(*ctx_.transforms, desired, ctx_.transform);
  const ReplicaLedger& ledger = *ctx_.ledger;
  if (ctx_.options->stop_workloads && ledger.is_workload(desired)) {
    // Created stopped: the original scale lives in the ledger annotation, never in the spec.
    ledger.record(desired, ledger.original(source));
    ledger.set_stopped(desired);
  }
  desired.set_label(kManagedByLabel, kManagedByValue);
  desired.set_label(kSourceIdLabel, ctx_.source_id);
  desired.set_annotation(kSourceAnnotation, ctx_.source_ref);
  desired.set_annotation(kContentHashAnnotation, content_hash(desired.json()));
  return desired;
}

// What to do with an object that exists in the destination: ours (or the merged default
// ServiceAccount) is updated unless its hash is the same; another drsync source's is a conflict;
// anything else follows the unmanaged policy.
void Planner::classify(PlannedObject& p, const Object& live, Problems& problems) const {
  const bool ours = live.label(kSourceIdLabel) == ctx_.source_id;
  const bool same =
      live.annotation(kContentHashAnnotation) == p.desired.annotation(kContentHashAnnotation);
  const UnmanagedPolicy policy = ctx_.options->unmanaged;
  if (ours || p.merge_only) {
    p.action = same && ours ? Action::Unchanged : Action::Update;
    if (p.action == Action::Unchanged && ctx_.options->repair_drift) {
      if (std::string at = drift(p.desired, live, *ctx_.ledger); !at.empty()) {
        p.action = Action::Update;
        p.message = fmt::format("drift repaired: {} was changed in the destination", at);
      }
    }
  } else if (live.label(kManagedByLabel) == kManagedByValue && live.has_label(kSourceIdLabel) &&
             policy != UnmanagedPolicy::Adopt) {
    p.action = Action::Conflict;
    p.message = fmt::format("managed by drsync from another source ({})",
                            live.annotation(kSourceAnnotation));
  } else if (policy == UnmanagedPolicy::Adopt) {
    p.action = Action::Update;
    p.message = "adopted";
  } else if (policy == UnmanagedPolicy::Fail) {
    p.action = Action::Conflict;
    p.error = Errc::conflict;
    p.message = "exists in the destination and is not managed by drsync";
    problems.error(Errc::conflict, fmt::format("{}: {}", p.label(), p.message));
  } else {
    p.action = Action::Skip;
    p.message = "exists in the destination and is not managed by drsync (policy: skip)";
    problems.warn(fmt::format("{}: {}", p.label(), p.message));
  }
}

PlannedObject Planner::plan_object(const SelectedType& type, const Object* source,
                                   const Object* live, const SkipContext& skip,
                                   Problems& problems) {
  PlannedObject p;
  p.type = &type;
  p.name = std::string(source ? source->name() : live->name());
  p.merge_only = is_merged_not_replaced(type.info.group_resource(), p.name);
  if (!source) {
    const bool prune =
        ctx_.options->prune && !p.merge_only && live->label(kSourceIdLabel) == ctx_.source_id;
    p.action = prune ? Action::Prune : Action::Unchanged;
    if (prune) p.live = live->clone();
    return p;
  }
  if (std::string reason = skip_reason(*source, skip); !reason.empty()) {
    p.action = Action::Skip;
    p.message = std::move(reason);
    return p;
  }
  try {
    p.desired = desired_for(*source, type);
  } catch (const Error& e) {
    p.action = Action::Error;
    p.error = e.code();
    p.message = fmt::format("{}: {}", p.label(), e.what());
    problems.error(e.code(), p.message);
    return p;
  }
  if (live) {
    classify(p, *live, problems);
  } else {
    p.action = Action::Create;
  }
  keep_only_what_is_written(p, live, problems);
  return p;
}

// One type: every source object, then (pruning) the destination's objects the source no longer
// has. Each source item is released once planned, so a LIST page's document is freed as soon as
// its last item is; the type's destination listing is released at the end.
void Planner::plan_type(TypeListing& t, const SkipContext& skip, Plan& plan, Problems& problems) {
  std::map<std::string_view, const Object*> live_by_name;
  for (const auto& o : t.dest.items) live_by_name[o.name()] = &o;
  for (auto& item : t.source.items) {
    auto live = live_by_name.find(item.name());
    const Object* l = live == live_by_name.end() ? nullptr : live->second;
    plan.objects.push_back(plan_object(t.type, &item, l, skip, problems));
    if (l) live_by_name.erase(live);
    Object released = std::move(item);
  }
  if (ctx_.options->prune) {
    for (const auto& [name, live] : live_by_name) {
      PlannedObject p = plan_object(t.type, nullptr, live, skip, problems);
      if (p.action == Action::Prune) plan.objects.push_back(std::move(p));
    }
  }
  t.source.items = std::vector<Object>();
  t.dest.items = std::vector<Object>();
}

Plan Planner::plan(Snapshot& snapshot, Problems& problems) {
  const SkipContext skip = skip_context(snapshot);
  Plan plan;
  for (auto& t : snapshot.types) plan_type(t, skip, plan, problems);
  const ClusterPlanInput cluster{ctx_.transform.source_namespace, ctx_.transform.dest_namespace,
                                 ctx_.options->prune, ctx_.transform.modifiers};
  plan_cluster_objects(snapshot.cluster, cluster, plan, problems);
  return plan;
}

}  // namespace drsync::detail
