// What a run acts on: the two clusters and the namespace pairs with their MigrationOptions, from
// the flags alone or from a DR plan (--plan) with the flags that were given overriding it.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <drsync/cluster.hpp>
#include <drsync/options.hpp>

#include "cli_options.hpp"

namespace drsync_cli {

struct Target {
  std::string source_namespace;
  std::string dest_namespace;
  drsync::MigrationOptions options;
};

struct Targets {
  std::string plan_name;  // "" without --plan
  drsync::ClusterRef source;
  drsync::ClusterRef dest;
  std::vector<Target> pairs;
  bool single_cluster = false;  // activate / deactivate: source and dest are the one cluster
  bool all_namespaces = false;  // activate --all-namespaces: pairs found by expand_all_namespaces
};

// Checks the flags against each other and resolves the pairs; loads the plan and the resource
// modifiers. Throws UsageError (exit 2) for anything the user must fix in the command line or in
// the files it names.
Targets resolve_targets(const CliOptions& cli);

// Copies the flags that were given onto `options` (the plan's values stay for the others).
void apply_flags(const CliOptions& cli, drsync::MigrationOptions& options);

struct Clusters {
  drsync::Cluster source;
  drsync::Cluster dest;
};

// Loads both kubeconfigs (no request is sent), with the request deadlines of the flags. Throws
// drsync::Error(config) for a bad kubeconfig and UsageError when a pair would copy a namespace
// onto itself.
Clusters connect(const Targets& targets, const TimeoutFlags& timeouts);

// activate --all-namespaces: one pair per namespace of the cluster that has stopped workloads (of
// the selector). Throws Error(not_found) when there is none: an activation that starts nothing
// is not a success.
void expand_all_namespaces(Targets& targets, const Clusters& clusters);

}  // namespace drsync_cli
