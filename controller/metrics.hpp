// The controller's metrics, in the Prometheus text exposition format (GET /metrics). Every
// family is declared once, in the table of metrics.cpp (name, type, help); docs/controller.md
// lists the same table, printed by `drsync-controller --list-metrics`.
#pragma once

#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace drsync_controller {

struct MetricFamily {
  const char* name;
  const char* type;  // "counter" or "gauge"
  const char* labels;
  const char* help;
};
const std::vector<MetricFamily>& metric_families();

using Labels = std::vector<std::pair<std::string, std::string>>;

class Metrics {
 public:
  // Throws std::logic_error for a family not in the table.
  void set(std::string_view family, const Labels& labels, double value);
  void add(std::string_view family, const Labels& labels, double delta = 1);
  double get(std::string_view family, const Labels& labels) const;
  // Drops every series of every family with this label value (a deleted NamespaceMapping).
  void forget(std::string_view label, std::string_view value);
  // The exposition text, with the process' own CPU and resident memory.
  std::string render() const;

 private:
  mutable std::mutex mutex_;
  std::map<std::string, std::map<std::string, double>, std::less<>>
      series_;  // family -> labels -> value
};

}  // namespace drsync_controller
