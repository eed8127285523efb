// Internal: the latest state of a set of workloads, kept by one WATCH per kind, so wait_ready
// reacts to the last Pod becoming ready at once instead of at its next LIST.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "drsync/cluster.hpp"
#include "migration/workloads.hpp"

namespace drsync::detail {

class WorkloadWatch {
 public:
  // Starts a watch per kind of `workloads` in `ns` (each begins with a LIST, so no change
  // between the caller's LIST and the watch is missed).
  WorkloadWatch(const Cluster& cluster, std::string ns, std::vector<Workload> workloads);
  // Stops the watches and joins them (a watch notices a stop within about a second: stop()
  // early, destroy later, and the wait is not the caller's).
  ~WorkloadWatch();
  void stop() noexcept { stop_.cancel(); }
  WorkloadWatch(const WorkloadWatch&) = delete;
  WorkloadWatch& operator=(const WorkloadWatch&) = delete;

  // Waits up to `timeout` for a change (returns at once when one happened since the last call),
  // then calls `read` with the workloads as last seen (under the watch's lock: read, do not keep).
  void next(std::chrono::milliseconds timeout,
            const std::function<void(const std::vector<Workload>&)>& read);
  // Why a watch ended on an error ("" while they all run): the caller polls instead.
  std::string failed() const;

 private:
  struct State;
  void run(const ResourceInfo& type);

  Cluster cluster_;
  std::string ns_;
  std::shared_ptr<State> state_;
  CancelToken stop_;
  std::vector<std::thread> threads_;
};

}  // namespace drsync::detail
