#include "targets.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <memory>

#include <drsync/error.hpp>
#include <drsync/transform.hpp>

#include "flags.hpp"

namespace drsync_cli {
namespace {

void check_flags(const CliOptions& cli) {
  if (!cli.unsupported.empty()) {
    throw UsageError(
        fmt::format("{}: not supported: drsync copies volume data into the destination's own PVCs "
                    "(--migrate-pvc-data) and has no standby PVCs; run without {}",
                    fmt::join(cli.unsupported, ", "),
                    cli.unsupported.size() == 1 ? "this flag" : "these flags"));
  }
  if (cli.command == Command::Run && !cli.mode) {
    throw UsageError("--mode is required: Stage, Cutover or Failback");
  }
  bool cutover = cli.mode == drsync::Mode::Cutover;
  if (cli.command == Command::Run && !cutover) {
    if (cli.source_unavailable.value_or(false)) {
      throw UsageError(
          "--source-unavailable only applies to --mode=Cutover (Stage and Failback "
          "need the source)");
    }
    if (cli.rollback_on_failure.value_or(false)) {
      throw UsageError("--rollback-on-failure only applies to --mode=Cutover");
    }
  }
  if (cli.plan_file.empty()) {
    if (cli.source_namespace.empty()) throw UsageError("--source-namespace is required");
    const bool kubectl_source = cli.kubectl_side == drsync::Side::Source;
    const bool kubectl_dest = cli.kubectl_side == drsync::Side::Destination;
    if (cli.source_kubeconfig.empty() && cli.source_context.empty() && !kubectl_source) {
      throw UsageError(
          "--source-kubeconfig is required (or --source-context, to use a context "
          "of $KUBECONFIG or ~/.kube/config)");
    }
    if (cli.dest_kubeconfig.empty() && cli.dest_context.empty() && !kubectl_dest) {
      throw UsageError(
          "--dest-kubeconfig is required (or --dest-context, to use a context of "
          "$KUBECONFIG or ~/.kube/config)");
    }
  }
}

void merge_pairs(std::vector<std::pair<std::string, std::string>>& into,
                 const std::vector<std::pair<std::string, std::string>>& flags) {
  for (const auto& [from, to] : flags) {
    auto it =
        std::find_if(into.begin(), into.end(), [&](const auto& p) { return p.first == from; });
    if (it != into.end())
      it->second = to;
    else
      into.emplace_back(from, to);
  }
}

std::shared_ptr<const drsync::ResourceModifiers> load_modifiers(const std::string& path) {
  try {
    return std::make_shared<drsync::ResourceModifiers>(drsync::ResourceModifiers::load_file(path));
  } catch (const drsync::Error& e) {
    throw UsageError(fmt::format("--resource-modifiers: {}", e.what()));
  }
}

// activate / deactivate: one cluster, each namespace its own "pair" (source == destination).
Targets resolve_single_cluster(const CliOptions& cli) {
  const char* verb = drsync::mode_id(*cli.mode);
  if (cli.namespaces.empty() == !cli.all_namespaces) {
    throw UsageError(fmt::format("{}: give -n NS (repeatable) or --all-namespaces{}", verb,
                                 cli.all_namespaces ? ", not both" : ""));
  }
  if (cli.all_namespaces && cli.mode == drsync::Mode::Deactivate) {
    throw UsageError(
        "deactivate: --all-namespaces would stop every workload of the cluster, system "
        "namespaces too: name the namespaces with -n NS");
  }
  Targets t;
  t.source = drsync::ClusterRef{cli.kubeconfig, cli.context};
  t.dest = t.source;
  t.single_cluster = true;
  t.all_namespaces = cli.all_namespaces;
  drsync::MigrationOptions o;
  apply_flags(cli, o);
  for (const auto& ns : cli.namespaces) t.pairs.push_back(Target{ns, ns, o});
  if (cli.all_namespaces) t.pairs.push_back(Target{"", "", std::move(o)});  // see expand_all
  return t;
}

}  // namespace

void apply_flags(const CliOptions& cli, drsync::MigrationOptions& o) {
  drsync::SyncOptions& s = o.sync;
  if (cli.include_custom_resources) s.include_custom_resources = *cli.include_custom_resources;
  if (cli.resource_types) s.include_types = *cli.resource_types;
  if (cli.exclude_resource_types) s.exclude_types = *cli.exclude_resource_types;
  if (cli.prune) s.prune = *cli.prune;
  if (cli.exclude_cluster_resources) s.cluster_resources = !*cli.exclude_cluster_resources;
  if (cli.unmanaged) s.unmanaged = *cli.unmanaged;
  merge_pairs(s.image_map, cli.image_map);
  for (const auto& [from, to] : cli.storage_class_map) s.storage_class_map[from] = to;
  if (!cli.workloads.empty()) o.subset.names = cli.workloads;
  if (!cli.selector.empty()) o.subset.label_selector = cli.selector;
  if (cli.wait_timeout) o.wait_timeout = *cli.wait_timeout;
  if (cli.source_unavailable) o.source_unavailable = *cli.source_unavailable;
  if (cli.rollback_on_failure) o.rollback_on_failure = *cli.rollback_on_failure;
  if (cli.force) o.force = *cli.force;
  for (const auto& [name, count] : cli.scale_overrides) o.scale_overrides[name] = count;
  if (cli.leave_unrecorded_stopped) o.leave_unrecorded_stopped = *cli.leave_unrecorded_stopped;
  apply_data_flags(cli.data, o);
}

Targets resolve_targets(const CliOptions& cli) {
  if (cli.single_cluster) return resolve_single_cluster(cli);
  check_flags(cli);
  Targets t;
  if (!cli.plan_file.empty()) {
    drsync::DrPlan plan;
    try {
      plan = drsync::load_plan(cli.plan_file);
    } catch (const drsync::Error& e) {
      throw UsageError(fmt::format("--plan: {}", e.what()));
    }
    t.plan_name = plan.name.empty() ? cli.plan_file : plan.name;
    t.source = plan.source;
    t.dest = plan.destination;
    for (auto& p : plan.namespaces) {
      if (!cli.source_namespace.empty() && p.source != cli.source_namespace) continue;
      if (!cli.dest_namespace.empty() && p.destination != cli.dest_namespace) continue;
      t.pairs.push_back(Target{p.source, p.destination, std::move(p.options)});
    }
    if (t.pairs.empty()) {
      throw UsageError(fmt::format("--plan {}: no namespace pair matches --source-namespace {}{}{}",
                                   cli.plan_file, cli.source_namespace,
                                   cli.dest_namespace.empty() ? "" : " --dest-namespace ",
                                   cli.dest_namespace));
    }
  } else {
    drsync::MigrationOptions o;
    o.sync.include_custom_resources = false;  // DR-Syncer's default
    std::string dest_ns = cli.dest_namespace.empty() ? cli.source_namespace : cli.dest_namespace;
    t.pairs.push_back(Target{cli.source_namespace, dest_ns, std::move(o)});
  }
  if (!cli.source_kubeconfig.empty()) t.source.kubeconfig = cli.source_kubeconfig;
  if (!cli.source_context.empty()) t.source.context = cli.source_context;
  if (!cli.dest_kubeconfig.empty()) t.dest.kubeconfig = cli.dest_kubeconfig;
  if (!cli.dest_context.empty()) t.dest.context = cli.dest_context;

  std::shared_ptr<const drsync::ResourceModifiers> modifiers;
  if (!cli.resource_modifiers.empty()) modifiers = load_modifiers(cli.resource_modifiers);
  for (auto& pair : t.pairs) {
    apply_flags(cli, pair.options);
    if (modifiers) pair.options.sync.modifiers = modifiers;
    if (pair.options.sync.dry_run) {
      // A mode whose sync only validates but whose scaling is real would be a half dry run.
      throw UsageError(fmt::format(
          "--plan {}: dryRun is set for namespace {}: remove it from the plan and use --dry-run, "
          "which writes nothing at all",
          cli.plan_file, pair.source_namespace));
    }
  }
  return t;
}

void expand_all_namespaces(Targets& t, const Clusters& c) {
  if (!t.all_namespaces) return;
  drsync::MigrationOptions options = std::move(t.pairs.front().options);
  t.pairs.clear();
  for (auto& ns : drsync::Migration::stopped_namespaces(c.dest, options)) {
    t.pairs.push_back(Target{ns, ns, options});
  }
  if (t.pairs.empty()) {
    throw drsync::Error(
        drsync::Errc::not_found,
        fmt::format("no namespace of {} has stopped workloads{}: nothing to activate",
                    c.dest.server(),
                    options.subset.label_selector.empty()
                        ? std::string()
                        : fmt::format(" matching --selector {}", options.subset.label_selector)));
  }
}

Clusters connect(const Targets& t, const TimeoutFlags& timeouts) {
  auto open = [&timeouts](const drsync::ClusterRef& ref) {
    drsync::RestConfig config = drsync::load_kubeconfig({ref.kubeconfig, ref.context});
    apply_timeout_flags(timeouts, config);
    return drsync::Cluster(std::move(config));
  };
  if (t.single_cluster) {  // activate / deactivate: one cluster, no copy onto itself
    drsync::Cluster one = open(t.dest);
    return Clusters{one, one};
  }
  Clusters c{open(t.source), open(t.dest)};
  if (c.source.server() == c.dest.server()) {
    for (const auto& p : t.pairs) {
      if (p.source_namespace == p.dest_namespace) {
        throw UsageError(fmt::format(
            "the source and the destination are the same namespace {} of the same cluster ({}): "
            "give --dest-namespace or another --dest-kubeconfig",
            p.source_namespace, c.source.server()));
      }
    }
  }
  return c;
}

}  // namespace drsync_cli
