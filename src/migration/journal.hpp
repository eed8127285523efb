// Internal: the journal of a Migration and the role marker of each side, kept in the namespace's
// ConfigMap `drsync-state` (data.role, data.journal) and optionally in a local file (fsync'd).
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "drsync/cluster.hpp"

namespace drsync::detail {

struct Journal {
  std::string mode;    // Stage | Cutover | Failback; "" when there is none
  std::string status;  // running | done
  std::string subset;  // the workload selection it ran with (re-runs must match)
  std::string started;
  std::vector<std::string> steps_done;
  std::map<std::string, std::string> values;  // "deployments.apps/web" -> original scale
  // migrate_data: "<step name>/<pvc>" of every PVC copied by this run (skipped when resuming)
  std::vector<std::string> volumes_done;

  bool done(const std::string& step) const;
  std::string to_json() const;
  static Journal from_json(const std::string& text);
};

// The `drsync-state` ConfigMap of one namespace.
class StateStore {
 public:
  StateStore(Cluster cluster, std::string ns) : cluster_(std::move(cluster)), ns_(std::move(ns)) {}
  // role and journal as stored; nullopt when the ConfigMap does not exist.
  struct State {
    std::string role;
    std::optional<Journal> journal;
  };
  std::optional<State> load() const;
  // Merge-patches the given fields (created when missing); an empty optional leaves a field.
  void save(const std::optional<std::string>& role, const std::optional<Journal>& journal) const;

 private:
  Cluster cluster_;
  std::string ns_;
};

// Writes the journal to a local file atomically (write temp, fsync, rename, fsync dir).
void write_journal_file(const std::string& path, const Journal& journal);
std::optional<Journal> read_journal_file(const std::string& path);

std::string now_rfc3339();

}  // namespace drsync::detail
