// A read-only view of the workloads a mode would move (for --dry-run): the same kinds, ownership
// rule and subset as drsync::Migration, listed with public API calls only.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <drsync/cluster.hpp>
#include <drsync/migration.hpp>

namespace drsync_cli {

struct WorkloadView {
  std::string key;                      // "deployments.apps/web"
  std::string live;                     // live scale ("3", "true" for a suspended CronJob)
  std::string original;                 // what it runs at when active (recorded original or live)
  std::optional<std::string> recorded;  // the ledger annotation, if any
  std::string stopped_value;            // "0", "true"
  bool stopped = false;
};

std::vector<WorkloadView> view_workloads(const drsync::Cluster& cluster, const std::string& ns,
                                         const drsync::MigrationOptions& options);

}  // namespace drsync_cli
