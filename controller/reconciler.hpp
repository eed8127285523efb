// The controller's loop while it leads: watches NamespaceMappings and Failovers (only the
// changes that matter: creation, deletion, a new generation, the sync-now annotation), and on
// each change or every sync period lists both and brings the running work in line: a worker per
// unpaused NamespaceMapping (restarted when its spec changes), a run per pending Failover (its
// mapping's worker stopped meanwhile: a Cutover is never raced by a sync).
#pragma once

#include <drsync/cluster.hpp>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>

#include "failover_run.hpp"
#include "mapping_worker.hpp"
#include "metrics.hpp"
#include "status_writer.hpp"

namespace drsync_controller {

struct ReconcilerOptions {
  std::string watch_namespace;  // "": every namespace
  std::chrono::milliseconds sync_period{30000};
};

class Reconciler {
 public:
  Reconciler(drsync::Cluster home, Metrics& metrics, ReconcilerOptions options);
  ~Reconciler();

  // Until `cancel`: then every worker and Failover run is stopped before it returns.
  void run(const drsync::CancelToken& cancel);
  // Metrics of the running workers (from the HTTP thread).
  void collect() const;
  // Seconds since the loop last completed a pass (or started waiting): /healthz.
  double seconds_since_pass() const;

 private:
  void pass();
  // A NamespaceMapping as listed: its spec, or why it is invalid.
  struct Listed {
    ObjectRef ref;
    std::optional<NamespaceMappingSpec> spec;
    std::string error;
    bool synced_before = false;  // status.lastSyncTime is set
  };
  void reconcile_mappings(const std::vector<Listed>& mappings, const std::set<std::string>& busy);
  void reconcile_failovers(const std::vector<drsync::Object>& items,
                           const std::map<std::string, NamespaceMappingSpec>& mappings,
                           std::set<std::string>& busy);
  void ensure_worker(const NamespaceMappingSpec& spec, bool synced_before);
  void report_problem(const std::string& key, const drsync::ResourceInfo& r, const ObjectRef& ref,
                      std::string_view phase, const std::string& message);
  void watch(const drsync::ResourceInfo& r, const drsync::CancelToken& cancel);
  void mark_dirty();
  void stop_all();

  drsync::Cluster home_;
  Metrics& metrics_;
  ReconcilerOptions options_;
  StatusWriter status_;
  mutable std::mutex mutex_;  // workers_ (collect() reads it)
  std::map<std::string, std::unique_ptr<MappingWorker>> workers_;
  std::map<std::string, std::unique_ptr<FailoverRun>> failover_runs_;  // by uid
  std::map<std::string, std::string> reported_;  // key -> problem last written to its status
  std::mutex dirty_mutex_;
  std::condition_variable dirty_cv_;
  bool dirty_ = true;
  std::atomic<std::int64_t> last_pass_ns_{0};
};

}  // namespace drsync_controller
