// The drsync flags: DR-Syncer's (unchanged names and syntax) and drsync's own.
#include <fmt/format.h>
#include <strings.h>

#include <cstdlib>
#include <initializer_list>
#include <string_view>

#include "cli_options.hpp"
#include "duration.hpp"
#include "flags.hpp"

namespace drsync_cli {
namespace {

using K = FlagKind;

std::vector<FlagSpec> joined(std::initializer_list<std::vector<FlagSpec>> parts) {
  std::vector<FlagSpec> out;
  for (const auto& part : parts) out.insert(out.end(), part.begin(), part.end());
  return out;
}

// What both the two-cluster modes and activate/deactivate print, and how.
const std::vector<FlagSpec>& output_flag_specs() {
  static const std::vector<FlagSpec> list = {
      {"dry-run", K::Bool, "", "show what would be done; write nothing"},
      {"report", K::Value, "FILE", "write the report to FILE (.json or .md)"},
      {"output", K::Value, "FORMAT", "text (default) or json on stdout", "", {"text", "json"}},
      {"log-level",
       K::Value,
       "LEVEL",
       "debug, info (default), warn or error",
       "",
       {"debug", "info", "warn", "error"}},
      {"log-format",
       K::Value,
       "FORMAT",
       "log lines on stderr: text (default) or json",
       "",
       {"text", "json"}},
  };
  return list;
}

}  // namespace

const std::vector<FlagSpec>& mode_flag_specs() {
  static const std::vector<FlagSpec> cluster_and_copy = {
      {"source-kubeconfig", K::Value, "FILE", "kubeconfig of the source cluster"},
      {"dest-kubeconfig", K::Value, "FILE", "kubeconfig of the destination cluster"},
      {"source-context", K::Value, "NAME", "context in the source kubeconfig (default: current)"},
      {"dest-context", K::Value, "NAME",
       "context in the destination kubeconfig (default: current)"},
      {"source-namespace", K::Value, "NS", "namespace in the source cluster"},
      {"dest-namespace", K::Value, "NS", "namespace in the destination (default: the source's)"},
      {"kubeconfig", K::Value, "FILE",
       "kubectl's cluster (kubectl plugin): the kubeconfig of the --kubectl-side"},
      {"context", K::Value, "NAME", "kubectl's cluster (kubectl plugin): its context"},
      {"kubectl-side",
       K::Value,
       "SIDE",
       "which side kubectl's cluster is: source or dest; its flags default to kubectl's",
       "",
       {"source", "dest"}},
      {"mode",
       K::Value,
       "MODE",
       "Stage, Cutover or Failback",
       "",
       {"Stage", "Cutover", "Failback"}},
      {"plan", K::Value, "FILE", "DR plan: run the mode for every namespace pair of the plan"},
      {"parallel", K::Value, "N",
       "namespace pairs worked on at once (1 to 256, default 8); a Cutover stops every source "
       "before it starts any destination"},
      {"include-custom-resources", K::Bool, "", "also copy custom resources (default false)"},
      {"resource-types", K::Value, "LIST", "copy only these types (comma-separated)"},
      {"exclude-resource-types", K::Value, "LIST", "do not copy these types (comma-separated)"},
      {"prune", K::Bool, "",
       "delete destination objects drsync copied that the source no longer has"},
      {"exclude-cluster-resources", K::Bool, "",
       "do not copy the ClusterRoles and ClusterRoleBindings of the namespace's ServiceAccounts"},
      {"resource-modifiers", K::Value, "FILE", "Velero-format resource modifier rules"},
      {"unmanaged",
       K::Value,
       "POLICY",
       "destination objects drsync did not create: skip (default), adopt or fail",
       "",
       {"skip", "adopt", "fail"}},
      {"image-map", K::Repeated, "OLD=NEW", "rewrite an image registry prefix (repeatable)"},
      {"storage-class-map", K::Repeated, "OLD=NEW", "rename a PVC storage class (repeatable)"},
      {"workloads", K::Value, "LIST", "act only on these workloads (name or type/name)"},
      {"selector", K::Value, "K=V", "act only on workloads with these labels"},
      {"wait-timeout", K::Value, "DURATION", "how long to wait for readiness (default 5m)"},
      {"source-unavailable", K::Bool, "", "Cutover: the source is down, do not touch it"},
      {"rollback-on-failure", K::Bool, "",
       "Cutover: re-activate the source if the destination "
       "does not become ready"},
      {"force", K::Bool, "", "override fencing and pending-operation refusals"},
      {"scale-override", K::Repeated, "NAME=N",
       "start workload NAME at N replicas, whatever was recorded (repeatable)"},
      {"leave-unrecorded-stopped", K::Bool, "",
       "leave stopped workloads with no recorded count stopped instead of failing"},
  };
  static const std::vector<FlagSpec> list =
      joined({cluster_and_copy,
              output_flag_specs(),
              data_flag_specs(),
              continuous_flag_specs(),
              timeout_flag_specs(),
              {{"use-standby-pvcs", K::Bool, "", "DR-Syncer: standby PVCs (not supported yet)"},
               {"version", K::Bool, "", "print the version and exit"},
               {"version-json", K::Bool, "", "print the version as JSON and exit"},
               {"help", K::Bool, "", "show this help"},
               {"h", K::Bool, "", "show this help", "help"}}});
  return list;
}

// `drsync activate` / `drsync deactivate`: kubectl's names for the cluster and namespace flags.
const std::vector<FlagSpec>& single_flag_specs() {
  static const std::vector<FlagSpec> cluster_and_modes = {
      {"kubeconfig", K::Value, "FILE", "kubeconfig of the cluster (default: kubectl's rules)"},
      {"context", K::Value, "NAME", "context in the kubeconfig (default: current)"},
      {"namespace", K::Repeated, "NS", "namespace to act on (repeatable, or comma-separated)"},
      {"n", K::Repeated, "NS", "short for --namespace", "namespace"},
      {"all-namespaces", K::Bool, "",
       "activate: every namespace that has stopped workloads (of --selector)"},
      {"A", K::Bool, "", "short for --all-namespaces", "all-namespaces"},
      {"selector", K::Value, "K=V", "act only on workloads with these labels"},
      {"l", K::Value, "K=V", "short for --selector", "selector"},
      {"workloads", K::Value, "LIST", "act only on these workloads (name or type/name)"},
      {"scale-override", K::Repeated, "NAME=N",
       "start workload NAME at N replicas, whatever was recorded (repeatable)"},
      {"leave-unrecorded-stopped", K::Bool, "",
       "leave stopped workloads with no recorded count stopped instead of failing"},
      {"wait-timeout", K::Value, "DURATION", "how long to wait for readiness (default 5m)"},
      {"force", K::Bool, "", "override fencing and pending-operation refusals"},
  };
  static const std::vector<FlagSpec> list = joined(
      {cluster_and_modes,
       output_flag_specs(),
       timeout_flag_specs(),
       {{"help", K::Bool, "", "show this help"}, {"h", K::Bool, "", "show this help", "help"}}});
  return list;
}

namespace {

struct Subcommand {
  const char* name;
  Command command;
  std::optional<drsync::Mode> mode;
  const char* text;
};
constexpr Subcommand kSubcommands[] = {
    {"status", Command::Status, std::nullopt,
     "where a namespace pair stands: active side, recorded counts, a pending operation"},
    {"preflight", Command::Preflight, std::nullopt,
     "what in the destination would block or degrade a recovery"},
    {"activate", Command::Run, drsync::Mode::Activate,
     "one cluster: start its stopped workloads at their recorded counts"},
    {"deactivate", Command::Run, drsync::Mode::Deactivate,
     "one cluster: stop its workloads, recording their counts"},
    {"completion", Command::Completion, std::nullopt,
     "print the bash or zsh completion script: drsync completion bash|zsh"},
    {"man", Command::Man, std::nullopt, "print the manual page (roff)"},
};

}  // namespace

const std::vector<NamedText>& subcommands() {
  static const std::vector<NamedText> list = [] {
    std::vector<NamedText> out;
    for (const auto& s : kSubcommands) out.push_back({s.name, s.text});
    return out;
  }();
  return list;
}

const std::vector<NamedText>& modes() {
  static const std::vector<NamedText> list = {
      {"Stage", "copy the namespace into the destination, workloads stopped (0 replicas)"},
      {"Cutover", "sync, stop the source, start the destination at the recorded counts"},
      {"Failback", "stop the destination, start the source again at its original counts"},
  };
  return list;
}

namespace {

// The subcommand named by argv[1], if any.
const Subcommand* subcommand_of(int argc, const char* const* argv) {
  if (argc < 2) return nullptr;
  for (const auto& sub : kSubcommands) {
    if (std::string_view(argv[1]) == sub.name) return &sub;
  }
  return nullptr;
}

drsync::Mode parse_mode(const std::string& text) {
  for (drsync::Mode m : {drsync::Mode::Stage, drsync::Mode::Cutover, drsync::Mode::Failback}) {
    if (strcasecmp(text.c_str(), drsync::mode_name(m)) == 0) return m;
  }
  throw UsageError(
      fmt::format("invalid mode \"{}\": must be one of Stage, Cutover, Failback", text));
}

std::pair<std::string, std::string> parse_mapping(const std::string& flag, const std::string& s) {
  auto eq = s.find('=');
  if (eq == std::string::npos || eq == 0 || eq + 1 == s.size()) {
    throw UsageError(fmt::format("invalid value \"{}\" for --{}: expected OLD=NEW", s, flag));
  }
  return {s.substr(0, eq), s.substr(eq + 1)};
}

std::vector<std::pair<std::string, std::string>> mappings(const ParsedFlags& f,
                                                          const std::string& flag) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& value : f.all(flag)) {
    for (const auto& item : split_list(value)) out.push_back(parse_mapping(flag, item));
  }
  return out;
}

