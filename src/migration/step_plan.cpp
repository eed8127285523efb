// Migration::plan: the refusal checks of a mode (the same the mode runs) and the ordered steps it
// would run; with a preview, what each step would change. Reads only.
#include <fmt/format.h>

#include <map>

#include "drsync/error.hpp"
#include "migration/migration_impl.hpp"
#include "migration/scale_plan.hpp"
#include "migration/service_checks.hpp"

namespace drsync {
namespace {

using S = Side;

PlannedStep at(Step step, Side side, bool rollback = false) {
  PlannedStep p;
  p.step = step;
  p.side = side;
  p.rollback = rollback;
  return p;
}

bool checks_services(const MigrationOptions& o) {
  return o.service_checks.endpoints || !o.service_checks.checks.empty();
}

// Making `side` the active one: unfence, start, wait until ready, check its Services (when any
// check is asked for), verify the counts.
void add_start_steps(std::vector<PlannedStep>& steps, const MigrationOptions& o, Side side) {
  for (Step s : {Step::Unfence, Step::ScaleUp, Step::WaitReady}) steps.push_back(at(s, side));
  if (checks_services(o)) steps.push_back(at(Step::CheckServices, side));
  steps.push_back(at(Step::Verify, side));
}

std::vector<PlannedStep> cutover_steps(const MigrationOptions& o, bool source_reachable) {
  std::vector<PlannedStep> steps;
  if (source_reachable) {
    steps = {at(Step::Sync, S::Destination), at(Step::Record, S::Source),
             at(Step::Fence, S::Source), at(Step::ScaleDown, S::Source),
             at(Step::WaitGone, S::Source)};
  } else {
    steps = {at(Step::Record, S::Destination)};
  }
  // With the source down there is nothing to copy from: the data is as of the last copy.
  if (o.migrate_data && source_reachable) steps.push_back(at(Step::MigrateData, S::Destination));
  add_start_steps(steps, o, S::Destination);
  return steps;
}

std::vector<PlannedStep> cutover_rollback() {
  return {at(Step::ScaleDown, S::Destination, true), at(Step::WaitGone, S::Destination, true),
          at(Step::Fence, S::Destination, true), at(Step::Unfence, S::Source, true),
          at(Step::ScaleUp, S::Source, true)};
}

std::vector<PlannedStep> failback_steps(const MigrationOptions& o) {
  std::vector<PlannedStep> steps;
  if (o.reverse_sync) steps.push_back(at(Step::Sync, S::Source));
  for (Step s : {Step::Record, Step::Fence, Step::ScaleDown, Step::WaitGone})
    steps.push_back(at(s, S::Destination));
  // The destination's volumes are quiesced now: their last writes go back before the source
  // starts.
  if (o.reverse_migrate_data) steps.push_back(at(Step::MigrateData, S::Source));
  add_start_steps(steps, o, S::Source);
  return steps;
}

std::vector<PlannedStep> on_destination(std::initializer_list<Step> steps) {
  std::vector<PlannedStep> out;
  for (Step s : steps) out.push_back(at(s, S::Destination));
  return out;
}

}  // namespace

Admission Migration::Impl::admit(Mode m) const {
  // A malformed check fails before anything is written, not after the source was stopped.
  for (const auto& check : options.service_checks.checks) detail::check_kind(check);
  Admission a;
  if (m == Mode::Stage) {
    a.dest = dest_state.load();
    if (a.dest && a.dest->role == "active" && !options.force) {
      throw Error(Errc::fenced,
                  fmt::format("the destination namespace {} is the active side: a Stage would "
                              "overwrite a live DR site. Run Failback first, or force (live "
                              "replica counts are left untouched)",
                              dest_ns));
    }
  }
  auto last = load_journal();
  if (last && last->status == "running") {
    if (last->mode != mode_name(m) && !options.force) {
      throw Error(Errc::pending,
                  fmt::format("a {} started {} is not finished (steps done: {}): re-run {} to "
                              "complete it, or force",
                              last->mode, last->started,
                              last->steps_done.empty()
                                  ? "none"
                                  : fmt::format("{}", fmt::join(last->steps_done, ", ")),
                              last->mode));
    }
    a.resume = last->mode == mode_name(m) && last->subset == subset_text();
    if (a.resume) a.journal = last;
  }
  if (m == Mode::Stage) return a;
  if (m == Mode::Activate || m == Mode::Deactivate) {
    a.source_reachable = false;  // one cluster: there is no source
    return a;
  }
  a.source_reachable = probe_source();
  if (m == Mode::Failback && !a.source_reachable) {
    throw Error(
        Errc::unavailable,
        fmt::format("the source cluster {} is unreachable: cannot fail back", source.server()));
  }
  if (a.resume || options.force) return a;
  auto dest_role = dest_state.load();
  bool dest_active = dest_role && dest_role->role == "active";
  if (m == Mode::Cutover && dest_active && last && last->mode == mode_name(m) &&
      last->status == "done" && last->subset == subset_text()) {
    a.journal = last;
    a.nothing_to_do = "already cut over: the destination is active";
  }
  if (m == Mode::Failback && !dest_active) {
    auto src = source_state.load();
    // Never cut over (or already back): scaling the source to recorded values could undo the
    // user's own changes there.
    if (!(src && src->role == "passive")) a.nothing_to_do = "the source is already the active side";
  }
  return a;
}

StepPlan Migration::Impl::steps_for(Mode m, const Admission& a) const {
  StepPlan plan;
  plan.mode = m;
  plan.resume = a.resume;
  plan.source_reachable = a.source_reachable;
  plan.nothing_to_do = a.nothing_to_do;
  if (!plan.nothing_to_do.empty()) return plan;
  switch (m) {
    case Mode::Stage:
      plan.steps = {at(Step::Sync, S::Destination), at(Step::Record, S::Source)};
      // A crash-consistent copy while the source runs; the Cutover copies the last delta.
      if (options.migrate_data) plan.steps.push_back(at(Step::MigrateData, S::Destination));
      break;
    case Mode::Cutover:
      plan.steps = cutover_steps(options, a.source_reachable);
      if (options.rollback_on_failure && a.source_reachable) plan.rollback = cutover_rollback();
      if (!a.source_reachable) {
        plan.warnings.push_back(fmt::format(
            "the source cluster {} is unreachable: it was NOT fenced or scaled down; fence it "
            "when it returns (re-run Cutover, or Failback)",
            source.server()));
        for (Step s : {Step::Sync, Step::Fence, Step::ScaleDown, Step::WaitGone})
          plan.skipped.push_back(StepRecord{step_name(s), "", "", "skipped", "source unreachable"});
        if (options.migrate_data) {
          plan.skipped.push_back(
              StepRecord{step_name(Step::MigrateData), "", "", "skipped", "source unreachable"});
          plan.warnings.push_back(
              "volume data was not copied (the source is unreachable): the destination's volumes "
              "hold the data of the last copy (the last Stage with data)");
        }
      }
      break;
    case Mode::Failback:
      plan.steps = failback_steps(options);
      break;
    case Mode::Activate:
      plan.steps = on_destination({Step::Record});
      add_start_steps(plan.steps, options, S::Destination);
      break;
    case Mode::Deactivate:
      plan.steps = on_destination({Step::Record, Step::Fence, Step::ScaleDown, Step::WaitGone});
      break;
  }
  return plan;
}

}  // namespace drsync
