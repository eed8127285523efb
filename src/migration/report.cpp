// MigrationReport and MigrationStatus as JSON and Markdown: what cutover runbooks ask operators to
// write down by hand.
#include <rapidjson/prettywriter.h>
#include <rapidjson/stringbuffer.h>

#include <sstream>

#include "drsync/migration.hpp"

namespace drsync {
namespace {

using Writer = rapidjson::PrettyWriter<rapidjson::StringBuffer>;

// A pretty-printed JSON object whose members `body` writes.
template <typename F>
std::string json_object(F&& body) {
  rapidjson::StringBuffer buf;
  Writer w(buf);
  w.SetIndent(' ', 2);
  w.StartObject();
  body(w);
  w.EndObject();
  return buf.GetString();
}

void kv(Writer& w, const char* k, const std::string& v) {
  w.Key(k);
  w.String(v.c_str());
}

void strings(Writer& w, const char* k, const std::vector<std::string>& list) {
  w.Key(k);
  w.StartArray();
  for (const auto& s : list) w.String(s.c_str());
  w.EndArray();
}

void states(Writer& w, const char* k, const std::vector<WorkloadState>& list) {
  w.Key(k);
  w.StartArray();
  for (const auto& s : list) {
    w.StartObject();
    kv(w, "resource", s.resource);
    kv(w, "name", s.name);
    kv(w, "scale", s.value);
    if (!s.ready.empty()) kv(w, "ready", s.ready);
    if (!s.recorded.empty()) kv(w, "recordedOriginal", s.recorded);
    w.EndObject();
  }
  w.EndArray();
}

void checks_json(Writer& w, const std::vector<CheckResult>& list) {
  w.Key("checks");
  w.StartArray();
  for (const auto& c : list) {
    w.StartObject();
    kv(w, "name", c.name);
    kv(w, "kind", c.kind);
    kv(w, "target", c.target);
    kv(w, "from", c.from);
    w.Key("ok");
    w.Bool(c.ok);
    kv(w, "detail", c.detail);
    w.Key("durationMs");
    w.Int64(c.duration_ms);
    w.EndObject();
  }
  w.EndArray();
}

void volumes_json(Writer& w, const std::vector<VolumeCopy>& list) {
  w.Key("volumes");
  w.StartArray();
  for (const auto& v : list) {
    w.StartObject();
    kv(w, "pvc", v.pvc);
    w.Key("ok");
    w.Bool(v.ok);
    for (auto [key, n] : {std::pair{"filesTotal", v.files_total},
                          {"filesTransferred", v.files_transferred},
                          {"bytesTotal", v.bytes_total},
                          {"bytesSent", v.bytes_sent}}) {
      w.Key(key);
      w.Uint64(n);
    }
    w.Key("durationMs");
    w.Int64(v.duration_ms);
    w.Key("rsyncExit");
    w.Int(v.rsync_exit);
    kv(w, "message", v.message);
    if (!v.verify.empty()) kv(w, "verify", v.verify);
    w.EndObject();
  }
  w.EndArray();
}

void volumes_markdown(std::ostringstream& md, const std::vector<VolumeCopy>& list) {
  if (list.empty()) return;
  md << "\n## Volume data\n\n| PVC | result | files sent / total | bytes sent / total | time | "
        "verification |\n| --- | --- | --- | --- | --- | --- |\n";
  for (const auto& v : list) {
    md << "| " << v.pvc << " | " << (v.ok ? "ok" : "FAILED") << ": " << v.message << " | "
       << v.files_transferred << " / " << v.files_total << " | " << v.bytes_sent << " / "
       << v.bytes_total << " | " << v.duration_ms / 1000.0 << " s | " << v.verify << " |\n";
  }
}

// Readiness and service checks of the side that was started.
void serving_markdown(std::ostringstream& md, const MigrationReport& r) {
  if (!r.readiness.empty()) {
    md << "\n## Readiness\n\n";
    for (const auto& line : r.readiness) md << "- " << line << "\n";
  }
  if (!r.checks.empty()) {
    md << "\n## Service checks\n\n| check | kind | target | from | result |\n"
          "| --- | --- | --- | --- | --- |\n";
    for (const auto& c : r.checks) {
      md << "| " << c.name << " | " << c.kind << " | " << c.target << " | " << c.from << " | "
         << (c.ok ? "ok" : "FAILED") << ": " << c.detail << " |\n";
    }
  }
}

void change(Writer& w, const WorkloadChange& c) {
  w.StartObject();
  kv(w, "side", side_name(c.side));
  kv(w, "resource", c.resource);
  kv(w, "name", c.name);
  kv(w, "from", c.from);
  kv(w, "to", c.to);
  w.EndObject();
}

void planned_step(Writer& w, const PlannedStep& s) {
  w.StartObject();
  kv(w, "name", s.name());
  kv(w, "side", side_name(s.side));
  kv(w, "description", s.description());
  w.Key("changes");
  w.StartArray();
  for (const auto& c : s.changes) change(w, c);
  w.EndArray();
  strings(w, "notes", s.notes);
  if (s.sync) {
    std::string plan = s.sync->to_json();
    w.Key("syncPlan");
    w.RawValue(plan.c_str(), plan.size(), rapidjson::kObjectType);
  }
  w.EndObject();
}

void planned_steps(Writer& w, const char* k, const std::vector<PlannedStep>& list) {
  w.Key(k);
  w.StartArray();
  for (const auto& s : list) planned_step(w, s);
  w.EndArray();
}

void preflight_json(Writer& w, const PreflightReport& r) {
  w.StartObject();
  w.Key("ok");
  w.Bool(r.ok());
  w.Key("findings");
  w.StartArray();
  for (const auto& f : r.findings) {
    w.StartObject();
    kv(w, "severity", severity_name(f.severity));
    kv(w, "check", f.check);
    kv(w, "object", f.object);
    kv(w, "message", f.message);
    kv(w, "fix", f.fix);
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
}

}  // namespace

std::string PreflightReport::to_json() const {
  rapidjson::StringBuffer buf;
  Writer w(buf);
  w.SetIndent(' ', 2);
  preflight_json(w, *this);
  return buf.GetString();
}

std::string StepPlan::to_json() const {
  return json_object([&](Writer& w) {
    kv(w, "mode", mode_name(mode));
    w.Key("resume");
    w.Bool(resume);
    w.Key("sourceReachable");
    w.Bool(source_reachable);
    kv(w, "nothingToDo", nothing_to_do);
    planned_steps(w, "steps", steps);
    planned_steps(w, "rollback", rollback);
    w.Key("skipped");
    w.StartArray();
    for (const auto& s : skipped) {
      w.StartObject();
      kv(w, "name", s.name);
      kv(w, "reason", s.message);
      w.EndObject();
    }
    w.EndArray();
    strings(w, "warnings", warnings);
    if (preflight) {
      w.Key("preflight");
      preflight_json(w, *preflight);
    }
  });
}

std::string MigrationReport::to_json() const {
  return json_object([&](Writer& w) {
    kv(w, "mode", mode_name(mode));
    w.Key("ok");
    w.Bool(ok);
    kv(w, "started", started);
    kv(w, "finished", finished);
    w.Key("sourceReachable");
    w.Bool(source_reachable);
    w.Key("sourceFenced");
    w.Bool(source_fenced);
    w.Key("rolledBack");
    w.Bool(rolled_back);
    w.Key("steps");
    w.StartArray();
    for (const auto& s : steps) {
      w.StartObject();
      kv(w, "name", s.name);
      kv(w, "status", s.status);
      kv(w, "started", s.started);
      kv(w, "finished", s.finished);
      if (!s.message.empty()) kv(w, "message", s.message);
      w.EndObject();
    }
    w.EndArray();
    w.Key("changes");
    w.StartArray();
    for (const auto& c : changes) change(w, c);
    w.EndArray();
    strings(w, "readiness", readiness);
    checks_json(w, checks);
    volumes_json(w, volumes);
    strings(w, "warnings", warnings);
    strings(w, "errors", errors);
    strings(w, "notCopied", sync ? sync->not_copied : std::vector<std::string>{});
    if (preflight) {
      w.Key("preflight");
      preflight_json(w, *preflight);
    }
    if (sync) {
      w.Key("sync");
      w.StartObject();
      for (Action a : kAllActions) {
        w.Key(action_name(a));
        w.Int(sync->count(a));
      }
      w.EndObject();
    }
    w.Key("finalState");
    w.StartObject();
    states(w, "source", source_state);
    states(w, "destination", dest_state);
    w.EndObject();
  });
}

std::string MigrationReport::to_markdown() const {
  std::ostringstream md;
  md << "# drsync " << mode_name(mode) << " report\n\n";
  md << "- Result: **" << (ok ? "succeeded" : "FAILED") << "**"
     << (rolled_back ? " (rolled back)" : "") << "\n";
  md << "- Started: " << started << ", finished: " << finished << "\n";
  md << "- Source reachable: " << (source_reachable ? "yes" : "no")
     << "; source fenced: " << (source_fenced ? "yes" : "no") << "\n\n";
  md << "## Steps\n\n| step | status | started | finished | note |\n| --- | --- | --- | --- | --- "
        "|\n";
  for (const auto& s : steps) {
    md << "| " << s.name << " | " << s.status << " | " << s.started << " | " << s.finished << " | "
       << s.message << " |\n";
  }
  md << "\n## Scale changes\n\n";
  if (changes.empty())
    md << "None.\n";
  else {
    md << "| side | workload | from | to |\n| --- | --- | --- | --- |\n";
    for (const auto& c : changes) {
      md << "| " << side_name(c.side) << " | " << c.resource << "/" << c.name << " | " << c.from
         << " | " << c.to << " |\n";
    }
  }
  volumes_markdown(md, volumes);
  serving_markdown(md, *this);
  if (sync) {
    md << "\n## Sync\n\n"
       << sync->count(Action::Create) << " created, " << sync->count(Action::Update) << " updated, "
       << sync->count(Action::Unchanged) << " unchanged, " << sync->count(Action::Prune)
       << " pruned, " << sync->errors.size() << " errors.\n";
    for (const auto& n : sync->not_copied) md << "- Not copied: " << n << "\n";
  }
  if (preflight && !preflight->findings.empty()) {
    md << "\n## Preflight\n\n| severity | object | finding | fix |\n| --- | --- | --- | --- |\n";
    for (const auto& f : preflight->findings) {
      md << "| " << severity_name(f.severity) << " | " << f.object << " | " << f.message << " | "
         << f.fix << " |\n";
    }
  }
  auto table = [&](const char* title, const std::vector<WorkloadState>& list) {
    md << "\n## Final state: " << title << "\n\n";
    if (list.empty()) {
      md << "No workloads (or not reachable).\n";
      return;
    }
    md << "| workload | scale | ready | recorded original |\n| --- | --- | --- | --- |\n";
    for (const auto& s : list) {
      md << "| " << s.resource << "/" << s.name << " | " << s.value << " | " << s.ready << " | "
         << s.recorded << " |\n";
    }
  };
  table("source", source_state);
  table("destination", dest_state);
  if (!warnings.empty()) {
    md << "\n## Warnings\n\n";
    for (const auto& w : warnings) md << "- " << w << "\n";
  }
  if (!errors.empty()) {
    md << "\n## Errors\n\n";
    for (const auto& e : errors) md << "- " << e << "\n";
  }
  return md.str();
}

std::string MigrationStatus::to_json() const {
  return json_object([&](Writer& w) {
    kv(w, "activeSide", active_side);
    kv(w, "sourceRole", source_role);
    kv(w, "destinationRole", dest_role);
    w.Key("sourceReachable");
    w.Bool(source_reachable);
    kv(w, "pendingMode", pending_mode);
    strings(w, "pendingStepsDone", pending_steps_done);
    w.Key("ledger");
    w.StartObject();
    for (const auto& [k, v] : recorded) kv(w, k.c_str(), v);
    w.EndObject();
  });
}

}  // namespace drsync
