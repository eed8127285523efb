// One NamespaceMapping at work, on a thread of its own: a ContinuousSync (Continuous), a Stage at
// each tick of the cron schedule (Scheduled), or a Stage on the sync-now annotation only
// (Manual). It writes the mapping's status and metrics as it goes, retries with backoff when the
// clusters cannot be resolved or reached, and stops at once on stop() (in-flight requests are
// aborted).
#pragma once

#include <drsync/continuous.hpp>
#include <drsync/migration.hpp>
#include <drsync/sync.hpp>

#include <condition_variable>
#include <mutex>
#include <thread>

#include "metrics.hpp"
#include "remote_clusters.hpp"
#include "resources.hpp"
#include "status_writer.hpp"

namespace drsync_controller {

struct WorkerContext {
  drsync::Cluster home;
  Metrics* metrics = nullptr;
  const StatusWriter* status = nullptr;
};

class MappingWorker {
 public:
  MappingWorker(WorkerContext ctx, NamespaceMappingSpec spec, bool synced_before);
  ~MappingWorker();
  MappingWorker(const MappingWorker&) = delete;
  MappingWorker& operator=(const MappingWorker&) = delete;

  const NamespaceMappingSpec& spec() const noexcept { return spec_; }
  // sync-now: a Stage now (Continuous: a fresh full sync now).
  void trigger();
  // Cancels and joins; idempotent.
  void stop();
  // Puts the continuous sync's lag and state into the metrics (from any thread).
  void collect() const;

 private:
  void main();
  void run_mode(ClusterPair& pair);
  void run_continuous(ClusterPair& pair);
  void run_scheduled(ClusterPair& pair);
  void run_manual(ClusterPair& pair);
  void stage(ClusterPair& pair, std::string_view why);
  void on_event(const drsync::ContinuousEvent& e);
  // Waits until `until`, a trigger, or stop; false on stop. Consumes the trigger.
  bool wait_until(std::chrono::system_clock::time_point until);
  void write_status(std::string_view phase, std::string_view message, bool ok,
                    std::string extra = {});
  void record_sync(const drsync::SyncResult& result, std::chrono::milliseconds took,
                   const std::vector<drsync::VolumeCopy>& volumes = {});
  void record_failure(std::string_view phase, const std::string& message);
  Labels labels() const { return {{"mapping", spec_.self.key()}}; }

  WorkerContext ctx_;
  NamespaceMappingSpec spec_;
  bool synced_before_;
  drsync::CancelToken cancel_;
  mutable std::mutex mutex_;
  std::condition_variable cv_;
  bool triggered_ = false;
  drsync::ContinuousSync* running_ = nullptr;  // guarded by mutex_
  std::vector<drsync::Cluster> clusters_;      // guarded by mutex_: aborted on stop()
  bool condition_ok_ = false;
  std::string condition_since_;
  std::chrono::steady_clock::time_point last_event_write_{};
  std::thread thread_;
};

}  // namespace drsync_controller
