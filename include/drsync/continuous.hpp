// ContinuousSync: keeps one namespace pair in sync until cancelled (docs/continuous.md). A full
// sync first; then every selected type of the source is watched (resumed by resourceVersion,
// re-listed on 410 Gone, reconnected with backoff), bursts are debounced per object, and each
// change goes through the same Planner and Applier as a full sync (transforms, hash skip,
// ReplicaLedger, policies, prune). A full resync runs every resync_interval and repairs drift.
// It never writes into an active DR site: when the source is fenced or the destination marked
// active (a Cutover), it suspends, says why, and resumes only after a Failback.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "drsync/cluster.hpp"
#include "drsync/export.hpp"
#include "drsync/sync.hpp"

namespace drsync {

enum class ContinuousEventKind {
  Resynced,    // a full sync ended (result set; message: summary)
  Applied,     // one change written (or found unchanged / skipped / failed)
  Suspended,   // the destination is the active side: nothing is written (message: why)
  Resumed,     // after a Failback
  WatchError,  // a watch failed and is reconnecting, or a resync failed (message)
};
DRSYNC_API const char* continuous_event_name(ContinuousEventKind kind) noexcept;

struct ContinuousEvent {
  ContinuousEventKind kind = ContinuousEventKind::Applied;
  std::string object;  // Applied: "deployments.apps/web"
  Action action = Action::Unchanged;
  std::string message;
  std::chrono::microseconds lag{0};    // Applied: first source event seen -> destination written
  const SyncResult* result = nullptr;  // Resynced: valid during the callback
};

struct DRSYNC_API ContinuousStats {
  std::string state;             // "starting", "syncing", "suspended", "stopped"
  std::string suspended_reason;  // while suspended
  std::uint64_t events = 0;      // watch events received
  std::uint64_t changes = 0;     // changes planned (after debouncing)
  std::uint64_t created = 0, updated = 0, pruned = 0, unchanged = 0, skipped = 0, errors = 0;
  std::uint64_t resyncs = 0;         // full syncs done
  std::uint64_t watch_restarts = 0;  // watches reconnected after an error
  std::uint64_t relists = 0;         // resyncs asked for by a 410 Gone re-list
  std::chrono::microseconds lag_last{0}, lag_p50{0}, lag_p99{0}, lag_max{0};  // of writes
  std::string last_full_sync;  // RFC 3339, "" before the first
  std::string last_error;
  std::string to_json() const;
};

struct ContinuousOptions {
  SyncOptions sync;  // what and how, as for a full sync (its cancel token is replaced)
  std::chrono::milliseconds resync_interval = std::chrono::hours(1);
  std::chrono::milliseconds debounce{100};    // an object quiet this long is written
  std::chrono::milliseconds max_delay{1000};  // ... or after this long, however busy
  // How often the roles of both sides are read when no change came (and while suspended).
  std::chrono::milliseconds state_poll{2000};
  bool repair_drift = true;  // resyncs put back destination objects edited by hand
  // true: run() returns StopReason::Fenced when the destination becomes active; false: it
  // waits, suspended, until a Failback.
  bool stop_when_fenced = false;
  // Every event, on run()'s thread.
  std::function<void(const ContinuousEvent&)> on_event;
};

enum class StopReason { Cancelled, Fenced };

class DRSYNC_API ContinuousSync {
 public:
  ContinuousSync(Cluster source, std::string source_namespace, Cluster dest,
                 std::string dest_namespace, ContinuousOptions options = {});
  ~ContinuousSync();
  ContinuousSync(const ContinuousSync&) = delete;
  ContinuousSync& operator=(const ContinuousSync&) = delete;

  // Blocks until cancel() or, with stop_when_fenced, until the destination becomes active. A
  // failure of the first full sync throws; later failures are reported (WatchError, stats) and
  // retried.
  StopReason run();
  // From any thread (or a signal-safe flag watcher): run() returns soon after.
  void cancel() noexcept;
  // From any thread.
  ContinuousStats stats() const;

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace drsync
