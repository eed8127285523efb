// Migration: Stage, Cutover and Failback between a source and a destination namespace, built from
// public, idempotent step functions so an embedder can run its own step (a storage failover, a DNS
// switch) between any two. Crash-safe through a journal kept in the destination namespace
// (ConfigMap `drsync-state`) and optionally in a local file.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "drsync/cluster.hpp"
#include "drsync/export.hpp"
#include "drsync/ledger.hpp"
#include "drsync/sync.hpp"

namespace drsync {

enum class Side { Source, Destination };
// Activate / Deactivate act on one cluster only (Migration::single): storkctl's verbs.
enum class Mode { Stage, Cutover, Failback, Activate, Deactivate };
// The steps the modes are made of; each is idempotent. One table (src/migration/names.cpp) gives
// their names and descriptions to C++, C, Python, the CLI and the docs.
enum class Step {
  Sync,         // copy every selected resource into `side` from the other side
  Record,       // write the original scale of `side`'s workloads into the journal
  Fence,        // mark `side` passive
  Unfence,      // mark `side` active
  ScaleDown,    // stop `side`'s workloads, recording their originals on them
  ScaleUp,      // start `side`'s workloads at their recorded originals
  WaitGone,     // wait until `side`'s workloads have no Pods
  WaitReady,    // wait until `side`'s workloads are ready
  MigrateData,  // copy volume data into `side` from the other side
  Verify,       // `side` (the active side) runs at the recorded counts, the other side is stopped
  // every Service of `side` that selects a started workload has ready endpoints, and the
  // user's HTTP / TCP checks pass (MigrationOptions::service_checks)
  CheckServices,
};
inline constexpr int kStepCount = 11;

DRSYNC_API const char* side_name(Side s) noexcept;  // "source", "destination"
DRSYNC_API const char* mode_name(Mode m) noexcept;  // "Stage", "Cutover", ..., "Deactivate"
DRSYNC_API const char* mode_id(Mode m) noexcept;    // "stage", "cutover", ..., "deactivate"
DRSYNC_API std::optional<Mode> parse_mode(std::string_view text) noexcept;  // either spelling
DRSYNC_API const char* step_name(Step s) noexcept;  // "sync", "scale_down", ...
// "scale down the source", "sync the destination from the source", ...
DRSYNC_API std::string step_description(Step s, Side side);
DRSYNC_API std::optional<Step> parse_step(std::string_view name) noexcept;
DRSYNC_API std::string step_names();  // "sync, record, ..." for messages

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
  std::string original;  // what it runs at when active: the recorded original, else the live value
  std::string stopped_value;  // "0", "true"
  bool stopped = false;
  std::string key() const { return resource + "/" + name; }
};

// One step of a mode: what, on which side; rollback steps run only when a Cutover's destination
// does not become ready and rollback_on_failure is set.
struct DRSYNC_API PlannedStep {
  Step step = Step::Sync;
  Side side = Side::Source;
  bool rollback = false;
  // Filled by Migration::plan(mode, true) only: what the step would change.
  std::vector<WorkloadChange> changes;  // ScaleDown / ScaleUp
  std::vector<std::string> notes;       // workloads it would leave alone, and why
  std::optional<SyncResult> sync;       // Sync: the sync plan (diffs, masked)
  // As in reports and the journal: "scale_down", "rollback_scale_down".
  std::string name() const;
  std::string description() const;
};

// Which workloads a mode acts on: all (empty), named ones ("web", "deployments/web",
// "statefulsets.apps/db"), and/or those matching a label selector (equality terms "a=b,c!=d").
struct WorkloadSelector {
  std::vector<std::string> names;
  std::string label_selector;
  bool empty() const noexcept { return names.empty() && label_selector.empty(); }
};

// Where drsync's own short-lived Pods run (service-check Pods): a nodeSelector and tolerations,
// as in a Pod spec.
struct Toleration {
  std::string key;
  std::string op = "Equal";  // Equal, Exists
  std::string value;
  std::string effect;  // NoSchedule, PreferNoSchedule, NoExecute, "" (all)
};
struct PodPlacement {
  std::map<std::string, std::string> node_selector;
  std::vector<Toleration> tolerations;
};

