#include "metrics.hpp"

#include <fmt/format.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cmath>
#include <fstream>
#include <stdexcept>

namespace drsync_controller {

const std::vector<MetricFamily>& metric_families() {
  static const std::vector<MetricFamily> families = {
      {"drsync_controller_leader", "gauge", "",
       "1 while this replica holds the Lease and acts, else 0"},
      {"drsync_controller_reconciles_total", "counter", "",
       "passes over the NamespaceMappings and Failovers"},
      {"drsync_mapping_syncs_total", "counter", "mapping, result",
       "full syncs (Stage runs, continuous resyncs) by result: success or failure"},
      {"drsync_mapping_changes_total", "counter", "mapping, action",
       "changes a continuous sync wrote or found unchanged, by action"},
      {"drsync_mapping_errors_total", "counter", "mapping",
       "failed syncs, writes and watch errors"},
      {"drsync_mapping_last_sync_timestamp_seconds", "gauge", "mapping",
       "end of the last successful full sync (Unix time)"},
      {"drsync_mapping_next_sync_timestamp_seconds", "gauge", "mapping",
       "next scheduled Stage (Scheduled mode, Unix time)"},
      {"drsync_mapping_lag_seconds", "gauge", "mapping, quantile",
       "continuous sync: source watch event to destination write, p50 and p99"},
      {"drsync_mapping_suspended", "gauge", "mapping",
       "1 while the destination is the active side and nothing is written"},
      {"drsync_failovers_total", "counter", "mode, result",
       "Failover objects run, by mode and result"},
  };
  return families;
}

namespace {

const MetricFamily& family_of(std::string_view name) {
  for (const auto& f : metric_families()) {
    if (name == f.name) return f;
  }
  throw std::logic_error(fmt::format("metric family {} is not declared", name));
}

std::string escape(std::string_view v) {
  std::string out;
  for (char c : v) {
    if (c == '\\' || c == '"') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out;
}

std::string label_text(const Labels& labels) {
  if (labels.empty()) return {};
  std::string out = "{";
  for (const auto& [k, v] : labels) {
    if (out.size() > 1) out += ',';
    out += fmt::format("{}=\"{}\"", k, escape(v));
  }
  return out + "}";
}

std::string number(double v) {
  if (std::floor(v) == v && std::fabs(v) < 1e15)
    return fmt::format("{}", static_cast<long long>(v));
  return fmt::format("{}", v);
}

std::string process_metrics() {
  rusage ru{};
  ::getrusage(RUSAGE_SELF, &ru);
  double cpu = static_cast<double>(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
               static_cast<double>(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
  long pages = 0, resident = 0;
  std::ifstream statm("/proc/self/statm");
  statm >> pages >> resident;
  double rss = static_cast<double>(resident) * static_cast<double>(::sysconf(_SC_PAGESIZE));
  return fmt::format(
      "# HELP process_cpu_seconds_total Total user and system CPU time spent in seconds.\n"
      "# TYPE process_cpu_seconds_total counter\nprocess_cpu_seconds_total {}\n"
      "# HELP process_resident_memory_bytes Resident memory size in bytes.\n"
      "# TYPE process_resident_memory_bytes gauge\nprocess_resident_memory_bytes {}\n",
      cpu, number(rss));
}

}  // namespace

void Metrics::set(std::string_view family, const Labels& labels, double value) {
  const auto& f = family_of(family);
  std::lock_guard lock(mutex_);
  series_[f.name][label_text(labels)] = value;
}

void Metrics::add(std::string_view family, const Labels& labels, double delta) {
  const auto& f = family_of(family);
  std::lock_guard lock(mutex_);
  series_[f.name][label_text(labels)] += delta;
}

double Metrics::get(std::string_view family, const Labels& labels) const {
  std::lock_guard lock(mutex_);
  auto fam = series_.find(family);
  if (fam == series_.end()) return 0;
  auto it = fam->second.find(label_text(labels));
  return it == fam->second.end() ? 0 : it->second;
}

void Metrics::forget(std::string_view label, std::string_view value) {
  std::string needle = fmt::format("{}=\"{}\"", label, escape(value));
  std::lock_guard lock(mutex_);
  for (auto& [name, series] : series_) {
    std::erase_if(series, [&](const auto& s) { return s.first.find(needle) != std::string::npos; });
  }
}

std::string Metrics::render() const {
  std::string out;
  {
    std::lock_guard lock(mutex_);
    for (const auto& f : metric_families()) {
      out += fmt::format("# HELP {} {}\n# TYPE {} {}\n", f.name, f.help, f.name, f.type);
      auto it = series_.find(f.name);
      if (it == series_.end()) continue;
      for (const auto& [labels, value] : it->second)
        out += fmt::format("{}{} {}\n", f.name, labels, number(value));
    }
  }
  return out + process_metrics();
}

}  // namespace drsync_controller
