// DR plan files (kind: DRPlan), the CLI's --plan format.
#include <fmt/format.h>

#include "drsync/plan.hpp"

#include "handles.hpp"

using namespace drsync_capi;

namespace {

const drsync::PlanNamespace& plan_pair(const drsync_plan* plan, size_t index, const char* fn) {
  need(plan, fn, "plan");
  if (index >= plan->plan.namespaces.size()) {
    invalid(fmt::format("{}: index {} is out of range (the plan has {} namespace pairs)", fn, index,
                        plan->plan.namespaces.size()));
  }
  return plan->plan.namespaces[index];
}

}  // namespace

extern "C" {

int drsync_plan_load(drsync_plan** out, const char* path) {
  return guarded([&]() -> int {
    reset_out(out, "drsync_plan_load");
    need_name(path, "drsync_plan_load", "path");
    *out = new drsync_plan{drsync::load_plan(path), {}};
    return DRSYNC_OK;
  });
}

int drsync_plan_parse(drsync_plan** out, const char* document, const char* base_dir) {
  return guarded([&]() -> int {
    reset_out(out, "drsync_plan_parse");
    need(document, "drsync_plan_parse", "document");
    *out = new drsync_plan{
        drsync::parse_plan(document, "<plan>", base_dir && *base_dir ? base_dir : "."), {}};
    return DRSYNC_OK;
  });
}

const char* drsync_plan_name(const drsync_plan* plan) {
  return plan ? plan->plan.name.c_str() : nullptr;
}

const char* drsync_plan_kubeconfig(const drsync_plan* plan, drsync_side side) {
  if (!plan) return nullptr;
  return (side == DRSYNC_SIDE_SOURCE ? plan->plan.source : plan->plan.destination)
      .kubeconfig.c_str();
}

const char* drsync_plan_context(const drsync_plan* plan, drsync_side side) {
  if (!plan) return nullptr;
  return (side == DRSYNC_SIDE_SOURCE ? plan->plan.source : plan->plan.destination).context.c_str();
}

size_t drsync_plan_count(const drsync_plan* plan) {
  return plan ? plan->plan.namespaces.size() : 0;
}

const char* drsync_plan_namespace(const drsync_plan* plan, size_t index, drsync_side side) {
  if (!plan || index >= plan->plan.namespaces.size()) return nullptr;
  const drsync::PlanNamespace& p = plan->plan.namespaces[index];
  return (side == DRSYNC_SIDE_SOURCE ? p.source : p.destination).c_str();
}

int drsync_plan_sync_new(drsync_sync** out, const drsync_plan* plan, size_t index,
                         const drsync_cluster* source, const drsync_cluster* dest) {
  return guarded([&]() -> int {
    const char* fn = "drsync_plan_sync_new";
    reset_out(out, fn);
    const drsync::PlanNamespace& p = plan_pair(plan, index, fn);
    need(source, fn, "source");
    need(dest, fn, "dest");
    return new_sync(out, source, p.source.c_str(), dest, p.destination.c_str(), p.options.sync);
  });
}

int drsync_plan_migration_new(drsync_migration** out, const drsync_plan* plan, size_t index,
                              const drsync_cluster* source, const drsync_cluster* dest) {
  return guarded([&]() -> int {
    const char* fn = "drsync_plan_migration_new";
    reset_out(out, fn);
    const drsync::PlanNamespace& p = plan_pair(plan, index, fn);
    need(source, fn, "source");
    need(dest, fn, "dest");
    auto h = std::make_unique<drsync_migration>();
    drsync::MigrationOptions o = p.options;
    install_migration_hooks(h.get(), o);
    return new_migration(out, std::move(h), source, p.source.c_str(), dest, p.destination.c_str(),
                         std::move(o));
  });
}

int drsync_plan_run(drsync_result** out, const drsync_plan* plan, const drsync_cluster* source,
                    const drsync_cluster* dest, drsync_mode mode, size_t parallelism) {
  return guarded([&]() -> int {
    const char* fn = "drsync_plan_run";
    reset_out(out, fn);
    need(plan, fn, "plan");
    need(source, fn, "source");
    need(dest, fn, "dest");
    drsync_running running(plan->run);
    drsync::PlanRunOptions options;
    options.parallelism = parallelism == 0 ? 8 : parallelism;
    options.cancel = plan->run.token;
    drsync::PlanReport report = drsync::run_plan(source->cluster, dest->cluster,
                                                 plan->plan.namespaces, mode_of(mode, fn), options);
    auto r = json_result(DRSYNC_RESULT_PLAN, report.to_json());
    r->ok = report.ok;
    r->markdown = report.to_markdown();
    *out = r.release();
    if (report.ok) return DRSYNC_OK;
    if (report.cancelled) return set_error(DRSYNC_ECANCELLED, 0, "", "plan run cancelled");
    const std::string msg =
        fmt::format("{} of {} namespace pair(s) failed", report.failed(), report.pairs.size());
    return set_error(DRSYNC_EFAILED, 0, "", msg.c_str());
  });
}

int drsync_plan_cancel(const drsync_plan* plan) {
  return guarded([&]() -> int {
    need(plan, "drsync_plan_cancel", "plan");
    return plan->run.cancel();
  });
}

void drsync_plan_free(drsync_plan* plan) {
  delete plan;
}

}  // extern "C"