// One check that the application answers after it was started (check_services): an HTTP GET of
// `url` (http:// or https://) expecting `expect_status` (0: any 2xx or 3xx), or a TCP connect to
// `address` ("host:port"). Retried once a second until it passes or `timeout` is over. From the
// library host, or from a short-lived Pod in the namespace being checked (cluster DNS names and
// ClusterIPs work there).
struct ServiceCheck {
  enum class From { Host, Pod };
  std::string name;     // for the report; default: the URL or address
  std::string url;      // an HTTP check, or
  std::string address;  // a TCP check
  int expect_status = 0;
  std::chrono::seconds timeout{60};
  From from = From::Host;
  bool insecure_skip_tls_verify = false;  // https from the host only
  std::string target() const { return url.empty() ? address : url; }
};

struct ServiceCheckOptions {
  // Every Service with a selector that selects the Pods of a workload the mode started must
  // have a ready endpoint (EndpointSlices) within MigrationOptions::wait_timeout.
  bool endpoints = true;
  std::vector<ServiceCheck> checks;
  // The image of check Pods: busybox (wget, nc, timeout) or anything with curl or wget, and nc.
  std::string pod_image = "busybox:1.36";
  PodPlacement pod_placement;
};

// What one service check found, for the report.
struct CheckResult {
  std::string name;    // "services/web" (endpoints), or the check's name
  std::string kind;    // endpoints, http, tcp
  std::string target;  // URL, host:port, or the Service's selector
  std::string from;    // cluster, host, pod
  bool ok = false;
  std::string detail;  // "2 ready endpoints", "HTTP 200", "connection refused", ...
  long long duration_ms = 0;
};

// The built-in PVC data mover of migrate_data (rsync over SSH, Pod to Pod; docs/data.md): for
// each PVC pair an sshd Pod mounting the destination PVC behind a Service, and a Job mounting the
// source PVC read-only that runs rsync to it. Keys are generated per run, in memory, and reach the
// Pods only through Secrets; everything is labelled drsync.io/mover and deleted at the end.
struct DataMoverOptions {
  enum class Verify { None, Sample, Full };
  // rsync, OpenSSH (sshd and ssh) and a POSIX shell: images/mover/Containerfile builds it.
  std::string image = "ghcr.io/drsync/mover:1";
  std::string service_type = "NodePort";  // NodePort, LoadBalancer, ClusterIP (same cluster)
  // How the source reaches the destination's sshd: "host" (the Service's port) or "host:port";
  // empty: the sshd Pod's node and the NodePort, or the LoadBalancer's address.
  std::string address;
  int parallelism = 2;                  // PVCs copied at once
  std::vector<std::string> rsync_args;  // appended to -aHAX --numeric-ids --delete --sparse ...
  long long bandwidth_limit_kib = 0;    // rsync --bwlimit in KiB/s per PVC; 0: none
  std::vector<std::string> exclude;     // rsync --exclude patterns, relative to the volume
  std::chrono::seconds timeout{3600};   // per PVC, from the mover Pods' creation
  Verify verify = Verify::None;         // after the copy: rsync --checksum --dry-run over all
                                        // files (full) or every 20th (sample), must find none
  PodPlacement placement;               // for the sshd Pod, and the Job when no Pod holds the PVC
};

// What the data mover did for one PVC.
struct VolumeCopy {
  std::string pvc;
  bool ok = false;
  std::uint64_t files_total = 0;        // files, folders and links in the volume
  std::uint64_t files_transferred = 0;  // regular files sent
  std::uint64_t bytes_total = 0;        // total file size
  std::uint64_t bytes_sent = 0;         // over the wire (after rsync's delta encoding)
  long long duration_ms = 0;
  int rsync_exit = -1;  // -1: rsync did not run
  std::string message;  // the exit status explained, or why it failed
  std::string verify;   // "", "full: 1003 files compared, 0 differ", ...
};

// One PVC pair handed to a volume hook: a storage system that replicates volumes itself
// (promote a replica, fail a consistency group over) instead of the built-in mover.
struct VolumePair {
  Side from;
  Side to;
  Cluster from_cluster;
  std::string from_namespace;
  std::string from_pvc;
  Cluster to_cluster;
  std::string to_namespace;
  std::string to_pvc;
};

// How far a volume hook got with one PVC pair (0: not known).
struct VolumeProgress {
  std::uint64_t bytes_done = 0, bytes_total = 0, files_done = 0, files_total = 0;
};

