// Internal to the C ABI: the handles behind capi/drsync.h's opaque types and the helpers every
// entry point uses (errors, argument checks, results).
#pragma once

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <new>
#include <string>
#include <vector>

#include "drsync.h"
#include "drsync/cluster.hpp"
#include "drsync/continuous.hpp"
#include "drsync/error.hpp"
#include "drsync/migration.hpp"
#include "drsync/options.hpp"
#include "drsync/sync.hpp"

// ---- handles ------------------------------------------------------------------------------------

// The cancel of a handle's operations (drsync_X_cancel): the token is the one in the handle's
// options; it is cleared when an operation starts, so a cancel reaches only a running one.
struct drsync_cancellable {
  drsync::CancelToken token;
  std::atomic<int> running{0};
  // 1 when an operation was running (it stops at its next check), else 0.
  int cancel() noexcept {
    if (running.load() == 0) return 0;
    token.cancel();
    return 1;
  }
};

// Marks an operation of a handle running for its lifetime.
class drsync_running {
 public:
  explicit drsync_running(drsync_cancellable& c) : c_(c) {
    if (c_.running.fetch_add(1) == 0) c_.token.reset();
  }
  ~drsync_running() { c_.running.fetch_sub(1); }
  drsync_running(const drsync_running&) = delete;
  drsync_running& operator=(const drsync_running&) = delete;

 private:
  drsync_cancellable& c_;
};

struct drsync_cluster {
  explicit drsync_cluster(drsync::Cluster c) : cluster(std::move(c)), server(cluster.server()) {}
  drsync::Cluster cluster;
  // drsync_cluster_server's string: the handle's own, so drsync_cluster_set_timeouts (which
  // replaces `cluster`) leaves a pointer the caller holds valid.
  const std::string server;
};

struct drsync_result {
  drsync_result_kind kind = DRSYNC_RESULT_SYNC;
  bool ok = true;
  std::string json;
  std::string markdown;
  bool has_counts = false;
  std::map<std::string, int> counts;
};

struct drsync_sync {
  std::unique_ptr<drsync::NamespaceSync> sync;
  drsync_cancellable run;
  drsync_progress_cb progress = nullptr;
  void* progress_payload = nullptr;
};

struct drsync_migration {
  std::unique_ptr<drsync::Migration> migration;
  drsync_cancellable run;
  drsync_progress_cb progress = nullptr;
  void* progress_payload = nullptr;
  drsync_step_cb step_hook = nullptr;
  void* step_payload = nullptr;
  drsync_data_cb data_hook = nullptr;
  void* data_payload = nullptr;
  drsync_volume_cb volume_hook = nullptr;
  void* volume_payload = nullptr;
};

struct drsync_volume_task {
  const std::function<void(const drsync::VolumeProgress&)>* progress = nullptr;
  std::string message;
};

struct drsync_plan {
  drsync::DrPlan plan;
  mutable drsync_cancellable run;  // drsync_plan_run takes the plan const
};

struct drsync_continuous_sync {
  std::unique_ptr<drsync::ContinuousSync> sync;
  drsync_continuous_cb callback = nullptr;
  void* payload = nullptr;
};

namespace drsync_capi {

using drsync::Errc;

// The thread's last error (errors.cpp).
int set_error(int code, int http_status, const char* reason, const char* message) noexcept;
int set_error(const drsync::Error& e) noexcept;

// Runs the body of an entry point: resets the thread's error, and turns every exception into a
// code + last error. Nothing crosses the C boundary.
template <typename F>
int guarded(F&& body) noexcept {
  drsync_error_clear();
  try {
    return body();
  } catch (const drsync::Error& e) {
    return set_error(e);
  } catch (const std::bad_alloc&) {
    return set_error(DRSYNC_ENOMEM, 0, "", "out of memory");
  } catch (const std::exception& e) {
    return set_error(DRSYNC_ERROR, 0, "", e.what());
  } catch (...) {
    return set_error(DRSYNC_ERROR, 0, "", "unknown exception");
  }
}

[[noreturn]] void invalid(const std::string& message);

template <typename T>
void need(const T* p, const char* function, const char* what) {
  if (!p) invalid(std::string(function) + ": " + what + " is NULL");
}

void need_name(const char* s, const char* function, const char* what);

template <typename T>
void reset_out(T** out, const char* function) {
  need(out, function, "out");
  *out = nullptr;
}

drsync::Side side_of(drsync_side s, const char* function);
drsync_side c_side(drsync::Side s);
// The library's mode, or Error(invalid_argument) naming `function`.
drsync::Mode mode_of(drsync_mode m, const char* function);
[[noreturn]] void cancelled_by(const std::string& what, int rc);
// The C volume hook of `h` as the library's (volume_hook.cpp).
drsync::VolumeHook c_volume_hook(drsync_migration* h);
// ": first error (and N more)", or "".
std::string first_error(const std::vector<std::string>& errors);

std::unique_ptr<drsync_result> sync_result(const drsync::SyncResult& s);
std::unique_ptr<drsync_result> report_result(const drsync::MigrationReport& m);
std::unique_ptr<drsync_result> json_result(drsync_result_kind kind, std::string json);

// Applies an options document (NULL or "": none).
void parse_options(drsync::MigrationOptions& o, const char* document);

// Handle constructors shared by drsync_X_new and drsync_plan_X_new.
int new_sync(drsync_sync** out, const drsync_cluster* source, const char* source_ns,
             const drsync_cluster* dest, const char* dest_ns, const drsync::SyncOptions& options);
void install_migration_hooks(drsync_migration* h, drsync::MigrationOptions& o);
int new_migration(drsync_migration** out, std::unique_ptr<drsync_migration> h,
                  const drsync_cluster* source, const char* source_ns, const drsync_cluster* dest,
                  const char* dest_ns, drsync::MigrationOptions options);

}  // namespace drsync_capi
