// Internal: the source's watches of a ContinuousSync — one thread per watched type, each
// resuming from the last resourceVersion it saw, reconnecting with backoff after an error (an
// API server restarting), and pushing every change into the Debouncer. A 410 Gone re-list asks
// for a full resync (deletions during the gap are only seen by one). Stopped and joined on
// destruction.
#pragma once

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "drsync/cluster.hpp"
#include "sync/continuous_stats.hpp"
#include "sync/debouncer.hpp"
#include "sync/select.hpp"

namespace drsync::detail {

class SourceWatchers {
 public:
  struct Target {
    Cluster source;
    std::string ns;
    std::string label_selector;
  };
  // Starts watching types[i] from resource_versions[i].
  SourceWatchers(Target target, const std::vector<SelectedType>& types,
                 const std::vector<std::string>& resource_versions, Debouncer& debouncer,
                 StatsRecorder& stats, std::atomic<bool>& resync_requested);
  ~SourceWatchers();
  SourceWatchers(const SourceWatchers&) = delete;
  SourceWatchers& operator=(const SourceWatchers&) = delete;

 private:
  void watch_type(size_t index, ResourceInfo type, std::string resource_version);

  Target target_;
  Debouncer& debouncer_;
  StatsRecorder& stats_;
  std::atomic<bool>& resync_requested_;
  CancelToken cancel_;
  std::vector<std::thread> threads_;
};

}  // namespace drsync::detail
