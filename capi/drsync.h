/*
 * drsync.h - the C ABI of libdrsync (installed as <drsync/drsync.h>).
 *
 * Kubernetes disaster recovery between two clusters: copy a namespace (drsync_sync), and move the
 * running application between the clusters (drsync_migration: Stage, Cutover, Failback).
 *
 * Conventions (see docs/c-api.md):
 *   - Handles are opaque; every drsync_X_new / drsync_X_open / drsync_X_load has a drsync_X_free.
 *   - Out-parameters come first. Functions returning int return 0 on success or a negative
 *     drsync_error_code; drsync_error_last() then describes the failure (thread-local).
 *   - Options are one JSON or YAML document (docs/options.md); results are JSON strings owned by
 *     the drsync_result that holds them.
 *   - No exception, C++ type or third-party type crosses this interface.
 *
 * C99; usable from C and C++.
 */
#ifndef DRSYNC_H
#define DRSYNC_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(DRSYNC_STATIC) || !defined(__GNUC__)
#define DRSYNC_EXTERN(type) extern type
#else
#define DRSYNC_EXTERN(type) extern __attribute__((visibility("default"))) type
#endif

/* ---- Versions ---------------------------------------------------------------------------- */

/* The ABI this header describes. Bumped together with the library's SOVERSION on every
 * incompatible change (libdrsync.so.N ships ABI N + 1). */
#define DRSYNC_ABI_VERSION 1
#define DRSYNC_VERSION "0.1.0"
#define DRSYNC_VERSION_MAJOR 0
#define DRSYNC_VERSION_MINOR 1
#define DRSYNC_VERSION_PATCH 0

/* The ABI version of the loaded library; compare with DRSYNC_ABI_VERSION. */
DRSYNC_EXTERN(int) drsync_abi_version(void);
/* The library version, "0.1.0". Static storage. */
DRSYNC_EXTERN(const char*) drsync_version(void);

/* ---- Errors ------------------------------------------------------------------------------ */

/* Return codes. Every drsync::Errc of the C++ API has its own code. */
typedef enum drsync_error_code {
  DRSYNC_OK = 0,
  DRSYNC_ERROR = -1,             /* generic failure (an unexpected exception) */
  DRSYNC_EINVALIDARG = -2,       /* the caller's input is wrong: NULL, options, plan, step name */
  DRSYNC_ECONFIG = -3,           /* kubeconfig / in-cluster configuration wrong or unreadable */
  DRSYNC_ENOTFOUND = -4,         /* 404 NotFound */
  DRSYNC_EEXISTS = -5,           /* 409 AlreadyExists */
  DRSYNC_ECONFLICT = -6,         /* 409 Conflict (stale resourceVersion) */
  DRSYNC_EINVALID = -7,          /* 422 Invalid (rejected by the API server's validation) */
  DRSYNC_EBADREQUEST = -8,       /* 400 BadRequest */
  DRSYNC_EFORBIDDEN = -9,        /* 403 Forbidden */
  DRSYNC_EUNAUTHORIZED = -10,    /* 401 Unauthorized */
  DRSYNC_ENOTALLOWED = -11,      /* 405 MethodNotAllowed */
  DRSYNC_EGONE = -12,            /* 410 Gone / Expired */
  DRSYNC_ETOOMANYREQUESTS = -13, /* 429 after retries */
  DRSYNC_ETIMEOUT = -14,         /* 504, request or operation timeout */
  DRSYNC_ESERVER = -15,          /* other 5xx after retries */
  DRSYNC_ENETWORK = -16,         /* connection refused/reset, DNS, ... */
  DRSYNC_ETLS = -17,             /* certificate verification, bad client key, ... */
  DRSYNC_EUNAVAILABLE = -18,     /* the cluster cannot be reached at all */
  DRSYNC_EFENCED = -19,          /* refused: the target side is active (fencing) */
  DRSYNC_EPENDING = -20,         /* refused: another operation is half-done */
  DRSYNC_ECANCELLED = -21,       /* a callback returned non-zero, or drsync_X_cancel */
  DRSYNC_EINTERNAL = -22,        /* a bug in libdrsync */
  DRSYNC_ENOMEM = -23,           /* out of memory */
  DRSYNC_EFAILED = -24           /* the operation ran and its result reports failures: *out is
                                    set to that result (drsync_result_ok() == 0) */
} drsync_error_code;