std::map<std::string, std::string> scale_overrides(const ParsedFlags& f) {
  std::map<std::string, std::string> out;
  for (const auto& [name, count] : mappings(f, "scale-override")) {
    if (count.find_first_not_of("0123456789") != std::string::npos) {
      throw UsageError(fmt::format(
          "invalid value \"{}={}\" for --scale-override: the count must be a whole number", name,
          count));
    }
    out[name] = count;
  }
  return out;
}

std::optional<bool> optional_bool(const ParsedFlags& f, const std::string& flag) {
  if (!f.has(flag)) return std::nullopt;
  return f.boolean(flag);
}

drsync::UnmanagedPolicy parse_unmanaged(const std::string& s) {
  if (strcasecmp(s.c_str(), "skip") == 0) return drsync::UnmanagedPolicy::Skip;
  if (strcasecmp(s.c_str(), "adopt") == 0) return drsync::UnmanagedPolicy::Adopt;
  if (strcasecmp(s.c_str(), "fail") == 0) return drsync::UnmanagedPolicy::Fail;
  throw UsageError(fmt::format("invalid --unmanaged \"{}\": must be skip, adopt or fail", s));
}

LogLevel parse_log_level(const std::string& s) {
  if (s == "debug") return LogLevel::Debug;
  if (s == "info") return LogLevel::Info;
  if (s == "warn" || s == "warning") return LogLevel::Warn;
  if (s == "error") return LogLevel::Error;
  throw UsageError(
      fmt::format("invalid --log-level \"{}\": must be debug, info, warn or error", s));
}

