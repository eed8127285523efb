// PlanReport as JSON and Markdown: one summary of every pair, then each pair's own report.
#include <fmt/format.h>
#include <rapidjson/prettywriter.h>
#include <rapidjson/stringbuffer.h>

#include "drsync/plan.hpp"

namespace drsync {
namespace {

using Writer = rapidjson::PrettyWriter<rapidjson::StringBuffer>;

void kv(Writer& w, const char* key, const std::string& value) {
  w.Key(key);
  w.String(value.c_str(), static_cast<rapidjson::SizeType>(value.size()));
}

void pair_json(Writer& w, const PlanPairReport& p) {
  w.StartObject();
  kv(w, "source", p.source_namespace);
  kv(w, "destination", p.dest_namespace);
  w.Key("ok");
  w.Bool(p.ok);
  w.Key("ran");
  w.Bool(p.ran);
  kv(w, "error", p.error);
  if (p.code != Errc::ok) kv(w, "code", errc_name(p.code));
  w.Key("seconds");
  w.Double(p.seconds);
  if (p.ran) {
    const std::string report = p.report.to_json();
    w.Key("report");
    w.RawValue(report.c_str(), report.size(), rapidjson::kObjectType);
  }
  w.EndObject();
}

// A table cell: one line, no column separator.
std::string cell(std::string s) {
  std::string out;
  for (char c : s) {
    if (c == '|')
      out += "\\|";
    else
      out += (c == '\n' || c == '\r') ? ' ' : c;
  }
  return out;
}

std::string summary_line(const PlanReport& r) {
  std::string line =
      fmt::format("{} pair(s), {} at a time: {}. {:.1f} s in all", r.pairs.size(), r.parallelism,
                  r.ok ? "all succeeded" : fmt::format("{} failed", r.failed()), r.seconds);
  if (r.ready_seconds > 0)
    line += fmt::format("; every started side was ready after {:.1f} s", r.ready_seconds);
  return line + (r.cancelled ? " (cancelled)" : "") + ".\n";
}

}  // namespace

std::size_t PlanReport::failed() const noexcept {
  std::size_t n = 0;
  for (const auto& p : pairs) n += p.ok ? 0 : 1;
  return n;
}

std::string PlanReport::to_json() const {
  rapidjson::StringBuffer buf;
  Writer w(buf);
  w.SetIndent(' ', 2);
  w.StartObject();
  kv(w, "mode", mode_name(mode));
  w.Key("ok");
  w.Bool(ok);
  w.Key("cancelled");
  w.Bool(cancelled);
  w.Key("parallelism");
  w.Uint64(parallelism);
  w.Key("seconds");
  w.Double(seconds);
  w.Key("readySeconds");
  w.Double(ready_seconds);
  w.Key("pairs");
  w.StartArray();
  for (const auto& p : pairs) pair_json(w, p);
  w.EndArray();
  w.EndObject();
  return buf.GetString();
}

std::string PlanReport::to_markdown() const {
  std::string md =
      fmt::format("# drsync {} of a DR plan\n\n{}\n", mode_name(mode), summary_line(*this));
  md += "| source | destination | result | seconds | error |\n| --- | --- | --- | ---: | --- |\n";
  for (const auto& p : pairs) {
    md += fmt::format("| {} | {} | {} | {:.1f} | {} |\n", p.source_namespace, p.dest_namespace,
                      p.ok ? "ok" : (p.ran ? "FAILED" : "not run"), p.seconds, cell(p.error));
  }
  for (const auto& p : pairs) {
    if (p.ran)
      md += fmt::format("\n## {} -> {}\n\n{}", p.source_namespace, p.dest_namespace,
                        p.report.to_markdown());
  }
  return md;
}

}  // namespace drsync
