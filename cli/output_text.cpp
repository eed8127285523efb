// The text summary of a run.
#include <fmt/format.h>

#include <drsync/sync.hpp>

#include "output.hpp"

namespace drsync_cli {
namespace {

using drsync::Action;

std::string title(const std::string& word, const Outcome& o) {
  if (o.source_namespace == o.dest_namespace) return fmt::format("{} {}", word, o.source_namespace);
  return fmt::format("{} {} -> {}", word, o.source_namespace, o.dest_namespace);
}

std::string indent(const std::string& text, const std::string& prefix) {
  std::string out = prefix;
  for (std::size_t i = 0; i < text.size(); ++i) {
    out += text[i];
    if (text[i] == '\n' && i + 1 < text.size()) out += prefix;
  }
  if (!out.empty() && out.back() != '\n') out += '\n';
  return out;
}

void print_states(std::FILE* out, const char* side,
                  const std::vector<drsync::WorkloadState>& list) {
  if (list.empty()) return;
  fmt::print(out, "  {}:\n", side);
  for (const auto& s : list) {
    std::string extra;
    if (!s.ready.empty()) extra += fmt::format(", ready {}", s.ready);
    if (!s.recorded.empty()) extra += fmt::format(", recorded original {}", s.recorded);
    fmt::print(out, "    {}/{}: scale {}{}\n", s.resource, s.name, s.value, extra);
  }
}

void print_failed_objects(std::FILE* err, const drsync::SyncResult& sync) {
  bool header = false;
  for (const auto& o : sync.objects) {
    if (o.action != Action::Error && o.action != Action::Conflict) continue;
    if (!header) fmt::print(err, "  failed objects:\n");
    header = true;
    fmt::print(err, "    {}/{}: {}\n", o.group_resource, o.name, o.message);
  }
}

void print_report(std::FILE* out, std::FILE* err, const Outcome& o, LogLevel level) {
  const auto& r = *o.report;
  if (r.sync) {
    const auto& s = *r.sync;
    fmt::print(out,
               "  sync: {} created, {} updated, {} unchanged, {} pruned, {} skipped, {} errors\n",
               s.count(Action::Create), s.count(Action::Update), s.count(Action::Unchanged),
               s.count(Action::Prune), s.count(Action::Skip), s.errors.size());
    if (level == LogLevel::Debug) {
      for (const auto& obj : s.objects) {
        fmt::print(out, "    {:<9} {}/{}{}{}\n", drsync::action_name(obj.action),
                   obj.group_resource, obj.name, obj.message.empty() ? "" : ": ", obj.message);
      }
    }
  }
  for (const auto& c : r.changes) {
    fmt::print(out, "  scaled {} {}/{}: {} -> {}\n", drsync::side_name(c.side), c.resource, c.name,
               c.from, c.to);
  }
  for (const auto& line : r.readiness) fmt::print(out, "  ready: {}\n", line);
  for (const auto& v : r.volumes) {
    std::string tail = v.ok ? (v.verify.empty() ? "" : "; verified " + v.verify) : ": " + v.message;
    fmt::print(v.ok ? out : err,
               "  volume {} {}: {} of {} files sent, {} of {} bytes, {:.1f} s{}\n", v.pvc,
               v.ok ? "copied" : "FAILED", v.files_transferred, v.files_total, v.bytes_sent,
               v.bytes_total, static_cast<double>(v.duration_ms) / 1000, tail);
  }
  for (const auto& c : r.checks) {
    fmt::print(c.ok ? out : err, "  check {} {} ({}, from the {}): {}\n", c.name,
               c.ok ? "ok" : "FAILED", c.target, c.from, c.detail);
  }
  if (level != LogLevel::Warn && level != LogLevel::Error) {
    print_states(out, "source", r.source_state);
    print_states(out, "destination", r.dest_state);
  }
  if (level != LogLevel::Error) {
    for (const auto& w : r.warnings) fmt::print(err, "  warning: {}\n", w);
  }
  for (const auto& s : r.steps) {
    if (s.status == "failed") fmt::print(err, "  step {} failed\n", s.name);
  }
  for (const auto& e : r.errors) {
    if (o.error.find(e) == std::string::npos) fmt::print(err, "  error: {}\n", e);
  }
  if (r.sync) print_failed_objects(err, *r.sync);
}

void print_plan(std::FILE* out, const drsync::SyncResult& plan, LogLevel level) {
  int hidden = 0;
  for (const auto& obj : plan.objects) {
    bool change = obj.action != Action::Unchanged && obj.action != Action::Skip;
    if (!change && level != LogLevel::Debug) {
      ++hidden;
      continue;
    }
    fmt::print(out, "  {:<9} {}/{}{}{}\n", drsync::action_name(obj.action), obj.group_resource,
               obj.name, obj.message.empty() ? "" : ": ", obj.message);
    if (!obj.diff.empty()) fmt::print(out, "{}", indent(obj.diff, "      "));
  }
  if (hidden > 0) {
    fmt::print(out,
               "  ({} unchanged or skipped objects not listed; --log-level=debug lists them)\n",
               hidden);
  }
  for (const auto& w : plan.warnings) fmt::print(out, "  warning: {}\n", w);
}

void print_status(std::FILE* out, const drsync::MigrationStatus& st) {
  auto role = [](const std::string& r) { return r.empty() ? std::string("not set") : r; };
  fmt::print(out, "  active side:       {}\n", st.active_side);
  fmt::print(out, "  roles:             source {}, destination {}\n", role(st.source_role),
             role(st.dest_role));
  fmt::print(out, "  source reachable:  {}\n", st.source_reachable ? "yes" : "no");
  if (st.pending_mode.empty()) {
    fmt::print(out, "  pending operation: none\n");
  } else {
    std::string steps;
    for (const auto& s : st.pending_steps_done) steps += (steps.empty() ? "" : ", ") + s;
    fmt::print(out, "  pending operation: {} (steps done: {})\n", st.pending_mode,
               steps.empty() ? "none" : steps);
    fmt::print(out, "                     re-run --mode={} to complete it\n", st.pending_mode);
  }
  if (st.recorded.empty()) {
    fmt::print(out, "  ledger:            no original scale recorded in the destination\n");
  } else {
    fmt::print(out, "  ledger (original scale recorded in the destination):\n");
    for (const auto& [k, v] : st.recorded) fmt::print(out, "    {}: {}\n", k, v);
  }
}

}  // namespace

std::string command_word(const CliOptions& cli) {
  if (cli.command == Command::Status) return "status";
  if (cli.command == Command::Preflight) return "Preflight";
  return cli.mode ? drsync::mode_name(*cli.mode) : "?";
}

void print_text(std::FILE* out, std::FILE* err, const CliOptions& cli,
                const std::vector<Outcome>& outcomes) {
  std::string word = command_word(cli);
  if (cli.command == Command::Status) word = "Status";
  if (cli.dry_run && cli.command == Command::Run) word = fmt::format("Dry run: {}", word);
  for (const auto& o : outcomes) {
    std::string head = title(word, o);
    switch (o.result) {
      case Result::Succeeded:
        if (cli.command == Command::Status)
          fmt::print(out, "{}\n", head);
        else if (cli.dry_run)
          fmt::print(out, "{}: nothing written ({:.1f} s)\n", head, o.seconds);
        else
          fmt::print(out, "{}: succeeded ({:.1f} s)\n", head, o.seconds);
        break;
      case Result::Failed:
        fmt::print(out, "{}: FAILED ({:.1f} s)\n", head, o.seconds);
        break;
      case Result::Refused:
        fmt::print(out, "{}: REFUSED, nothing was changed\n", head);
        break;
    }
    if (o.plan && (cli.mode == drsync::Mode::Stage || cli.log_level == LogLevel::Debug)) {
      print_plan(out, *o.plan, cli.log_level);
    }
    for (std::size_t i = 0; i < o.would.size(); ++i) {
      fmt::print(out, "  {}. {}\n", i + 1, o.would[i]);
    }
    if (o.status && cli.command == Command::Status) print_status(out, *o.status);
    if (o.report && !cli.dry_run) print_report(out, err, o, cli.log_level);
    if (!o.error.empty()) {
      fmt::print(err, "{}", indent(fmt::format("error: {}", o.error), "  "));
      if (o.result == Result::Failed && o.report && !cli.dry_run &&
          cli.mode != drsync::Mode::Stage && !o.report->rolled_back && !o.report->steps.empty()) {
        fmt::print(err,
                   "  the {} is not finished: fix the cause and re-run the same command to "
                   "complete it (drsync status shows the steps done)\n",
                   word);
      }
    }
  }
  std::fflush(out);
  std::fflush(err);
}

}  // namespace drsync_cli
