// One Failover object run: a Cutover or Failback of its NamespaceMapping's namespace pair, on a
// thread of its own, with the MigrationReport recorded in the Failover's status. A Failover found
// Running (the controller was stopped half-way, or lost the Lease) runs again: the Migration's
// journal resumes it where it stopped.
#pragma once

#include <drsync/cluster.hpp>

#include <atomic>
#include <functional>
#include <mutex>
#include <thread>

#include "mapping_worker.hpp"
#include "resources.hpp"

namespace drsync_controller {

class FailoverRun {
 public:
  // `on_done` is called on the run's thread when it ends (the reconciler looks again).
  FailoverRun(WorkerContext ctx, FailoverSpec failover, NamespaceMappingSpec mapping,
              std::function<void()> on_done);
  ~FailoverRun();
  FailoverRun(const FailoverRun&) = delete;
  FailoverRun& operator=(const FailoverRun&) = delete;

  bool done() const noexcept { return done_; }
  const FailoverSpec& failover() const noexcept { return failover_; }
  void stop();

 private:
  void main();
  void finish(bool ok, const std::string& message, const std::string& report_json);

  WorkerContext ctx_;
  FailoverSpec failover_;
  NamespaceMappingSpec mapping_;
  std::function<void()> on_done_;
  drsync::CancelToken cancel_;
  std::atomic<bool> done_{false};
  std::mutex mutex_;
  std::vector<drsync::Cluster> clusters_;  // guarded by mutex_
  std::thread thread_;
};

}  // namespace drsync_controller
