// Migration: Stage, Cutover and Failback between a source and a destination namespace, built from
// public, idempotent step functions so an embedder can run its own step (a storage failover, a DNS
// switch) between any two. Crash-safe through a journal kept in the destination namespace
// (ConfigMap `drsync-state`) and optionally in a local file.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "drsync/cluster.hpp"
#include "drsync/export.hpp"
#include "drsync/ledger.hpp"
#include "drsync/sync.hpp"

namespace drsync {

enum class Side { Source, Destination };
enum class Mode { Stage, Cutover, Failback };
DRSYNC_API const char* side_name(Side s) noexcept;
DRSYNC_API const char* mode_name(Mode m) noexcept;

inline constexpr const char* kStateConfigMap = "drsync-state";

// Which workloads a mode acts on: all (empty), named ones ("web", "deployments/web",
// "statefulsets.apps/db"), and/or those matching a label selector (equality terms "a=b,c!=d").
struct WorkloadSelector {
  std::vector<std::string> names;
  std::string label_selector;
  bool empty() const noexcept { return names.empty() && label_selector.empty(); }
};

struct MigrationProgress {
  std::string step;    // "sync", "scale_down", ...
  std::string object;  // "deployments.apps/web", may be empty
  std::size_t done = 0;
  std::size_t total = 0;
};

class Migration;

// Called before and after every step; throwing from it aborts the operation (the journal keeps
// what was done, so re-running the mode resumes).
struct StepEvent {
  Mode mode;
  std::string step;
  bool before = true;
  Migration* migration = nullptr;
};

struct MigrationOptions {
  SyncOptions sync;  // for the sync step (stop_workloads is always on)
  WorkloadSelector subset;
  bool force = false;                      // override fencing and pending-operation refusals
  bool source_unavailable = false;         // do not even try the source (a disaster)
  int source_probe_attempts = 3;           // bounded probes before treating the source as down
  std::chrono::seconds wait_timeout{300};  // wait_ready
  std::chrono::seconds gone_timeout{120};  // wait_gone
  std::chrono::milliseconds poll_interval{500};
  bool rollback_on_failure =
      false;                  // cutover: re-activate the source if the destination is not ready
  bool migrate_data = false;  // run data_hook during cutover
  bool reverse_migrate_data = false;  // run data_hook (reverse) first during failback
  bool reverse_sync = false;          // failback: copy destination changes back to the source first
  std::string journal_file;           // optional local journal (fsync'd)
  std::function<void(const MigrationProgress&)> progress;
  std::function<void(const StepEvent&)> step_hook;
  // The PVC data mover seam: copy data `from` -> `to` (later: rsync over SSH, vendor hooks).
  std::function<void(Migration&, Side from, Side to)> data_hook;
  CancelToken cancel;
};

struct StepRecord {
  std::string name;
  std::string started;   // RFC 3339
  std::string finished;  // RFC 3339
  std::string status;    // ok, skipped, failed
  std::string message;
};

struct WorkloadChange {
  Side side = Side::Source;
  std::string resource;  // deployments.apps
  std::string name;
  std::string from;
  std::string to;
};

struct WorkloadState {
  std::string resource;
  std::string name;
  std::string value;     // live scale
  std::string ready;     // "2/2" for replica workloads, "" otherwise
  std::string recorded;  // ledger annotation, "" if none
};

struct DRSYNC_API MigrationReport {
  Mode mode = Mode::Stage;
  bool ok = false;
  bool source_reachable = true;
  bool source_fenced = false;
  bool rolled_back = false;
  std::string started;
  std::string finished;
  std::vector<StepRecord> steps;
  std::vector<WorkloadChange> changes;
  std::vector<std::string> readiness;  // "deployments.apps/web: 2/2 ready"
  std::vector<std::string> warnings;
  std::vector<std::string> errors;
  std::optional<SyncResult> sync;
  std::vector<WorkloadState> source_state;
  std::vector<WorkloadState> dest_state;
  std::string to_json() const;
  std::string to_markdown() const;
};

// What `drsync status` shows.
struct DRSYNC_API MigrationStatus {
  std::string active_side;  // "source", "destination", "unknown"
  std::string source_role;  // role recorded on each side: active, passive, "" (never set)
  std::string dest_role;
  bool source_reachable = true;
  std::string pending_mode;  // a half-done operation, "" if none
  std::vector<std::string> pending_steps_done;
  std::map<std::string, std::string> recorded;  // ledger: resource/name -> original
  std::string to_json() const;
};

class DRSYNC_API Migration {
 public:
  Migration(Cluster source, std::string source_namespace, Cluster dest, std::string dest_namespace,
            MigrationOptions options = {});
  ~Migration();
  Migration(Migration&&) noexcept;
  Migration& operator=(Migration&&) noexcept;

  // The modes. They throw Error(fenced) / Error(pending) when refused; any other failure is in
  // the report (ok == false).
  MigrationReport stage();
  MigrationReport cutover();
  MigrationReport failback();

  // The steps (each idempotent). `from`/`to` follow the mode being run: during a cutover the sync
  // goes source -> destination, during a failback destination -> source.
  void sync(Side from, Side to);
  void record(Side side);   // write the originals of `side`'s workloads onto them and the journal
  void fence(Side side);    // mark the side passive
  void unfence(Side side);  // mark the side active
  void scale_down(Side side);
  void scale_up(Side side);
  void wait_gone(Side side);
  void wait_ready(Side side);
  void migrate_data(Side from, Side to);
  void verify(Side active);
  MigrationReport report() const;

  MigrationStatus status();
  // The ledger as recorded on one side's workloads: resource/name -> original value.
  std::map<std::string, std::string> ledger(Side side);

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace drsync
