// The drsync flags: DR-Syncer's (unchanged names and syntax) and drsync's own.
#include <fmt/format.h>
#include <strings.h>

#include "cli_options.hpp"
#include "duration.hpp"
#include "flags.hpp"

namespace drsync_cli {
namespace {

using K = FlagKind;

const std::vector<FlagSpec>& specs() {
  static const std::vector<FlagSpec> list = {
      {"source-kubeconfig", K::Value, "FILE", "kubeconfig of the source cluster"},
      {"dest-kubeconfig", K::Value, "FILE", "kubeconfig of the destination cluster"},
      {"source-context", K::Value, "NAME", "context in the source kubeconfig (default: current)"},
      {"dest-context", K::Value, "NAME",
       "context in the destination kubeconfig (default: current)"},
      {"source-namespace", K::Value, "NS", "namespace in the source cluster"},
      {"dest-namespace", K::Value, "NS", "namespace in the destination (default: the source's)"},
      {"mode", K::Value, "MODE", "Stage, Cutover or Failback"},
      {"plan", K::Value, "FILE", "DR plan: run the mode for every namespace pair of the plan"},
      {"include-custom-resources", K::Bool, "", "also copy custom resources (default false)"},
      {"resource-types", K::Value, "LIST", "copy only these types (comma-separated)"},
      {"exclude-resource-types", K::Value, "LIST", "do not copy these types (comma-separated)"},
      {"prune", K::Bool, "",
       "delete destination objects drsync copied that the source no longer has"},
      {"resource-modifiers", K::Value, "FILE", "Velero-format resource modifier rules"},
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
      {"dry-run", K::Bool, "", "show what would be done; write nothing"},
      {"report", K::Value, "FILE", "write the report to FILE (.json or .md)"},
      {"output", K::Value, "FORMAT", "text (default) or json on stdout"},
      {"log-level", K::Value, "LEVEL", "debug, info (default), warn or error"},
      {"migrate-pvc-data", K::Bool, "", "DR-Syncer: copy PVC data (not supported yet)"},
      {"reverse-migrate-pvc-data", K::Bool, "",
       "DR-Syncer: copy PVC data back (not supported yet)"},
      {"pv-migrate-flags", K::Value, "FLAGS", "DR-Syncer: pv-migrate flags (not supported yet)"},
      {"use-standby-pvcs", K::Bool, "", "DR-Syncer: standby PVCs (not supported yet)"},
      {"version", K::Bool, "", "print the version and exit"},
      {"version-json", K::Bool, "", "print the version as JSON and exit"},
      {"help", K::Bool, "", "show this help"},
      {"h", K::Bool, "", "show this help"},
  };
  return list;
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

std::optional<bool> optional_bool(const ParsedFlags& f, const std::string& flag) {
  if (!f.has(flag)) return std::nullopt;
  return f.boolean(flag);
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
  for (const char* flag : {"migrate-pvc-data", "reverse-migrate-pvc-data", "use-standby-pvcs"}) {
    if (f.boolean(flag)) o.unsupported.push_back(fmt::format("--{}", flag));
  }
  if (!f.last("pv-migrate-flags").empty()) o.unsupported.push_back("--pv-migrate-flags");
}

}  // namespace

CliOptions parse_command_line(int argc, const char* const* argv) {
  CliOptions o;
  int first = 1;
  if (argc > 1 && std::string(argv[1]) == "status") {
    o.command = Command::Status;
    first = 2;
  }
  ParsedFlags f = parse_flags(specs(), argc, argv, first);
  if (f.boolean("help") || f.boolean("h")) {
    o.command = Command::Help;
    return o;
  }
  o.log_level = parse_log_level(f.last("log-level", "info"));
  if (f.boolean("version")) {
    o.command = Command::Version;
    return o;
  }
  if (f.boolean("version-json")) {
    o.command = Command::VersionJson;
    return o;
  }
  if (!f.positional.empty()) {
    throw UsageError(fmt::format(
        "unexpected argument \"{}\" (booleans take --flag=true|false; the only subcommand is "
        "`status`, first)",
        f.positional.front()));
  }

  o.source_kubeconfig = f.last("source-kubeconfig");
  o.dest_kubeconfig = f.last("dest-kubeconfig");
  o.source_context = f.last("source-context");
  o.dest_context = f.last("dest-context");
  o.source_namespace = f.last("source-namespace");
  o.dest_namespace = f.last("dest-namespace");
  o.plan_file = f.last("plan");
  if (f.has("mode")) o.mode = parse_mode(f.last("mode"));

  o.include_custom_resources = optional_bool(f, "include-custom-resources");
  if (f.has("resource-types")) o.resource_types = split_list(f.last("resource-types"));
  if (f.has("exclude-resource-types")) {
    o.exclude_resource_types = split_list(f.last("exclude-resource-types"));
  }
  o.prune = optional_bool(f, "prune");
  o.resource_modifiers = f.last("resource-modifiers");
  o.image_map = mappings(f, "image-map");
  o.storage_class_map = mappings(f, "storage-class-map");

  o.workloads = split_list(f.last("workloads"));
  o.selector = f.last("selector");
  if (f.has("wait-timeout")) {
    o.wait_timeout = ceil_seconds(parse_duration("wait-timeout", f.last("wait-timeout")));
  }
  o.source_unavailable = optional_bool(f, "source-unavailable");
  o.rollback_on_failure = optional_bool(f, "rollback-on-failure");
  o.force = optional_bool(f, "force");
  o.dry_run = f.boolean("dry-run");
  check_unsupported(f, o);

  std::string output = f.last("output", "text");
  if (output == "text")
    o.output = OutputFormat::Text;
  else if (output == "json")
    o.output = OutputFormat::Json;
  else
    throw UsageError(fmt::format("invalid --output \"{}\": must be text or json", output));
  o.report_file = f.last("report");
  if (!o.report_file.empty()) {
    auto dot = o.report_file.rfind('.');
    std::string ext = dot == std::string::npos ? "" : o.report_file.substr(dot);
    if (ext != ".json" && ext != ".md") {
      throw UsageError(
          fmt::format("--report {}: the file name must end in .json or .md", o.report_file));
    }
  }
  return o;
}

std::string usage_text() {
  std::vector<FlagSpec> visible;
  for (const auto& s : specs()) {
    if (s.name != "h") visible.push_back(s);
  }
  return fmt::format(
      "drsync: disaster recovery of Kubernetes namespaces between two clusters.\n"
      "\n"
      "Usage:\n"
      "  drsync --mode=Stage|Cutover|Failback --source-kubeconfig FILE --dest-kubeconfig FILE\n"
      "         --source-namespace NS [--dest-namespace NS] [flags]\n"
      "  drsync --mode=MODE --plan PLAN.yaml [flags]\n"
      "  drsync status --source-kubeconfig FILE --dest-kubeconfig FILE --source-namespace NS\n"
      "\n"
      "Modes:\n"
      "  Stage     copy the namespace into the destination, workloads stopped (0 replicas)\n"
      "  Cutover   sync, stop the source, start the destination at the recorded counts\n"
      "  Failback  stop the destination, start the source again at its original counts\n"
      "\n"
      "Flags:\n"
      "{}\n"
      "Exit codes: 0 success, 1 failure, 2 usage error, 3 refused (fencing or a pending "
      "operation).\n"
      "Documentation: docs/cli.md\n",
      flags_help(visible));
}

}  // namespace drsync_cli
