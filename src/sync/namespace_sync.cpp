// NamespaceSync: the pipeline discover -> select -> list (Lister) -> transform + plan (Planner) ->
// apply (Applier) -> report (Reporter) for one namespace pair.
#include "drsync/sync.hpp"

#include <fmt/format.h>

#include <future>

#include "core/ids.hpp"
#include "sync/applier.hpp"
#include "sync/crds.hpp"
#include "sync/diff.hpp"
#include "sync/lister.hpp"
#include "sync/namespace_sync_impl.hpp"
#include "sync/planner.hpp"
#include "sync/reporter.hpp"

namespace drsync {

using Clock = std::chrono::steady_clock;

const char* action_name(Action a) noexcept {
  switch (a) {
    case Action::Create:
      return "create";
    case Action::Update:
      return "update";
    case Action::Unchanged:
      return "unchanged";
    case Action::Skip:
      return "skip";
    case Action::Prune:
      return "prune";
    case Action::Conflict:
      return "conflict";
    case Action::Error:
      return "error";
  }
  return "unknown";
}

detail::PlanContext NamespaceSync::Impl::plan_context() const {
  detail::PlanContext ctx;
  ctx.options = &options;
  ctx.ledger = &ledger;
  ctx.transforms = &transforms;
  ctx.transform.source_namespace = source_ns;
  ctx.transform.dest_namespace = dest_ns;
  ctx.transform.storage_class_map = options.storage_class_map;
  ctx.transform.access_mode_map = options.access_mode_map;
  ctx.transform.image_map = options.image_map;
  ctx.transform.preserve_node_ports = options.preserve_node_ports;
  ctx.transform.modifiers = options.modifiers.get();
  ctx.source_id = id;
  ctx.source_ref = fmt::format("{}/namespaces/{}", source.server(), source_ns);
  return ctx;
}

// Both sides listed; custom types the destination does not serve get their CRDs copied first
// (when asked and applying), else the sync stops naming them.
detail::Snapshot NamespaceSync::Impl::take_snapshot(bool apply, detail::Problems& problems) const {
  detail::Lister lister(source, source_ns, dest, dest_ns);
  progress("discover", 0, 1);
  detail::Snapshot snap = lister.select(options);
  check_cancel();
  progress("list", 0, snap.types.size());
  lister.list(snap, options, problems, namespace_ensured);
  lister.list_cluster(snap, options, problems);
  check_cancel();
  std::vector<std::string> missing = snap.missing_types();
  if (!missing.empty() && options.copy_crds && apply) {
    detail::copy_crds(source, dest, missing, options.dry_run, problems);
    lister.list_newly_served(snap);
    missing = snap.missing_types();
  }
  if (!missing.empty()) {
    throw Error(Errc::not_found,
                fmt::format("the destination cluster does not serve these types used in {} "
                            "(install their CustomResourceDefinitions there, or exclude them): {}",
                            source_ns, fmt::join(missing, ", ")));
  }
  return snap;
}

void NamespaceSync::Impl::ensure_namespace(detail::Problems& problems) {
  Object ns = Object::parse(R"({"apiVersion":"v1","kind":"Namespace","metadata":{}})");
  ns.set_name(dest_ns);
  ns.set_label(kManagedByLabel, kManagedByValue);
  ResourceInfo namespaces{"", "v1", "namespaces", "Namespace", false, {}, {}, {}, {}};
  try {
    WriteOptions wo;
    wo.dry_run = options.dry_run;
    dest.create(namespaces, "", ns, wo);
    if (options.dry_run) {
      problems.warn(
          fmt::format("destination namespace {} does not exist: the dry run could not "
                      "validate writes into it",
                      dest_ns));
    }
  } catch (const Error& e) {
    // Exists already, or a namespace-scoped identity that may not create namespaces: the
    // writes into it will tell whether it exists.
    if (e.code() != Errc::already_exists && e.code() != Errc::forbidden) throw;
  }
  namespace_ensured = !options.dry_run;
}

SyncResult NamespaceSync::Impl::execute(bool apply, detail::Listing* listing) {
  const auto started = Clock::now();
  const RequestStats src_before = source.stats(), dst_before = dest.stats();
  detail::Problems problems;
  detail::Snapshot snap = take_snapshot(apply, problems);
  check_cancel();
  if (listing) {
    *listing = {};
    for (const auto& t : snap.types) {
      if (!t.listed) continue;
      listing->types.push_back(t.type);
      listing->resource_versions.push_back(t.source.resource_version);
    }
    listing->skip = detail::skip_context(snap);
  }
  detail::Plan plan = detail::Planner(plan_context()).plan(snap, problems);
  if (apply) {
    if (plan.any(Action::Create)) ensure_namespace(problems);
    detail::ApplyContext ctx{&options, &ledger, id, nullptr};
    ctx.progress = [this](size_t done, size_t total, const std::string& object) {
      progress("apply", done, total, object);
    };
    detail::Applier(dest, dest_ns, std::move(ctx)).apply(plan, problems);
  } else {
    for (auto& p : plan.objects) {
      if (p.action != Action::Create && p.action != Action::Update) continue;
      p.unpack_desired();
      p.diff = detail::unified_diff(p.live ? &*p.live : nullptr, p.desired, p.label());
    }
  }
  detail::ReportInputs inputs;
  inputs.dry_run = options.dry_run || !apply;
  inputs.duration = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - started);
  inputs.source_requests = source.stats() - src_before;
  inputs.dest_requests = dest.stats() - dst_before;
  return detail::make_result(plan, problems, inputs);
}