void check_unsupported(const ParsedFlags& f, CliOptions& o) {
  if (f.boolean("use-standby-pvcs")) o.unsupported.push_back("--use-standby-pvcs");
}

// --output, --log-format, --report.
void parse_output_flags(const ParsedFlags& f, CliOptions& o) {
  // text or json, for --output and --log-format alike.
  auto json = [&f](const char* flag) {
    std::string value = f.last(flag, "text");
    if (value != "text" && value != "json")
      throw UsageError(fmt::format("invalid --{} \"{}\": must be text or json", flag, value));
    return value == "json";
  };
  o.output = json("output") ? OutputFormat::Json : OutputFormat::Text;
  o.log_format = json("log-format") ? LogFormat::Json : LogFormat::Text;
  o.report_file = f.last("report");
  if (!o.report_file.empty()) {
    auto dot = o.report_file.rfind('.');
    std::string ext = dot == std::string::npos ? "" : o.report_file.substr(dot);
    if (ext != ".json" && ext != ".md") {
      throw UsageError(
          fmt::format("--report {}: the file name must end in .json or .md", o.report_file));
    }
  }
}

LogLevel log_level(const ParsedFlags& f) {
  if (f.has("log-level")) return parse_log_level(f.last("log-level"));
  const char* debug = std::getenv("DEBUG");
  return debug != nullptr && std::string_view(debug) == "true" ? LogLevel::Debug : LogLevel::Info;
}

// Flags both the two-cluster modes and activate/deactivate have.
std::size_t parse_parallel(const std::string& n) {
  if (n.empty() || n.size() > 3 || n.find_first_not_of("0123456789") != std::string::npos ||
      std::stoi(n) < 1 || std::stoi(n) > 256)
    throw UsageError(fmt::format("invalid --parallel \"{}\": must be 1 to 256", n));
  return static_cast<std::size_t>(std::stoi(n));
}

