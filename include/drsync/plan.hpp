// Running a DR plan: its namespace pairs together, a bounded number at a time, with one report.
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <vector>

#include "drsync/error.hpp"
#include "drsync/export.hpp"
#include "drsync/migration.hpp"
#include "drsync/options.hpp"

namespace drsync {

struct PlanRunOptions {
  // Pairs worked on at once (0 is taken as 1). A pair waiting for the others at a phase
  // boundary (below) does not count against it.
  std::size_t parallelism = 8;
  // Stage and Cutover of two or more pairs: first, one cluster-wide LIST of one item per
  // selected type finds the types no namespace of the source has (SyncOptions::
  // absent_source_types); the pairs do not list those. An object of such a type created after
  // the census waits for the next Stage.
  bool type_census = true;
  // Stops the run: pairs not started yet are not started, running ones stop between steps
  // (each pair's journal keeps what it did; a re-run finishes only what is unfinished).
  CancelToken cancel;
  // Called from the pairs' threads, one call at a time (run_plan serializes them), after the
  // pair's own callbacks from its options.
  std::function<void(std::size_t pair, const MigrationProgress&)> progress;
  std::function<void(std::size_t pair, const StepEvent&)> step_hook;
};

// One namespace pair of a plan run.
struct PlanPairReport {
  std::string source_namespace;
  std::string dest_namespace;
  bool ok = false;
  bool ran = false;      // false: refused or could not start (`error` says why)
  std::string error;     // the first error: a refusal, or the report's first error
  Errc code = Errc::ok;  // when the mode threw: its code (fenced, pending: refused; ...)
  double seconds = 0;    // this pair's own time, waits at phase boundaries included
  MigrationReport report;
};

struct DRSYNC_API PlanReport {
  Mode mode = Mode::Stage;
  bool ok = false;  // every pair ok (and the run not cancelled)
  bool cancelled = false;
  std::size_t parallelism = 1;
  double seconds = 0;        // start -> the last pair done
  double ready_seconds = 0;  // start -> the last started side ready (0: no pair started one)
  std::vector<PlanPairReport> pairs;  // in the plan's order
  std::size_t failed() const noexcept;
  std::string to_json() const;      // {"mode", "ok", "seconds", "readySeconds", "pairs": [...]}
  std::string to_markdown() const;  // a summary table, then each pair's report
};

// Runs `mode` for every pair, options.parallelism pairs at a time, each through its own
// Migration (own journal, fencing and ledger): a failure in one pair leaves the others exact.
// Modes that start a side (Cutover, Failback, Activate) run in phases across pairs: every pair
// stops its old side first (each pair's steps before scale_up); then every pair starts its new
// side (scale_up); then every pair waits (wait_ready and after) — so the recovery time is the
// slowest pair's, not the sum. A pair that fails or is refused never holds the others.
DRSYNC_API PlanReport run_plan(const Cluster& source, const Cluster& dest,
                               const std::vector<PlanNamespace>& pairs, Mode mode,
                               const PlanRunOptions& options = {});

}  // namespace drsync
