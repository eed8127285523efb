// The run as one JSON document (--output json, --report x.json) or Markdown (--report x.md).
#include <fmt/format.h>
#include <rapidjson/document.h>
#include <rapidjson/prettywriter.h>
#include <rapidjson/stringbuffer.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include <drsync/sync.hpp>

#include "output.hpp"

namespace drsync_cli {
namespace {

using rapidjson::Value;
using Alloc = rapidjson::Document::AllocatorType;

Value str(const std::string& s, Alloc& a) {
  return Value(s.c_str(), s.size(), a);
}

// A library document (report, plan, status) embedded as a value.
Value embed(const std::string& json, Alloc& a) {
  rapidjson::Document d;
  d.Parse(json.c_str(), json.size());
  if (d.HasParseError()) return Value(rapidjson::kNullType);
  return Value(d, a);
}

Value outcome_json(const Outcome& o, Alloc& a) {
  Value v(rapidjson::kObjectType);
  v.AddMember("sourceNamespace", str(o.source_namespace, a), a);
  v.AddMember("destinationNamespace", str(o.dest_namespace, a), a);
  v.AddMember("result", str(result_name(o.result), a), a);
  v.AddMember("seconds", o.seconds, a);
  if (!o.error.empty()) v.AddMember("error", str(o.error, a), a);
  if (!o.would.empty()) {
    Value steps(rapidjson::kArrayType);
    for (const auto& s : o.would) steps.PushBack(str(s, a), a);
    v.AddMember("wouldDo", steps, a);
  }
  if (o.plan) v.AddMember("syncPlan", embed(o.plan->to_json(), a), a);
  if (o.status) v.AddMember("status", embed(o.status->to_json(), a), a);
  if (o.preflight) v.AddMember("preflight", embed(o.preflight->to_json(), a), a);
  if (o.report) v.AddMember("report", embed(o.report->to_json(), a), a);
  return v;
}

std::string plan_markdown(const Outcome& o) {
  std::ostringstream md;
  for (std::size_t i = 0; i < o.would.size(); ++i) md << i + 1 << ". " << o.would[i] << "\n";
  if (o.plan) {
    md << "\n| action | object | note |\n| --- | --- | --- |\n";
    for (const auto& obj : o.plan->objects) {
      md << "| " << drsync::action_name(obj.action) << " | " << obj.group_resource << "/"
         << obj.name << " | " << obj.message << " |\n";
    }
  }
  return md.str();
}

std::string status_markdown(const drsync::MigrationStatus& st) {
  std::ostringstream md;
  md << "- Active side: **" << st.active_side << "**\n";
  md << "- Roles: source " << (st.source_role.empty() ? "not set" : st.source_role)
     << ", destination " << (st.dest_role.empty() ? "not set" : st.dest_role) << "\n";
  md << "- Source reachable: " << (st.source_reachable ? "yes" : "no") << "\n";
  md << "- Pending operation: " << (st.pending_mode.empty() ? "none" : st.pending_mode);
  for (std::size_t i = 0; i < st.pending_steps_done.size(); ++i) {
    md << (i == 0 ? " (steps done: " : ", ") << st.pending_steps_done[i];
  }
  md << (st.pending_steps_done.empty() ? "" : ")") << "\n\n";
  md << "| workload | recorded original |\n| --- | --- |\n";
  for (const auto& [k, v] : st.recorded) md << "| " << k << " | " << v << " |\n";
  return md.str();
}

}  // namespace

std::string to_json(const CliOptions& cli, const Targets& targets,
                    const std::vector<Outcome>& outcomes) {
  rapidjson::Document d(rapidjson::kObjectType);
  Alloc& a = d.GetAllocator();
  d.AddMember("command", str(command_word(cli), a), a);
  d.AddMember("dryRun", cli.dry_run, a);
  if (!targets.plan_name.empty()) d.AddMember("plan", str(targets.plan_name, a), a);
  int code = exit_code(outcomes);
  d.AddMember("ok", code == 0, a);
  d.AddMember("exitCode", code, a);
  Value results(rapidjson::kArrayType);
  for (const auto& o : outcomes) results.PushBack(outcome_json(o, a), a);
  d.AddMember("results", results, a);
  rapidjson::StringBuffer buf;
  rapidjson::PrettyWriter<rapidjson::StringBuffer> w(buf);
  w.SetIndent(' ', 2);
  d.Accept(w);
  return std::string(buf.GetString()) + "\n";
}

std::string to_markdown(const CliOptions& cli, const std::vector<Outcome>& outcomes) {
  std::ostringstream md;
  std::string word = command_word(cli);
  for (const auto& o : outcomes) {
    std::string pair = o.source_namespace == o.dest_namespace
                           ? o.source_namespace
                           : fmt::format("{} -> {}", o.source_namespace, o.dest_namespace);
    if (outcomes.size() > 1 || cli.dry_run || cli.command == Command::Status) {
      md << "# drsync " << (cli.dry_run ? "dry run: " : "") << word << " " << pair << "\n\n";
      md << "- Result: **" << result_name(o.result) << "**\n";
      if (!o.error.empty()) md << "- Error: " << o.error << "\n";
      md << "\n";
    }
    if (cli.command == Command::Status) {
      if (o.status) md << status_markdown(*o.status);
    } else if (cli.dry_run) {
      md << plan_markdown(o);
    } else if (o.report) {
      md << o.report->to_markdown();
    }
    md << "\n";
  }
  return md.str();
}

void write_report(const std::string& path, const CliOptions& cli, const Targets& targets,
                  const std::vector<Outcome>& outcomes) {
  bool json = path.size() >= 5 && path.compare(path.size() - 5, 5, ".json") == 0;
  std::string text = json ? to_json(cli, targets, outcomes) : to_markdown(cli, outcomes);
  std::string tmp = path + ".tmp";
  {
    std::ofstream f(tmp, std::ios::binary | std::ios::trunc);
    f << text;
    f.close();
    if (!f)
      throw std::runtime_error(
          fmt::format("cannot write the report {}: {}", tmp, std::strerror(errno)));
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    int err = errno;
    std::remove(tmp.c_str());
    throw std::runtime_error(
        fmt::format("cannot write the report {}: {}", path, std::strerror(err)));
  }
}

}  // namespace drsync_cli