void parse_mode_flags(const ParsedFlags& f, CliOptions& o) {
  o.workloads = split_list(f.last("workloads"));
  o.selector = f.last("selector");
  if (f.has("wait-timeout")) {
    o.wait_timeout = ceil_seconds(parse_duration("wait-timeout", f.last("wait-timeout")));
  }
  o.force = optional_bool(f, "force");
  o.scale_overrides = scale_overrides(f);
  o.leave_unrecorded_stopped = optional_bool(f, "leave-unrecorded-stopped");
  o.dry_run = f.boolean("dry-run");
  o.timeouts = parse_timeout_flags(f);
  parse_output_flags(f, o);
}

// As a kubectl plugin: kubectl's --kubeconfig / --context (or its loading rules) are one side's
// cluster, the side --kubectl-side names; that side's own flags win.
void parse_kubectl_side(const ParsedFlags& f, CliOptions& o) {
  const std::string side = f.last("kubectl-side");
  if (side.empty()) {
    if (f.has("kubeconfig") || f.has("context")) {
      throw UsageError(
          "--kubeconfig / --context name kubectl's cluster: say which side it is with "
          "--kubectl-side source|dest (or use --source-kubeconfig / --dest-kubeconfig)");
    }
    return;
  }
  if (side != "source" && side != "dest")
    throw UsageError(fmt::format("invalid --kubectl-side \"{}\": must be source or dest", side));
  o.kubectl_side = side == "source" ? drsync::Side::Source : drsync::Side::Destination;
  auto& kubeconfig = side == "source" ? o.source_kubeconfig : o.dest_kubeconfig;
  auto& context = side == "source" ? o.source_context : o.dest_context;
  if (kubeconfig.empty()) kubeconfig = f.last("kubeconfig");
  if (context.empty()) context = f.last("context");
}

void parse_run_flags(const ParsedFlags& f, CliOptions& o) {
  o.source_kubeconfig = f.last("source-kubeconfig");
  o.dest_kubeconfig = f.last("dest-kubeconfig");
  o.source_context = f.last("source-context");
  o.dest_context = f.last("dest-context");
  parse_kubectl_side(f, o);
  o.source_namespace = f.last("source-namespace");
  o.dest_namespace = f.last("dest-namespace");
  o.plan_file = f.last("plan");
  if (f.has("parallel")) o.parallel = parse_parallel(f.last("parallel"));
  if (f.has("mode")) o.mode = parse_mode(f.last("mode"));

  o.include_custom_resources = optional_bool(f, "include-custom-resources");
  if (f.has("resource-types")) o.resource_types = split_list(f.last("resource-types"));
  if (f.has("exclude-resource-types")) {
    o.exclude_resource_types = split_list(f.last("exclude-resource-types"));
  }
  o.prune = optional_bool(f, "prune");
  o.exclude_cluster_resources = optional_bool(f, "exclude-cluster-resources");
  o.resource_modifiers = f.last("resource-modifiers");
  if (f.has("unmanaged")) o.unmanaged = parse_unmanaged(f.last("unmanaged"));
  o.image_map = mappings(f, "image-map");
  o.storage_class_map = mappings(f, "storage-class-map");
  o.source_unavailable = optional_bool(f, "source-unavailable");
  o.rollback_on_failure = optional_bool(f, "rollback-on-failure");
  parse_mode_flags(f, o);
  o.data = parse_data_flags(f);
  o.continuous = parse_continuous_flags(f);
  if (o.continuous.any() && (o.mode != drsync::Mode::Stage || o.dry_run)) {
    throw UsageError("--continuous and --schedule run --mode=Stage (without --dry-run)");
  }
  check_unsupported(f, o);
}

void parse_single_flags(const ParsedFlags& f, CliOptions& o) {
  o.single_cluster = true;
  o.kubeconfig = f.last("kubeconfig");
  o.context = f.last("context");
  for (const auto& value : f.all("namespace")) {
    for (auto& ns : split_list(value)) o.namespaces.push_back(std::move(ns));
  }
  o.all_namespaces = f.boolean("all-namespaces");
  parse_mode_flags(f, o);
}

