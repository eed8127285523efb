// --dry-run: what a mode would do, from the library's step plan (Migration::plan with a preview,
// reads only): the same refusal checks and steps the mode runs, the sync plan with a diff per
// object (Secret values masked by the library), and the scale each workload would go from and to.
#include <chrono>

#include <fmt/format.h>

#include <drsync/error.hpp>
#include <drsync/sync.hpp>

#include "commands.hpp"
#include "exit_codes.hpp"

namespace drsync_cli {
namespace {

using Clock = std::chrono::steady_clock;
using drsync::Mode;

std::string sync_summary(const drsync::SyncResult& p) {
  using drsync::Action;
  return fmt::format("{} to create, {} to update, {} unchanged, {} to prune, {} skipped",
                     p.count(Action::Create), p.count(Action::Update), p.count(Action::Unchanged),
                     p.count(Action::Prune), p.count(Action::Skip));
}

// "scale down the source:\n       deployments.apps/web: 2 -> 0"
std::string step_text(const drsync::PlannedStep& s) {
  std::string text = s.description();
  if (s.sync) return fmt::format("{}: {}", text, sync_summary(*s.sync));
  if (s.step != drsync::Step::ScaleDown && s.step != drsync::Step::ScaleUp) {
    for (const auto& n : s.notes) text += fmt::format(" ({})", n);
    return text;
  }
  std::string lines;
  for (const auto& c : s.changes)
    lines += fmt::format("\n       {}/{}: {} -> {}", c.resource, c.name, c.from, c.to);
  for (const auto& n : s.notes) lines += fmt::format("\n       {}", n);
  return text + ":" + (lines.empty() ? " nothing to change" : lines);
}

void describe_plan(const drsync::StepPlan& plan, Outcome& out) {
  if (!plan.nothing_to_do.empty()) {
    out.would.push_back(fmt::format("nothing to do: {}", plan.nothing_to_do));
    return;
  }
  if (plan.resume) out.would.push_back("complete the half-done run recorded in the journal");
  for (const auto& w : plan.warnings) out.would.push_back(fmt::format("warning: {}", w));
  for (const auto& s : plan.steps) {
    if (s.sync && !out.plan) out.plan = s.sync;
    out.would.push_back(step_text(s));
  }
  if (!plan.rollback.empty()) {
    std::string names;
    for (const auto& s : plan.rollback)
      names += fmt::format("{}{}", names.empty() ? "" : ", ", s.name());
    out.would.push_back(
        fmt::format("if the destination is not ready in time, roll back: {}", names));
  }
}

// A Cutover does not slide into the disaster procedure on a connection problem (run_modes.cpp).
bool refuse_unreachable_source(RunContext& ctx, const Target& t, const drsync::StepPlan& plan,
                               Outcome& out) {
  if (plan.mode != Mode::Cutover || plan.source_reachable || t.options.source_unavailable)
    return false;
  out.result = Result::Failed;
  out.error = fmt::format(
      "the source cluster {} cannot be reached: Cutover would stop here\n  next: fix the "
      "connection, or if the source is down (a disaster), use --source-unavailable",
      ctx.clusters.source.server());
  return true;
}

Outcome dry_run_one(RunContext& ctx, Mode mode, const Target& t) {
  Outcome out{t.source_namespace, t.dest_namespace};
  auto started = Clock::now();
  try {
    drsync::MigrationOptions o = t.options;
    o.source_probe_attempts = 1;
    o.cancel = ctx.cancel;
    drsync::Migration m = migration_for(ctx, t, o);
    out.status = m.status();  // reads only; does not probe the source with source_unavailable
    auto plan = m.plan(mode, true);
    if (!refuse_unreachable_source(ctx, t, plan, out)) describe_plan(plan, out);
    if (out.plan && !out.plan->ok()) {
      out.result = Result::Failed;
      out.error = "the sync would fail: " + out.plan->errors.front();
    }
  } catch (const drsync::Error& e) {
    out.result = exit_code_for(e.code()) == kExitRefused ? Result::Refused : Result::Failed;
    out.error = describe(e);
  }
  out.seconds = std::chrono::duration<double>(Clock::now() - started).count();
  return out;
}

}  // namespace

std::vector<Outcome> run_dry_run(RunContext& ctx) {
  std::vector<Outcome> outcomes;
  for (const auto& t : ctx.targets.pairs) {
    if (ctx.cancel.cancelled()) break;
    outcomes.push_back(dry_run_one(ctx, *ctx.cli.mode, t));
  }
  return outcomes;
}

}  // namespace drsync_cli
