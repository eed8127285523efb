// --dry-run: what a mode would do, computed from reads only. Stage shows the sync plan with a diff
// per object (Secret values masked by the library); Cutover and Failback list their steps with
// the scale each workload would go from and to.
#include <chrono>
#include <map>

#include <drsync/error.hpp>
#include <drsync/sync.hpp>

#include "commands.hpp"
#include "exit_codes.hpp"
#include "workload_view.hpp"

namespace drsync_cli {
namespace {

using Clock = std::chrono::steady_clock;
using drsync::Mode;

std::string secs(std::chrono::seconds s) {
  return std::to_string(s.count()) + " s";
}

// Refusals the real run would hit (Migration::begin and stage()).
std::string refusal(Mode mode, const drsync::MigrationStatus& st, const Target& t) {
  if (t.options.force) return {};
  if (!st.pending_mode.empty() && st.pending_mode != drsync::mode_name(mode)) {
    return "a " + st.pending_mode + " is not finished: " + drsync::mode_name(mode) +
           " would be refused. Re-run --mode=" + st.pending_mode + " to complete it, or --force";
  }
  if (mode == Mode::Stage && st.dest_role == "active") {
    return "the destination namespace " + t.dest_namespace +
           " is the active side: Stage would be refused. Run Failback first, or --force";
  }
  return {};
}

std::string sync_summary(const drsync::SyncResult& p) {
  using drsync::Action;
  return std::to_string(p.count(Action::Create)) + " to create, " +
         std::to_string(p.count(Action::Update)) + " to update, " +
         std::to_string(p.count(Action::Unchanged)) + " unchanged, " +
         std::to_string(p.count(Action::Prune)) + " to prune, " +
         std::to_string(p.count(Action::Skip)) + " skipped";
}

drsync::SyncResult plan_sync(RunContext& ctx, const Target& t) {
  drsync::SyncOptions so = t.options.sync;
  so.stop_workloads = true;  // as Migration runs it
  so.cancel = ctx.cancel;
  drsync::NamespaceSync sync(ctx.clusters.source, t.source_namespace, ctx.clusters.dest,
                             t.dest_namespace, so);
  return sync.plan();
}

std::string scale_list(const std::vector<WorkloadView>& list, bool down,
                       const std::map<std::string, std::string>& targets) {
  std::string out;
  for (const auto& w : list) {
    std::string to;
    if (down) {
      if (w.stopped && w.recorded) continue;
      to = w.stopped_value;
    } else {
      auto it = targets.find(w.key);
      if (it == targets.end()) {
        out += "\n       " + w.key + ": no recorded original scale, left at " + w.live;
        continue;
      }
      to = it->second;
    }
    out += "\n       " + w.key + ": " + w.live + " -> " + to + (w.live == to ? " (already)" : "");
  }
  return out.empty() ? " nothing to change" : out;
}

void cutover_steps(RunContext& ctx, const Target& t, const drsync::MigrationStatus& st,
                   Outcome& out) {
  const auto& o = t.options;
  auto dest = view_workloads(ctx.clusters.dest, t.dest_namespace, o);
  std::map<std::string, std::string> targets;
  for (const auto& w : dest) {
    if (w.recorded) targets[w.key] = *w.recorded;
  }
  if (!o.source_unavailable && !st.source_reachable) {
    out.result = Result::Failed;
    out.error = "the source cluster " + ctx.clusters.source.server() +
                " cannot be reached: Cutover would stop here\n  next: fix the connection, or if "
                "the source is down (a disaster), use --source-unavailable";
    return;
  }
  if (st.dest_role == "active") {
    out.would.push_back(
        "the destination is already active: Cutover would only complete or "
        "re-check it");
  }
  if (!o.source_unavailable && st.source_reachable) {
    out.plan = plan_sync(ctx, t);
    out.would.push_back("sync source -> destination: " + sync_summary(*out.plan));
    auto source = view_workloads(ctx.clusters.source, t.source_namespace, o);
    for (const auto& w : source) targets[w.key] = w.original;  // what record() takes
    out.would.push_back("record the source's scale in the journal and on its workloads");
    out.would.push_back("fence the source (mark it passive)");
    out.would.push_back("scale down the source:" + scale_list(source, true, {}));
    out.would.push_back("wait up to " + secs(o.gone_timeout) + " for the source's pods to go");
  } else {
    out.would.push_back(
        "the source is unavailable: it would NOT be synced, fenced or scaled "
        "down; the destination starts from the counts recorded at Stage");
  }
  out.would.push_back("unfence the destination (mark it active)");
  out.would.push_back("scale up the destination:" + scale_list(dest, false, targets));
  out.would.push_back("wait up to " + secs(o.wait_timeout) + " for the destination to be ready" +
                      (o.rollback_on_failure ? " (else roll back to the source)" : "") +
                      ", then verify");
}

void failback_steps(RunContext& ctx, const Target& t, const drsync::MigrationStatus& st,
                    Outcome& out) {
  const auto& o = t.options;
  if (!st.source_reachable) {
    out.result = Result::Failed;
    out.error =
        "the source cluster " + ctx.clusters.source.server() +
        " is unreachable: Failback would fail\n  next: " + advice_for(drsync::Errc::unavailable);
    return;
  }
  if (st.dest_role != "active") {
    out.would.push_back("the destination is not active (" +
                        (st.dest_role.empty() ? std::string("no role") : st.dest_role) +
                        "): Failback would only make sure the source runs");
  }
  auto dest = view_workloads(ctx.clusters.dest, t.dest_namespace, o);
  auto source = view_workloads(ctx.clusters.source, t.source_namespace, o);
  std::map<std::string, std::string> targets;
  for (const auto& w : source) {
    if (w.recorded) targets[w.key] = *w.recorded;
  }
  if (o.reverse_sync) out.would.push_back("sync destination -> source");
  out.would.push_back("record the destination's scale in the journal");
  out.would.push_back("fence the destination (mark it passive)");
  out.would.push_back("scale down the destination:" + scale_list(dest, true, {}));
  out.would.push_back("wait up to " + secs(o.gone_timeout) + " for the destination's pods to go");
  out.would.push_back("unfence the source (mark it active)");
  out.would.push_back("scale up the source:" + scale_list(source, false, targets));
  out.would.push_back("wait up to " + secs(o.wait_timeout) +
                      " for the source to be ready, then "
                      "verify");
}

Outcome dry_run_one(RunContext& ctx, Mode mode, const Target& t) {
  Outcome out{t.source_namespace, t.dest_namespace};
  auto started = Clock::now();
  try {
    drsync::MigrationOptions o = t.options;
    o.source_probe_attempts = 1;
    drsync::Migration m(ctx.clusters.source, t.source_namespace, ctx.clusters.dest,
                        t.dest_namespace, o);
    out.status = m.status();  // reads only; does not probe the source with source_unavailable
    if (std::string why = refusal(mode, *out.status, t); !why.empty()) {
      out.result = Result::Refused;
      out.error = why;
    }
    if (out.result == Result::Succeeded) {
      switch (mode) {
        case Mode::Stage:
          out.plan = plan_sync(ctx, t);
          out.would.push_back("sync source -> destination (workloads stopped): " +
                              sync_summary(*out.plan));
          break;
        case Mode::Cutover:
          cutover_steps(ctx, t, *out.status, out);
          break;
        case Mode::Failback:
          failback_steps(ctx, t, *out.status, out);
          break;
      }
      if (out.plan && !out.plan->ok()) {
        out.result = Result::Failed;
        out.error = "the sync would fail: " + out.plan->errors.front();
      }
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