// `drsync completion bash|zsh`, `drsync man`: no flags.
void parse_generator_args(int argc, const char* const* argv, CliOptions& o) {
  if (o.command == Command::Man) {
    if (argc > 2) throw UsageError("drsync man takes no arguments");
    return;
  }
  if (argc != 3 || (std::string_view(argv[2]) != "bash" && std::string_view(argv[2]) != "zsh"))
    throw UsageError("usage: drsync completion bash|zsh");
  o.completion_shell = argv[2];
}

}  // namespace

CliOptions parse_command_line(int argc, const char* const* argv) {
  CliOptions o;
  const Subcommand* sub = subcommand_of(argc, argv);
  if (sub) {
    o.command = sub->command;
    o.mode = sub->mode;
  }
  if (o.command == Command::Completion || o.command == Command::Man) {
    parse_generator_args(argc, argv, o);
    return o;
  }
  bool single = o.mode == drsync::Mode::Activate || o.mode == drsync::Mode::Deactivate;
  ParsedFlags f =
      parse_flags(single ? single_flag_specs() : mode_flag_specs(), argc, argv, sub ? 2 : 1);
  if (f.boolean("help")) {
    o.command = Command::Help;
    return o;
  }
  o.log_level = log_level(f);
  if (!single && f.boolean("version")) {
    o.command = Command::Version;
    return o;
  }
  if (!single && f.boolean("version-json")) {
    o.command = Command::VersionJson;
    return o;
  }
  if (!f.positional.empty()) {
    throw UsageError(fmt::format(
        "unexpected argument \"{}\" (booleans take --flag=true|false; the subcommands are "
        "status, preflight, activate and deactivate, first)",
        f.positional.front()));
  }
  if (single)
    parse_single_flags(f, o);
  else
    parse_run_flags(f, o);
  return o;
}

namespace {

std::string visible_help(const std::vector<FlagSpec>& specs) {
  std::vector<FlagSpec> visible;
  for (const auto& s : specs) {
    if (s.name != "h") visible.push_back(s);
  }
  return flags_help(visible);
}

std::string named_list(const std::vector<NamedText>& list) {
  std::string out;
  for (const auto& item : list) out += fmt::format("  {:<12}{}\n", item.name, item.text);
  return out;
}

std::string single_usage_text(drsync::Mode mode) {
  bool activate = mode == drsync::Mode::Activate;
  return fmt::format(
      "drsync {0}: {1}, in one cluster, with no source.\n"
      "\n"
      "Usage:\n"
      "  drsync {0} [--kubeconfig FILE] [--context NAME] -n NS [-n NS...]{2} [flags]\n"
      "\n"
      "Flags:\n"
      "{3}\n"
      "Exit codes: 0 success, 1 failure, 2 usage error, 3 refused (fencing or a pending "
      "operation).\n"
      "Documentation: docs/cli.md\n",
      activate ? "activate" : "deactivate",
      activate ? "start every stopped workload at its recorded replica count"
               : "stop every workload, recording its replica count",
      activate ? " | --all-namespaces" : "", visible_help(single_flag_specs()));
}

}  // namespace

std::string usage_text(const CliOptions& cli) {
  if (cli.mode == drsync::Mode::Activate || cli.mode == drsync::Mode::Deactivate) {
    return single_usage_text(*cli.mode);
  }
  return fmt::format(
      "drsync: disaster recovery of Kubernetes namespaces between two clusters.\n"
      "\n"
      "Usage:\n"
      "  drsync --mode=Stage|Cutover|Failback --source-kubeconfig FILE --dest-kubeconfig FILE\n"
      "         --source-namespace NS [--dest-namespace NS] [flags]\n"
      "  drsync --mode=MODE --plan PLAN.yaml [flags]\n"
      "  drsync status --source-kubeconfig FILE --dest-kubeconfig FILE --source-namespace NS\n"
      "  drsync preflight --source-kubeconfig FILE --dest-kubeconfig FILE --source-namespace NS\n"
      "  drsync activate|deactivate [--kubeconfig FILE] -n NS | --all-namespaces (see --help)\n"
      "\n"
      "Modes:\n"
      "{}\n"
      "Subcommands:\n"
      "{}\n"
      "Flags:\n"
      "{}\n"
      "Exit codes: 0 success, 1 failure, 2 usage error, 3 refused (fencing or a pending "
      "operation).\n"
      "Documentation: docs/cli.md\n",
      named_list(modes()), named_list(subcommands()), visible_help(mode_flag_specs()));
}

}  // namespace drsync_cli