/* The last error of the calling thread. `reason` is the Kubernetes Status reason ("NotFound",
 * "Invalid", ... or ""), `http_status` the HTTP status (0 if no server answered). Messages
 * never contain credentials or Secret data. */
typedef struct drsync_error {
  int code;            /* a drsync_error_code; DRSYNC_OK when there is none */
  int http_status;     /* 0 when no server response was involved */
  const char* reason;  /* never NULL */
  const char* message; /* never NULL */
} drsync_error;

/* Never NULL. Valid until the next drsync_* call that returns an int on this thread (each of
 * those resets the thread's error when it starts, and sets it when it fails). */
DRSYNC_EXTERN(const drsync_error*) drsync_error_last(void);
DRSYNC_EXTERN(void) drsync_error_clear(void);
/* A stable lowercase name for a code ("not_found", "cancelled", ...); "unknown" otherwise.
 * Static storage. */
DRSYNC_EXTERN(const char*) drsync_error_name(int code);

/* ---- Common types ------------------------------------------------------------------------ */

typedef enum drsync_side { DRSYNC_SIDE_SOURCE = 0, DRSYNC_SIDE_DESTINATION = 1 } drsync_side;

typedef struct drsync_cluster drsync_cluster;
typedef struct drsync_sync drsync_sync;
typedef struct drsync_migration drsync_migration;
typedef struct drsync_result drsync_result;
typedef struct drsync_plan drsync_plan;
typedef struct drsync_continuous_sync drsync_continuous_sync;

/* The modes and the steps they are made of (the values of drsync::Mode and drsync::Step). */
typedef enum drsync_mode {
  DRSYNC_MODE_STAGE = 0,
  DRSYNC_MODE_CUTOVER = 1,
  DRSYNC_MODE_FAILBACK = 2,
  DRSYNC_MODE_ACTIVATE = 3, /* one cluster: drsync_migration_single_new */
  DRSYNC_MODE_DEACTIVATE = 4
} drsync_mode;
typedef enum drsync_step {
  DRSYNC_STEP_SYNC = 0,         /* copy every selected resource into `side` from the other side */
  DRSYNC_STEP_RECORD = 1,       /* record the original scale of `side`'s workloads in the journal */
  DRSYNC_STEP_FENCE = 2,        /* mark `side` passive */
  DRSYNC_STEP_UNFENCE = 3,      /* mark `side` active */
  DRSYNC_STEP_SCALE_DOWN = 4,   /* stop `side`'s workloads, recording their originals on them */
  DRSYNC_STEP_SCALE_UP = 5,     /* start `side`'s workloads at their recorded originals */
  DRSYNC_STEP_WAIT_GONE = 6,    /* wait until `side`'s workloads have no Pods */
  DRSYNC_STEP_WAIT_READY = 7,   /* wait until `side`'s workloads are ready */
  DRSYNC_STEP_MIGRATE_DATA = 8, /* copy volume data into `side` from the other side (data hook) */
  DRSYNC_STEP_VERIFY = 9,       /* `side` (the active side) runs at the recorded counts */
  DRSYNC_STEP_CHECK_SERVICES = 10 /* `side`'s Services have ready endpoints, user checks pass */
} drsync_step;
/* "stage", "cutover", "failback"; NULL for a value outside the enum. Static storage. */
DRSYNC_EXTERN(const char*) drsync_mode_name(drsync_mode mode);
/* "sync", "scale_down", ...; NULL for a value outside the enum. Static storage. */
DRSYNC_EXTERN(const char*) drsync_step_name(drsync_step step);
/* The step named `name`; DRSYNC_EINVALIDARG (listing the names) when there is none. */
DRSYNC_EXTERN(int) drsync_step_parse(drsync_step* out, const char* name);

/* Progress of a sync or a migration. The strings are valid during the callback only. */
typedef struct drsync_progress {
  const char* step;   /* migration: "sync", "scale_down", "wait_ready", ...;
                         sync: "discover", "list", "apply" */
  const char* object; /* "deployments.apps/web", or "" */
  size_t done;        /* migrate_data: bytes of the PVC `object` */
  size_t total;
  size_t files_done; /* migrate_data: files of the PVC `object`; 0 otherwise */
  size_t files_total;
} drsync_progress;