// Copies (or fails over) one PVC pair; returning means done. Throwing fails that PVC with the
// exception's message, as a failed rsync would (Error(cancelled) cancels the whole mode).
// Called on worker threads, data_mover.parallelism PVC pairs at a time; `progress` may be called
// any number of times, from the calling thread.
using VolumeHook =
    std::function<void(const VolumePair&, const std::function<void(const VolumeProgress&)>&)>;

struct MigrationProgress {
  std::string step;    // "sync", "scale_down", ...
  std::string object;  // "deployments.apps/web", a PVC name (migrate_data), may be empty
  std::size_t done = 0;
  std::size_t total = 0;
  // migrate_data: done / total are bytes; these the files of the PVC `object`.
  std::size_t files_done = 0;
  std::size_t files_total = 0;
};

class Migration;

// Called before and after every step; throwing from it aborts the operation (the journal keeps
// what was done, so re-running the mode resumes).
struct StepEvent {
  Mode mode;
  PlannedStep step;
  std::string name;  // step.name()
  bool before = true;
  Migration* migration = nullptr;
};

struct MigrationOptions {
  SyncOptions sync;  // for the sync step (stop_workloads is always on)
  WorkloadSelector subset;
  // Replica counts to start workloads at, by name as in `subset` ("web", "deployments/web"):
  // they win over every record.
  std::map<std::string, std::string> scale_overrides;
  // scale_up fails when a stopped workload has no recorded count anywhere (never a silent
  // no-op); with this set it leaves such workloads stopped with a warning instead.
  bool leave_unrecorded_stopped = false;
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
  // The PVC data mover, per run: copy data `from` -> `to`. Empty: copy_volumes (per PVC pair,
  // through volume_hook or the built-in rsync mover); set, an embedder's own, which may still
  // call copy_volumes.
  std::function<void(Migration&, Side from, Side to)> data_hook;
  // Per PVC pair, instead of the built-in rsync mover: results, progress, the journal and the
  // report are as for the built-in mover's copies.
  VolumeHook volume_hook;
  DataMoverOptions data_mover;
  // After a mode started workloads: their Services' endpoints and the user's checks
  // (Step::CheckServices). A failed check fails the mode; with rollback_on_failure a Cutover
  // rolls back as after a readiness timeout.
  ServiceCheckOptions service_checks;
  CancelToken cancel;
};

// What one step did, for the report.
struct StepResult {
  std::optional<SyncResult> sync;
  std::vector<WorkloadChange> changes;
  std::vector<std::string> readiness;  // wait_ready: "deployments.apps/web: 2/2 ready"
  std::vector<CheckResult> checks;     // check_services
  std::vector<VolumeCopy> volumes;     // migrate_data
  std::vector<std::string> warnings;
};

enum class Severity { Error, Warning, Info };
DRSYNC_API const char* severity_name(Severity s) noexcept;  // "error", "warning", "info"

// One thing in the destination that would block (error) or degrade (warning) a recovery, found
// before it is needed (Migration::preflight).
struct PreflightFinding {
  Severity severity = Severity::Warning;
  // served-types, storage-class, ingress-class, priority-class, runtime-class, image-pull-secret,
  // resource-quota, limit-range, admission-webhook, not-checked
  std::string check;
  std::string object;  // what it is about: "persistentvolumeclaims/data", "resourcequotas/compute"
  std::string message;
  std::string fix;  // what to do about it
};

struct DRSYNC_API PreflightReport {
  std::vector<PreflightFinding> findings;
  // No error: the modes may run (warnings are reported).
  bool ok() const noexcept;
  std::size_t count(Severity s) const noexcept;
  // "error: persistentvolumeclaims/data: ... (fix: ...)", one line per finding of `s`.
  std::vector<std::string> lines(Severity s) const;
  std::string to_json() const;
};

