// scale_down and scale_up: which workloads change and to what (also what a preview shows), then
// one merge patch per workload, sent concurrently.
#include <fmt/format.h>
#include <fmt/ranges.h>

#include "drsync/error.hpp"
#include "migration/migration_impl.hpp"
#include "migration/scale_plan.hpp"

namespace drsync {
namespace {

using detail::Workload;

// The value `w` runs at when active: the journal's, else the ledger's original.
ScaleValue original_of(const Migration::Impl& m, const Workload& w, const ScaleValues& values) {
  auto it = values.find(workload_key(w));
  return it != values.end() ? ScaleValue{it->second, "journal"} : m.ledger.original(w.obj);
}

// Sends the patches concurrently; the first failure's cause (403, 422, ...) is the error's code.
void patch_all(const Migration::Impl& m, Side side, const std::string& step,
               const std::vector<ScalePatch>& patches) {
  std::vector<std::pair<RestRequest, std::future<Response>>> inflight;
  for (const auto& p : patches) {
    auto req =
        m.cluster(side)
            .request(Verb::Patch)
            .resource(p.workload->type)
            .in_namespace(m.ns(side))
            .name(p.workload->obj.name())
            .patch(PatchType::Merge, p.body)
            .idempotent(true)
            .describe_as(fmt::format("{} {} {}", step, side_name(side), workload_key(*p.workload)));
    auto pending = req.start();
    inflight.emplace_back(std::move(req), std::move(pending));
  }
  std::optional<Errc> code;
  std::vector<std::string> failures;
  for (size_t i = 0; i < inflight.size(); ++i) {
    auto& [req, pending] = inflight[i];
    try {
      req.check(pending.get());
    } catch (const Error& e) {
      if (!code) code = e.code();
      failures.emplace_back(e.what());
    }
    m.progress(step, workload_key(*patches[i].workload), i + 1, inflight.size());
  }
  if (code) throw Error(*code, fmt::format("{}", fmt::join(failures, "; ")));
}

StepResult changes_of(const std::vector<ScalePatch>& patches, std::vector<std::string> warnings) {
  StepResult r;
  for (const auto& p : patches) r.changes.push_back(p.change);
  r.warnings = std::move(warnings);
  return r;
}

// What `w` starts at: the user's override, the journal's value, else the recorded original.
std::optional<std::string> target_of(const Migration::Impl& m, const Workload& w,
                                     const ScaleValues& values) {
  for (const auto& [name, count] : m.options.scale_overrides) {
    if (detail::name_matches(name, w)) return count;
  }
  if (auto it = values.find(workload_key(w)); it != values.end()) return it->second;
  if (auto r = m.ledger.recorded(w.obj)) return r->value;
  return std::nullopt;
}

// A workload without a count: a running one stays as the user runs it; a stopped one would stay
// stopped, which is a failure unless the user said to leave such workloads.
void note_unrecorded(const Migration::Impl& m, Side side, const Workload& w, ScalePlan& plan) {
  if (m.ledger.is_stopped(w.obj) && !m.options.leave_unrecorded_stopped) {
    plan.unrecorded.push_back(fmt::format("{} on the {} (looked for {})", workload_key(w),
                                          side_name(side), m.ledger.record_keys(w.obj)));
    return;
  }
  plan.left_alone.push_back(
      fmt::format("{} on the {} has no recorded original scale: left as it is", workload_key(w),
                  side_name(side)));
}

// Never a silent no-op: scale_up names every workload it would leave stopped.
[[noreturn]] void fail_unrecorded(const std::vector<std::string>& unrecorded) {
  throw Error(Errc::not_found,
              fmt::format("no original replica count is recorded for {}: it would stay stopped. "
                          "Give a count (scaleOverrides, --scale-override NAME=N) or leave such "
                          "workloads stopped (leaveUnrecordedStopped, --leave-unrecorded-stopped)",
                          fmt::join(unrecorded, "; ")));
}

}  // namespace

ScalePlan plan_scale_down(const Migration::Impl& m, Side side, const std::vector<Workload>& list,
                          const ScaleValues& values) {
  ScalePlan plan;
  for (const auto& w : list) {
    ScaleValue original = original_of(m, w, values);
    auto recorded = m.ledger.recorded(w.obj);
    if (m.ledger.is_stopped(w.obj) && recorded && recorded->value == original.value) continue;
    // One request: the original goes onto the object in the same write that stops it.
    plan.patches.push_back({&w,
                            m.ledger.scale_patch(*w.spec, w.spec->stopped_value, original, false),
                            WorkloadChange{side, w.type.group_resource(), std::string(w.obj.name()),
                                           m.ledger.live_value(w.obj), w.spec->stopped_value}});
  }
  return plan;
}

ScalePlan plan_scale_up(const Migration::Impl& m, Side side, const std::vector<Workload>& list,
                        const ScaleValues& values) {
  ScalePlan plan;
  for (const auto& w : list) {
    auto target = target_of(m, w, values);
    if (!target) {
      note_unrecorded(m, side, w, plan);
      continue;
    }
    // The source, once active again, carries no record: its live value is the original.
    bool clear = side == Side::Source && m.ledger.recorded(w.obj).has_value();
    std::string live = m.ledger.live_value(w.obj);
    if (live == *target && !clear) continue;
    plan.patches.push_back(
        {&w, m.ledger.scale_patch(*w.spec, *target, std::nullopt, clear),
         WorkloadChange{side, w.type.group_resource(), std::string(w.obj.name()), live, *target}});
  }
  return plan;
}

StepResult Migration::scale_down(Side side) {
  auto& m = *impl_;
  auto list = m.workloads(side);
  auto plan = plan_scale_down(m, side, list, m.journal.values);
  patch_all(m, side, step_name(Step::ScaleDown), plan.patches);
  return m.absorbed(changes_of(plan.patches, {}));
}

StepResult Migration::scale_up(Side side) {
  auto& m = *impl_;
  auto list = m.workloads(side);
  auto plan = plan_scale_up(m, side, list, m.journal.values);
  // The workloads that can start do, before the step fails for those that cannot.
  patch_all(m, side, step_name(Step::ScaleUp), plan.patches);
  auto result = m.absorbed(changes_of(plan.patches, std::move(plan.left_alone)));
  if (!plan.unrecorded.empty()) fail_unrecorded(plan.unrecorded);
  return result;
}

}  // namespace drsync