/* Callbacks run on the thread that called the operation (drsync_sync_run, drsync_migration_*),
 * never on another thread. A non-zero return cancels the operation, which then returns
 * DRSYNC_ECANCELLED. Callbacks must not throw C++ exceptions or longjmp out, and must not free
 * the handle they were called for. */
typedef int (*drsync_progress_cb)(const drsync_progress* progress, void* payload);
/* Before (before = 1) and after (before = 0) every step of a mode. `mode` is "stage",
 * "cutover" or "failback" (drsync_mode_name); `step` a step name (drsync_step_name, prefixed
 * "rollback_" for the steps of a Cutover's rollback). `m` is the migration
 * being run: the hook may call drsync_migration_step() / drsync_migration_ledger() on it, e.g. to
 * run its own storage failover between two steps. */
typedef int (*drsync_step_cb)(const char* mode, const char* step, int before, drsync_migration* m,
                              void* payload);
/* The PVC data mover of the "migrate_data" step (options migrateData / reverseMigrateData):
 * copy the data of the migration's PVCs from `from` to `to`. Non-zero: cancel. */
typedef int (*drsync_data_cb)(drsync_migration* m, drsync_side from, drsync_side to, void* payload);

/* One PVC pair handed to a volume hook. Borrowed: the pair, its clusters and strings are valid
 * during the callback only. The PVC has the same name on both sides. */
typedef struct drsync_volume_pair {
  drsync_side from;
  drsync_side to;
  const drsync_cluster* from_cluster;
  const char* from_namespace;
  const char* from_pvc;
  const drsync_cluster* to_cluster;
  const char* to_namespace;
  const char* to_pvc;
} drsync_volume_pair;
/* The copy of one PVC pair in progress, for drsync_volume_task_progress / _fail. Borrowed. */
typedef struct drsync_volume_task drsync_volume_task;
/* Per PVC pair, instead of the built-in rsync mover (a storage system that replicates volumes
 * itself: promote a replica, fail a consistency group over). 0: done. Non-zero: that PVC failed,
 * with the message given to drsync_volume_task_fail (else "the volume hook returned N"), and the
 * mode fails naming it once the other PVCs are done; DRSYNC_ECANCELLED cancels the mode. The
 * exception to the rule above: it runs on worker threads, data_mover.parallelism pairs at a
 * time, so it must be thread-safe. */
typedef int (*drsync_volume_cb)(drsync_migration* m, const drsync_volume_pair* pair,
                                drsync_volume_task* task, void* payload);

/* ---- Clusters ---------------------------------------------------------------------------- */

/* Opens a cluster from a kubeconfig with kubectl's loading rules: `kubeconfig_path` NULL or ""
 * means $KUBECONFIG (merged), else ~/.kube/config; `context` NULL or "" means the current
 * context. A cluster is thread-safe and may be shared; syncs and migrations keep their own
 * reference, so it may be freed right after creating them. */
DRSYNC_EXTERN(int)
drsync_cluster_open(drsync_cluster** out, const char* kubeconfig_path, const char* context);
/* Inside a Pod: the service-account token, CA and namespace. */
DRSYNC_EXTERN(int) drsync_cluster_open_in_cluster(drsync_cluster** out);
/* The deadlines of every request to the cluster, in milliseconds (docs/reliability.md):
 * `connect_ms` to connect (TCP + TLS; default 10000), `attempt_ms` for one attempt (default
 * 30000), `call_ms` for the whole call, its retries and their backoff included (default 60000): a
 * call that runs out fails with DRSYNC_ETIMEOUT, naming the request and the deadline. 0 keeps a
 * value; a negative one is DRSYNC_EINVALIDARG. Set them before creating syncs and migrations
 * from the cluster: those created earlier keep the deadlines they were created with. */
DRSYNC_EXTERN(int)
drsync_cluster_set_timeouts(drsync_cluster* cluster, int64_t connect_ms, int64_t attempt_ms,
                            int64_t call_ms);
/* The API server URL. Owned by the cluster; valid until drsync_cluster_free (also across
 * drsync_cluster_set_timeouts). */
