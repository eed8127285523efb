// Stage / Cutover / Failback through drsync::Migration, for every namespace pair: one pair on
// its own, several through drsync::run_plan.
#include <chrono>
#include <optional>

#include <fmt/format.h>
#include <drsync/error.hpp>
#include <drsync/plan.hpp>

#include "commands.hpp"
#include "exit_codes.hpp"

namespace drsync_cli {
namespace {

using Clock = std::chrono::steady_clock;

// A report for a pair whose mode threw (refused, or could not start), so --report and
// --output=json always have one per pair.
drsync::MigrationReport failed_report(drsync::Mode mode, const std::string& error) {
  drsync::MigrationReport r;
  r.mode = mode;
  r.ok = false;
  r.errors.push_back(error);
  return r;
}

Outcome run_one(RunContext& ctx, drsync::Mode mode, Target& t) {
  Outcome out{t.source_namespace, t.dest_namespace};
  auto started = Clock::now();
  drsync::MigrationOptions options = t.options;
  options.cancel = ctx.cancel;
  ctx.progress.attach(options);
  ctx.progress.begin(pair_title(drsync::mode_name(mode), t));
  std::optional<drsync::Migration> m;
  try {
    m.emplace(migration_for(ctx, t, std::move(options)));
    out.report = m->run(mode);
    out.result = out.report->ok ? Result::Succeeded : Result::Failed;
    if (!out.report->ok && !out.report->errors.empty()) {
      out.error = out.report->errors.front() +
                  "\n  next: " + advice_for_message(out.report->errors.front());
    }
  } catch (const drsync::Error& e) {
    bool refused = exit_code_for(e.code()) == kExitRefused;
    out.result = refused ? Result::Refused : Result::Failed;
    // A step may have failed first, and a later write (the journal) with it: the report keeps
    // the first failure, which is the one to act on.
    drsync::MigrationReport partial = m ? m->report() : drsync::MigrationReport{};
    if (refused || partial.errors.empty()) {
      out.error = describe(e);
      out.report = failed_report(mode, e.what());
    } else {
      out.error = partial.errors.front() + "\n  then: " + e.what() +
                  "\n  next: " + advice_for_message(partial.errors.front());
      partial.errors.push_back(e.what());
      partial.ok = false;
      out.report = std::move(partial);
    }
  }
  ctx.progress.end();
  out.seconds = std::chrono::duration<double>(Clock::now() - started).count();
  return out;
}

// A pair of a plan run as the Outcome run_one would have made of it.
Outcome outcome_of(drsync::Mode mode, drsync::PlanPairReport& p) {
  Outcome out{p.source_namespace, p.dest_namespace};
  out.seconds = p.seconds;
  if (p.ok) {
    out.report = std::move(p.report);
    return out;
  }
  if (p.code == drsync::Errc::ok) {  // it ran and its report says what failed
    out.result = Result::Failed;
    out.error = p.error + "\n  next: " + advice_for_message(p.error);
    out.report = std::move(p.report);
    return out;
  }
  const drsync::Error e(p.code, p.error);
  const bool refused = exit_code_for(e.code()) == kExitRefused;
  out.result = refused ? Result::Refused : Result::Failed;
  out.error = describe(e);
  out.report = p.ran ? std::move(p.report) : failed_report(mode, p.error);
  if (p.ran) {
    out.report->ok = false;
    out.report->errors.push_back(p.error);
  }
  return out;
}

// Several pairs of two clusters: drsync::run_plan, --parallel at a time (a Cutover in phases).
std::vector<Outcome> run_together(RunContext& ctx, drsync::Mode mode) {
  std::vector<drsync::PlanNamespace> pairs;
  std::vector<std::string> titles;
  for (auto& t : ctx.targets.pairs) {
    pairs.push_back(drsync::PlanNamespace{t.source_namespace, t.dest_namespace, t.options});
    titles.push_back(pair_title(drsync::mode_name(mode), t));
  }
  drsync::PlanRunOptions options;
  options.parallelism = ctx.cli.parallel;
  options.cancel = ctx.cancel;
  options.step_hook = [&](std::size_t i, const drsync::StepEvent& e) {
    ctx.progress.on_pair_step(i, titles[i], e);
  };
  ctx.progress.begin(fmt::format("{} of {} namespace pairs, {} at a time", drsync::mode_name(mode),
                                 pairs.size(), ctx.cli.parallel));
  drsync::PlanReport report =
      drsync::run_plan(ctx.clusters.source, ctx.clusters.dest, pairs, mode, options);
  ctx.progress.end();
  std::vector<Outcome> outcomes;
  for (auto& p : report.pairs) outcomes.push_back(outcome_of(mode, p));
  return outcomes;
}

}  // namespace

drsync::Migration migration_for(const RunContext& ctx, const Target& t,
                                drsync::MigrationOptions options) {
  if (ctx.targets.single_cluster)
    return drsync::Migration::single(ctx.clusters.dest, t.dest_namespace, std::move(options));
  return drsync::Migration(ctx.clusters.source, t.source_namespace, ctx.clusters.dest,
                           t.dest_namespace, std::move(options));
}

std::string pair_title(const std::string& what, const Target& t) {
  if (t.source_namespace == t.dest_namespace) return what + " " + t.source_namespace;
  return what + " " + t.source_namespace + " -> " + t.dest_namespace;
}

std::vector<Outcome> run_modes(RunContext& ctx) {
  drsync::Mode mode = *ctx.cli.mode;
  std::vector<Outcome> outcomes;
  // A Cutover without the source is a disaster procedure: never slide into it because of a typo
  // in a server address or an expired CA. It takes --source-unavailable.
  bool needs_source = false;
  for (const auto& t : ctx.targets.pairs)
    needs_source = needs_source || !t.options.source_unavailable;
  std::string why;
  if (mode == drsync::Mode::Cutover && needs_source && !ctx.clusters.source.reachable(1, &why)) {
    for (const auto& t : ctx.targets.pairs) {
      Outcome out{t.source_namespace, t.dest_namespace, Result::Failed};
      out.error = "the source cluster " + ctx.clusters.source.server() + " cannot be reached (" +
                  why +
                  ")\n  next: fix the connection and re-run; if the source is down (a disaster), "
                  "re-run with --source-unavailable: the destination then starts from the counts "
                  "recorded at Stage, and the source is NOT fenced (Failback or a new Cutover "
                  "fences it when it returns)";
      out.report = failed_report(mode, "source cluster unreachable: " + why);
      outcomes.push_back(std::move(out));
    }
    return outcomes;
  }
  if (ctx.targets.pairs.size() > 1 && !ctx.targets.single_cluster) return run_together(ctx, mode);
  for (auto& t : ctx.targets.pairs) {
    if (ctx.cancel.cancelled()) break;
    outcomes.push_back(run_one(ctx, mode, t));
  }
  return outcomes;
}

}  // namespace drsync_cli
