// Internal: the counters and lag figures of a ContinuousSync, updated by its thread and its
// watch threads, read by stats() from any thread.
#pragma once

#include <chrono>
#include <mutex>
#include <string>
#include <vector>

#include "drsync/continuous.hpp"

namespace drsync::detail {

// The p-th percentile (0..100) of `samples` (sorted in place); 0 when there is none.
std::chrono::microseconds percentile(std::vector<std::chrono::microseconds>& samples, double p);

class StatsRecorder {
 public:
  void state(std::string state, std::string reason = {});
  void event();
  void watch_restart(const std::string& error);
  void relist();
  // One planned change and, when it was written, its lag.
  void change(Action action, std::chrono::microseconds lag);
  void resync(const SyncResult& result, std::string when);
  void error(std::string message);
  ContinuousStats snapshot() const;

 private:
  static constexpr size_t kLagWindow = 4096;  // the percentiles are of the last writes

  mutable std::mutex mutex_;
  ContinuousStats stats_;
  std::vector<std::chrono::microseconds> lags_;  // ring of the last kLagWindow
  size_t next_lag_ = 0;
};

}  // namespace drsync::detail