DRSYNC_EXTERN(const char*) drsync_cluster_server(const drsync_cluster* cluster);
DRSYNC_EXTERN(void) drsync_cluster_free(drsync_cluster* cluster);

/* ---- Results ----------------------------------------------------------------------------- */

typedef enum drsync_result_kind {
  DRSYNC_RESULT_SYNC = 0,       /* drsync_sync_plan / drsync_sync_run */
  DRSYNC_RESULT_MIGRATION = 1,  /* a migration report: stage/cutover/failback/report */
  DRSYNC_RESULT_STATUS = 2,     /* drsync_migration_status */
  DRSYNC_RESULT_LEDGER = 3,     /* drsync_migration_ledger */
  DRSYNC_RESULT_STEP_PLAN = 4,  /* drsync_migration_plan */
  DRSYNC_RESULT_NAMESPACES = 5, /* drsync_stopped_namespaces: ["shop", ...] */
  DRSYNC_RESULT_PREFLIGHT = 6,  /* drsync_migration_preflight */
  DRSYNC_RESULT_PLAN = 7,       /* drsync_plan_run: a plan report */
  DRSYNC_RESULT_CONTINUOUS = 8  /* drsync_continuous_sync_stats: ContinuousStats */
} drsync_result_kind;

DRSYNC_EXTERN(drsync_result_kind) drsync_result_kind_of(const drsync_result* result);
/* The result as JSON (sync: SyncResult, migration: MigrationReport, status: MigrationStatus,
 * ledger: {"deployments.apps/web": "2", ...}, step plan: StepPlan). Owned by the result. */
DRSYNC_EXTERN(const char*) drsync_result_json(const drsync_result* result);
/* 1 when the result reports success (always 1 for status and ledger results), else 0. */
DRSYNC_EXTERN(int) drsync_result_ok(const drsync_result* result);
/* How many objects got `action` ("create", "update", "unchanged", "skip", "prune", "conflict",
 * "error") in a sync result, or in the sync step of a migration report; -1 for an unknown action
 * or a result without sync counts. */
DRSYNC_EXTERN(int) drsync_result_count(const drsync_result* result, const char* action);
/* A migration or plan report as Markdown (owned by the result); NULL for other results. */
DRSYNC_EXTERN(const char*) drsync_result_markdown(const drsync_result* result);
DRSYNC_EXTERN(void) drsync_result_free(drsync_result* result);

/* ---- Namespace sync ---------------------------------------------------------------------- */

/* A copy of `source_ns` of `source` into `dest_ns` of `dest`. `options` is an options document
 * (JSON or YAML, docs/options.md) or NULL; keys that only concern migrations are accepted and
 * ignored. */
DRSYNC_EXTERN(int)
drsync_sync_new(drsync_sync** out, const drsync_cluster* source, const char* source_ns,
                const drsync_cluster* dest, const char* dest_ns, const char* options);
/* Every action run() would take, with a diff per object; writes nothing. */
DRSYNC_EXTERN(int) drsync_sync_plan(drsync_result** out, drsync_sync* sync);
/* Applies the plan. Returns DRSYNC_EFAILED with *out set when some objects failed. */
DRSYNC_EXTERN(int) drsync_sync_run(drsync_result** out, drsync_sync* sync);
/* Replaces the progress callback (NULL: none). Not while an operation runs. */
DRSYNC_EXTERN(int)
drsync_sync_set_progress(drsync_sync* sync, drsync_progress_cb callback, void* payload);
/* Cancel, from any thread: the operation running on the handle stops at its next check (between
 * objects and steps, within a second of a wait; a request in flight ends first, within the
 * attempt deadline) and returns DRSYNC_ECANCELLED, as when a callback cancels it (a mode's *out
 * is then its partial report). Returns 1 when an operation was running, 0 when none was (nothing is
 * kept for the next one), DRSYNC_EINVAL for NULL. The handle must stay alive until the call
 * returns. */
DRSYNC_EXTERN(int) drsync_sync_cancel(drsync_sync* sync);
DRSYNC_EXTERN(void) drsync_sync_free(drsync_sync* sync);

/* ---- Migration --------------------------------------------------------------------------- */

