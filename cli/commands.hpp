// The commands: run a mode, show what a mode would do (--dry-run), show the status. Each acts on
// every namespace pair in turn and returns one Outcome per pair; none throws for a failure of a
// pair (a failed pair does not stop the next).
#pragma once

#include <functional>
#include <vector>

#include <drsync/cluster.hpp>

#include "cli_options.hpp"
#include "outcome.hpp"
#include "progress.hpp"
#include "targets.hpp"

namespace drsync_cli {

struct RunContext {
  const CliOptions& cli;
  Targets& targets;
  Clusters& clusters;
  Progress& progress;
  drsync::CancelToken cancel;  // set by SIGINT / SIGTERM
};

std::vector<Outcome> run_modes(RunContext& ctx);
// Stage --continuous / --schedule: until SIGINT/SIGTERM, one line per event on stdout; the exit
// code (0 after a clean stop).
int run_continuous(RunContext& ctx);
int run_scheduled_stage(RunContext& ctx);
std::vector<Outcome> run_dry_run(RunContext& ctx);
std::vector<Outcome> run_status(RunContext& ctx);
// `drsync preflight`: Migration::preflight of every pair; failed when a pair has an error.
std::vector<Outcome> run_preflight(RunContext& ctx);
// "error: persistentvolumeclaims/data: ... (fix: ...)" lines of a preflight, errors first; sets
// the outcome failed (unless `forced`) when there is an error.
void add_preflight(const drsync::PreflightReport& report, bool forced, Outcome& out);

// Runs `fn` for every pair until cancelled, one timed Outcome each; a drsync::Error thrown by
// `fn` makes that pair's Outcome failed (the read-only commands: status, preflight).
std::vector<Outcome> each_pair(RunContext& ctx,
                               const std::function<void(const Target&, Outcome&)>& fn);

// The Migration of one pair: of two clusters, or of the one cluster of activate / deactivate.
drsync::Migration migration_for(const RunContext& ctx, const Target& t,
                                drsync::MigrationOptions options);

// "Stage shop -> shop-dr" (the namespace once when both are the same).
std::string pair_title(const std::string& what, const Target& t);

// Whether a cluster answers at all (a 403 is an answer). Network, TLS and 5xx errors are "no";
// `why` gets the error.
bool reachable(const drsync::Cluster& cluster, std::string& why);

}  // namespace drsync_cli
