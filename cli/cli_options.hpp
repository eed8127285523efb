// The drsync command line, parsed: what the user asked for, before any cluster is contacted.
// Flags that may override a DR plan's options are optional: unset means "keep the plan's value".
#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <drsync/migration.hpp>

#include "continuous_flags.hpp"
#include "data_flags.hpp"
#include "flags.hpp"
#include "timeout_flags.hpp"

namespace drsync_cli {

enum class Command { Run, Status, Preflight, Help, Version, VersionJson, Completion, Man };
enum class LogLevel { Debug, Info, Warn, Error };
enum class LogFormat { Text, Json };
enum class OutputFormat { Text, Json };

struct CliOptions {
  Command command = Command::Run;
  std::optional<drsync::Mode> mode;  // also Activate / Deactivate (`drsync activate`, ...)

  // `drsync activate|deactivate`: one cluster, no source (storkctl's verbs).
  bool single_cluster = false;
  std::string kubeconfig, context;
  std::vector<std::string> namespaces;
  bool all_namespaces = false;

  // Clusters and namespaces (DR-Syncer's flags, plus contexts).
  std::string source_kubeconfig, dest_kubeconfig;
  std::string source_context, dest_context;
  std::string source_namespace, dest_namespace;
  std::string plan_file;
  std::size_t parallel = 8;  // --parallel: namespace pairs worked on at once
  // --kubectl-side: that side is kubectl's cluster, its loading rules when no flag names a file.
  std::optional<drsync::Side> kubectl_side;

  // What is copied.
  std::optional<bool> include_custom_resources;
  std::optional<std::vector<std::string>> resource_types;
  std::optional<std::vector<std::string>> exclude_resource_types;
  std::optional<bool> prune;
  std::optional<bool> exclude_cluster_resources;
  std::string resource_modifiers;
  std::optional<drsync::UnmanagedPolicy> unmanaged;
  std::vector<std::pair<std::string, std::string>> image_map;
  std::vector<std::pair<std::string, std::string>> storage_class_map;

  // How the modes behave.
  std::vector<std::string> workloads;
  std::string selector;
  std::optional<std::chrono::seconds> wait_timeout;
  std::optional<bool> source_unavailable;
  std::optional<bool> rollback_on_failure;
  std::optional<bool> force;
  std::map<std::string, std::string> scale_overrides;  // NAME=N: start NAME at N
  std::optional<bool> leave_unrecorded_stopped;
  bool dry_run = false;
  // Stage --continuous / --schedule: runs until SIGINT/SIGTERM.
  ContinuousFlags continuous;
  TimeoutFlags timeouts;  // the request deadlines of both clusters

  // PVC data (the built-in mover's flags, DR-Syncer's mapped), and DR-Syncer's flags that have
  // no meaning here (--use-standby-pvcs: refused).
  DataFlags data;
  std::vector<std::string> unsupported;

  // Output.
  LogLevel log_level = LogLevel::Info;
  LogFormat log_format = LogFormat::Text;
  std::string completion_shell;  // `drsync completion bash|zsh`
  OutputFormat output = OutputFormat::Text;
  std::string report_file;
};

// Parses argv; throws UsageError (exit 2) for anything wrong with the command line itself.
CliOptions parse_command_line(int argc, const char* const* argv);

// `drsync --help`, `drsync activate --help`, ...
std::string usage_text(const CliOptions& cli);

// The tables every description of the command line is generated from (--help, the man page,
// shell completion): the flags of the two-cluster modes and of activate/deactivate, the
// subcommands, and the modes.
struct NamedText {
  const char* name;
  const char* text;
};
const std::vector<FlagSpec>& mode_flag_specs();
const std::vector<FlagSpec>& single_flag_specs();
const std::vector<NamedText>& subcommands();
const std::vector<NamedText>& modes();

}  // namespace drsync_cli