DRSYNC_EXTERN(int)
drsync_migration_new(drsync_migration** out, const drsync_cluster* source, const char* source_ns,
                     const drsync_cluster* dest, const char* dest_ns, const char* options);

/* A migration of one namespace of one cluster with no source at all, for activate / deactivate
 * (e.g. on a DR copy Stork or DR-Syncer made). */
DRSYNC_EXTERN(int)
drsync_migration_single_new(drsync_migration** out, const drsync_cluster* cluster, const char* ns,
                            const char* options);
/* The namespaces of `cluster` that have stopped workloads (of the options' workloads /
 * workloadSelector): a DRSYNC_RESULT_NAMESPACES result, ["shop", ...]. */
DRSYNC_EXTERN(int)
drsync_stopped_namespaces(drsync_result** out, const drsync_cluster* cluster, const char* options);
/* The modes. Outcomes:
 *   0                   *out = the report, drsync_result_ok(*out) == 1
 *   DRSYNC_EFAILED      the mode ran and failed: *out = the report (errors inside)
 *   DRSYNC_ECANCELLED   a callback or drsync_migration_cancel cancelled it: *out = the partial
 *                       report; re-running the mode
 *                       resumes from the journal
 *   other codes         refused or not started (DRSYNC_EFENCED, DRSYNC_EPENDING,
 *                       DRSYNC_EUNAVAILABLE, ...): *out = NULL
 * The caller frees *out whenever it is set. */
DRSYNC_EXTERN(int) drsync_migration_stage(drsync_result** out, drsync_migration* migration);
DRSYNC_EXTERN(int) drsync_migration_cutover(drsync_result** out, drsync_migration* migration);
DRSYNC_EXTERN(int) drsync_migration_failback(drsync_result** out, drsync_migration* migration);
/* One cluster (drsync_migration_single_new): start every stopped workload at its recorded count
 * and mark the namespace active / stop them, recording their counts, and mark it passive. */
DRSYNC_EXTERN(int) drsync_migration_activate(drsync_result** out, drsync_migration* migration);
DRSYNC_EXTERN(int) drsync_migration_deactivate(drsync_result** out, drsync_migration* migration);

/* Runs one idempotent step on `side` (see drsync_step). */
DRSYNC_EXTERN(int)
drsync_migration_run_step(drsync_migration* migration, drsync_step step, drsync_side side);
/* The same with the step's name ("sync", "scale_down", ...); DRSYNC_EINVALIDARG for another. */
DRSYNC_EXTERN(int)
drsync_migration_step(drsync_migration* migration, const char* step, drsync_side side);
/* The steps `mode` would run, after the refusal checks the mode runs (a refusal returns the
 * mode's code: DRSYNC_EFENCED, DRSYNC_EPENDING, DRSYNC_EUNAVAILABLE). Reads only. With `preview`
 * non-zero, each step also says what it would change (the sync plan, the scale of each workload
 * before and after). *out: a DRSYNC_RESULT_STEP_PLAN result (docs/c-api.md). */
DRSYNC_EXTERN(int)
drsync_migration_plan(drsync_result** out, drsync_migration* migration, drsync_mode mode,
                      int preview);
/* What in the destination would block (errors) or degrade (warnings) a recovery: types it does
 * not serve, missing StorageClasses / IngressClasses / PriorityClasses / RuntimeClasses,
 * imagePullSecrets not copied, ResourceQuotas and LimitRanges the recorded counts exceed,
 * admission webhooks on the writes. Reads only. *out: a DRSYNC_RESULT_PREFLIGHT result,
 * {"ok": bool, "findings": [{severity, check, object, message, fix}]}; drsync_result_ok is 1
 * when there is no error. Stage and Cutover run it first and stop on an error unless forced.
 * The caller frees *out with drsync_result_free. */
DRSYNC_EXTERN(int)
drsync_migration_preflight(drsync_result** out, drsync_migration* migration);
/* The report of the last mode run on this handle (with the changes of steps run since). */
DRSYNC_EXTERN(int) drsync_migration_report(drsync_result** out, const drsync_migration* migration);
/* Which side is active, pending operations, the ledger of the destination. */
DRSYNC_EXTERN(int) drsync_migration_status(drsync_result** out, drsync_migration* migration);
/* The original scales recorded on one side's workloads: {"deployments.apps/web": "2"}. */
DRSYNC_EXTERN(int)
drsync_migration_ledger(drsync_result** out, drsync_migration* migration, drsync_side side);