SyncResult NamespaceSync::Impl::apply_changes(const std::vector<detail::ObjectChange>& changes,
                                              const detail::SkipContext& skip) {
  const auto started = Clock::now();
  const RequestStats src_before = source.stats(), dst_before = dest.stats();
  std::vector<std::future<Response>> reads;
  for (const auto& c : changes) {
    reads.push_back(
        dest.request(Verb::Get).resource(c.type->info).in_namespace(dest_ns).name(c.name).start());
  }
  detail::Problems problems;
  detail::Plan plan;
  detail::Planner planner(plan_context());
  for (size_t i = 0; i < changes.size(); ++i) {
    const detail::ObjectChange& c = changes[i];
    Response r = reads[i].get();
    if (!r.ok() && r.status != 404) {
      dest.request(Verb::Get).resource(c.type->info).in_namespace(dest_ns).name(c.name).check(r);
    }
    std::optional<Object> live;
    if (r.ok()) live = Object::parse(r.body);
    if (!c.source && !live) {
      detail::PlannedObject gone;  // deleted on both sides: nothing to do
      gone.type = c.type;
      gone.name = c.name;
      plan.objects.push_back(std::move(gone));
      continue;
    }
    plan.objects.push_back(
        planner.plan_object(*c.type, c.source, live ? &*live : nullptr, skip, problems));
  }
  if (!namespace_ensured && plan.any(Action::Create)) ensure_namespace(problems);
  detail::ApplyContext ctx{&options, &ledger, id, nullptr};
  detail::Applier(dest, dest_ns, std::move(ctx)).apply(plan, problems);
  detail::ReportInputs inputs;
  inputs.dry_run = options.dry_run;
  inputs.duration = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - started);
  inputs.source_requests = source.stats() - src_before;
  inputs.dest_requests = dest.stats() - dst_before;
  return detail::make_result(plan, problems, inputs);
}

NamespaceSync::NamespaceSync(Cluster source, std::string source_namespace, Cluster dest,
                             std::string dest_namespace, SyncOptions options)
    : impl_(std::make_unique<Impl>(std::move(source), std::move(source_namespace), std::move(dest),
                                   std::move(dest_namespace), std::move(options))) {}
NamespaceSync::~NamespaceSync() = default;
NamespaceSync::NamespaceSync(NamespaceSync&&) noexcept = default;
NamespaceSync& NamespaceSync::operator=(NamespaceSync&&) noexcept = default;

SyncResult NamespaceSync::plan() {
  return impl_->execute(false);
}
SyncResult NamespaceSync::run() {
  return impl_->execute(true);
}
std::string NamespaceSync::source_id() const {
  return impl_->id;
}
const SyncOptions& NamespaceSync::options() const noexcept {
  return impl_->options;
}

}  // namespace drsync