// The steps a mode would run, after the same refusal checks the mode runs (fencing, a pending
// operation, the source's reachability).
struct DRSYNC_API StepPlan {
  Mode mode = Mode::Stage;
  bool resume = false;  // a half-done run of this mode would be completed
  bool source_reachable = true;
  std::string nothing_to_do;  // non-empty: the mode would change nothing, for this reason
  std::vector<PlannedStep> steps;
  // after a wait_ready timeout or a failed check_services, with rollback_on_failure
  std::vector<PlannedStep> rollback;
  std::vector<StepRecord> skipped;  // steps left out, with why ("source unreachable")
  std::vector<std::string> warnings;
  std::optional<PreflightReport> preflight;  // plan(Stage or Cutover, preview = true)
  std::string to_json() const;
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
  std::vector<CheckResult> checks;     // check_services: endpoints and the user's checks
  std::vector<VolumeCopy> volumes;     // migrate_data: one per PVC
  std::vector<std::string> warnings;
  std::vector<std::string> errors;
  std::optional<SyncResult> sync;
  std::optional<PreflightReport> preflight;  // Stage and Cutover (with a reachable source)
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
  // A migration of one namespace of one cluster, with no source at all: for activate() and
  // deactivate(), e.g. on a DR copy another tool made (Stork, DR-Syncer).
  static Migration single(Cluster cluster, std::string ns, MigrationOptions options = {});
  Migration& operator=(Migration&&) noexcept;

  // The modes. They throw Error(fenced) / Error(pending) when refused; any other failure is in
  // the report (ok == false).
  MigrationReport stage();
  MigrationReport cutover();
  MigrationReport failback();
  // On the destination only (see single()): start every stopped workload at its recorded count
  // and mark the namespace active / stop every workload, recording its count, and mark the
  // namespace passive. Journalled and reported like a Cutover.
  MigrationReport activate();
  MigrationReport deactivate();
  // The mode `mode` (one of the five above).
  MigrationReport run(Mode mode);
  // The namespaces of `cluster` that have stopped workloads (of options.subset), one LIST per
  // workload kind across all namespaces: what `activate --all-namespaces` acts on.
  static std::vector<std::string> stopped_namespaces(const Cluster& cluster,
                                                     const MigrationOptions& options = {});

  // The steps a mode would run, after the same refusal checks the mode runs (it throws what the
  // mode would throw). Reads only. With `preview`, each step also says what it would change (the
  // sync plan with diffs, the scale of each workload before and after).
  StepPlan plan(Mode mode, bool preview = false);

  // What in the destination would block or degrade a recovery of the source namespace, from
  // reads only: types the destination does not serve, StorageClasses / IngressClasses /
  // PriorityClasses / RuntimeClasses referenced and missing (after storageClassMap),
  // imagePullSecrets referenced and not copied, ResourceQuotas and LimitRanges of the destination
  // namespace that the recorded counts would exceed, admission webhooks that will intercept the
  // writes. Stage and Cutover run it first: an error stops them unless options().force.
  PreflightReport preflight();

  // The steps (each idempotent), returning what they did (also added to report()). `from`/`to`
  // follow the mode being run: during a cutover the sync goes source -> destination, during a
  // failback destination -> source. Each throws a typed Error when it fails.
  StepResult run_step(const PlannedStep& step);
  StepResult sync(Side from, Side to);
  StepResult record(Side side);   // the originals of `side`'s workloads into the journal
  StepResult fence(Side side);    // mark the side passive
  StepResult unfence(Side side);  // mark the side active
  StepResult scale_down(Side side);
  StepResult scale_up(Side side);
  StepResult wait_gone(Side side);
  StepResult wait_ready(Side side);
  StepResult migrate_data(Side from, Side to);
  // Every PVC of `from`'s namespace into the PVC of the same name in `to`'s, parallelism at a
  // time, by `hook` (options().volume_hook when not given) or, empty, the built-in mover
  // (options().data_mover); PVCs this run copied already (the journal) are skipped when
  // resuming. Throws Error naming every PVC that failed.
  StepResult copy_volumes(Side from, Side to);
  StepResult copy_volumes(Side from, Side to, const VolumeHook& hook);
  StepResult verify(Side active);  // throws Error(conflict) naming what is not as recorded
  // Services of `side` have ready endpoints and the user's checks pass (options().service_checks);
  // retried until each passes or its time is over; throws Error(timeout) naming every failure.
  StepResult check_services(Side side);
  MigrationReport report() const;

  MigrationStatus status();
  // The ledger as recorded on one side's workloads: resource/name -> original value.
  std::map<std::string, std::string> ledger(Side side);
  // The workloads a mode acts on (the subset, without owned ones; Jobs only with include_jobs)
  // with their live and recorded scale. One LIST per workload kind.
  std::vector<WorkloadState> workloads(Side side);
  // Whether the source cluster answers (options().source_probe_attempts tries); false without
  // trying with options().source_unavailable.
  bool source_reachable();
  const MigrationOptions& options() const noexcept;

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace drsync