/* Callbacks (NULL: none). Not while an operation runs on the handle. */
DRSYNC_EXTERN(int)
drsync_migration_set_progress(drsync_migration* migration, drsync_progress_cb callback,
                              void* payload);
DRSYNC_EXTERN(int)
drsync_migration_set_step_hook(drsync_migration* migration, drsync_step_cb callback, void* payload);
DRSYNC_EXTERN(int)
drsync_migration_set_data_hook(drsync_migration* migration, drsync_data_cb callback, void* payload);
/* Used by migrate_data when no data hook is set (drsync_migration_set_data_hook). */
DRSYNC_EXTERN(int)
drsync_migration_set_volume_hook(drsync_migration* migration, drsync_volume_cb callback,
                                 void* payload);
/* From a volume hook: how far the copy of its PVC pair got (0: not known); reaches the progress
 * callback and the report like the built-in mover's. */
DRSYNC_EXTERN(int)
drsync_volume_task_progress(drsync_volume_task* task, uint64_t bytes_done, uint64_t bytes_total,
                            uint64_t files_done, uint64_t files_total);
/* From a volume hook, before it returns non-zero: why its PVC pair failed (copied). */
DRSYNC_EXTERN(int) drsync_volume_task_fail(drsync_volume_task* task, const char* message);
/* As drsync_sync_cancel, for the mode, step or preflight running on `migration`. */
DRSYNC_EXTERN(int) drsync_migration_cancel(drsync_migration* migration);
DRSYNC_EXTERN(void) drsync_migration_free(drsync_migration* migration);

/* ---- DR plan files ----------------------------------------------------------------------- */

/* A DR plan file (apiVersion: drsync.io/v1, kind: DRPlan), the CLI's --plan format. */
DRSYNC_EXTERN(int) drsync_plan_load(drsync_plan** out, const char* path);
/* The same from a document; relative paths in it resolve against `base_dir` (NULL: "."). */
DRSYNC_EXTERN(int)
drsync_plan_parse(drsync_plan** out, const char* document, const char* base_dir);
/* metadata.name, or "". Owned by the plan. */
DRSYNC_EXTERN(const char*) drsync_plan_name(const drsync_plan* plan);
/* The kubeconfig path ("" for the default loading rules) and context ("" for the current one)
 * of one side, for drsync_cluster_open(). Owned by the plan. */
DRSYNC_EXTERN(const char*) drsync_plan_kubeconfig(const drsync_plan* plan, drsync_side side);
DRSYNC_EXTERN(const char*) drsync_plan_context(const drsync_plan* plan, drsync_side side);
/* The number of namespace pairs. */
DRSYNC_EXTERN(size_t) drsync_plan_count(const drsync_plan* plan);
/* The namespace of pair `index` on one side; NULL when index >= count. Owned by the plan. */
DRSYNC_EXTERN(const char*)
drsync_plan_namespace(const drsync_plan* plan, size_t index, drsync_side side);
/* A sync / migration for pair `index` with the plan's options for it (defaults + overrides). */
DRSYNC_EXTERN(int)
drsync_plan_sync_new(drsync_sync** out, const drsync_plan* plan, size_t index,
                     const drsync_cluster* source, const drsync_cluster* dest);
DRSYNC_EXTERN(int)
drsync_plan_migration_new(drsync_migration** out, const drsync_plan* plan, size_t index,
                          const drsync_cluster* source, const drsync_cluster* dest);
/* Runs `mode` for every pair of the plan with the plan's options for it, `parallelism` pairs at a
 * time (0: 8), each through its own migration (own journal and fencing: a failed pair leaves the
 * others exact). Cutover, Failback and Activate run in phases across the pairs: every pair stops
 * its old side, then every pair starts its new side, then every pair waits for it (docs/plans.md).
 * Returns:
 *   0                 *out = the plan report (DRSYNC_RESULT_PLAN; JSON {"mode", "ok",
 *                     "seconds", "readySeconds", "pairs": [{"source", "destination", "ok",
 *                     "ran", "error", "code", "seconds", "report"}]}), every pair succeeded
 *   DRSYNC_EFAILED    *out = the plan report, some pair failed or was refused
 *   DRSYNC_ECANCELLED *out = the plan report, drsync_plan_cancel stopped the run (pairs not
 *                     started are not started; each pair's journal keeps what it did)
 *   other errors      nothing ran, *out is NULL
 * The caller frees *out with drsync_result_free. */
DRSYNC_EXTERN(int)
drsync_plan_run(drsync_result** out, const drsync_plan* plan, const drsync_cluster* source,
                const drsync_cluster* dest, drsync_mode mode, size_t parallelism);
/* As drsync_sync_cancel, for the drsync_plan_run running on `plan` (every pair stops). */
DRSYNC_EXTERN(int) drsync_plan_cancel(const drsync_plan* plan);
DRSYNC_EXTERN(void) drsync_plan_free(drsync_plan* plan);

/* ---- Continuous sync and schedules (docs/continuous.md) ---------------------------------- */

/* One event of a continuous sync. The strings are valid during the callback only. */
typedef struct drsync_continuous_event {
  const char* kind;    /* "applied", "resynced", "suspended", "resumed", "error" */
  const char* object;  /* applied: "deployments.apps/web"; otherwise "" */
  const char* action;  /* applied: "create", "update", "prune", "unchanged", "skip", "error", ... */
  const char* message; /* why (suspended), the error, the full sync's summary (resynced) */
  double lag_ms;       /* applied: first source event seen -> destination written */
} drsync_continuous_event;
/* On the thread running drsync_continuous_sync_run. Non-zero: cancel (run returns DRSYNC_OK). */
typedef int (*drsync_continuous_cb)(const drsync_continuous_event* event, void* payload);

/* Keeps `dest_ns` of `dest` in sync with `source_ns` of `source` until cancelled: a full sync,
 * then the source's watches, each change planned and applied like a full sync's objects, and a
 * full resync (with drift repair) every interval. Suspended while the destination is the active
 * side (after a Cutover), resumed after a Failback. `options`: an options document as for
 * drsync_sync_new (NULL: defaults). `settings`: JSON or NULL, keys (all optional)
 * resyncIntervalMs (3600000), debounceMs (100), maxDelayMs (1000), statePollMs (2000),
 * repairDrift (true), stopWhenFenced (false). */
DRSYNC_EXTERN(int)
drsync_continuous_sync_new(drsync_continuous_sync** out, const drsync_cluster* source,
                           const char* source_ns, const drsync_cluster* dest, const char* dest_ns,
                           const char* options, const char* settings);
/* Replaces the event callback (NULL: none). Not while it runs. */
DRSYNC_EXTERN(int)
drsync_continuous_sync_set_callback(drsync_continuous_sync* sync, drsync_continuous_cb callback,
                                    void* payload);
/* Blocks until drsync_continuous_sync_cancel (or the callback) stops it: DRSYNC_OK. With
 * stopWhenFenced, DRSYNC_EFENCED when the destination became the active side (the message says
 * why). A failure of the first full sync returns its code. */
DRSYNC_EXTERN(int) drsync_continuous_sync_run(drsync_continuous_sync* sync);
/* From any thread: run returns soon after. */
DRSYNC_EXTERN(int) drsync_continuous_sync_cancel(drsync_continuous_sync* sync);
/* Counters, lag (p50, p99, max, last), last full sync, last error, state: a
 * DRSYNC_RESULT_CONTINUOUS result. From any thread. */
DRSYNC_EXTERN(int)
drsync_continuous_sync_stats(drsync_result** out, const drsync_continuous_sync* sync);
/* Not while it runs. */
DRSYNC_EXTERN(void) drsync_continuous_sync_free(drsync_continuous_sync* sync);

/* The first minute after `after` (seconds since the epoch) that the 5-field cron expression
 * matches, evaluated in UTC (docs/continuous.md). DRSYNC_EINVALIDARG for a malformed expression
 * (the message names the field). */
DRSYNC_EXTERN(int) drsync_schedule_next(int64_t* out, const char* cron, int64_t after);

#ifdef __cplusplus
}
#endif

#endif /* DRSYNC_H */
