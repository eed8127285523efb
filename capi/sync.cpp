// Namespace syncs.
#include <fmt/format.h>

#include "handles.hpp"

namespace drsync_capi {
namespace {

// Options for a sync handle: the C callbacks reached through trampolines that read
// the handle's current callback, so they can be set after creation.
drsync::SyncOptions sync_options(drsync_sync* h, drsync::SyncOptions o) {
  o.progress = [h](const drsync::SyncProgress& p) {
    if (!h->progress) return;
    drsync_progress cp{p.phase.c_str(), p.object.c_str(), p.done, p.total, 0, 0};
    if (int rc = h->progress(&cp, h->progress_payload)) cancelled_by("the progress callback", rc);
  };
  h->run.token = o.cancel;  // drsync_sync_cancel
  return o;
}

int sync_op(drsync_result** out, drsync_sync* s, bool apply, const char* function) {
  return guarded([&]() -> int {
    reset_out(out, function);
    need(s, function, "sync");
    drsync_running running(s->run);
    drsync::SyncResult r = apply ? s->sync->run() : s->sync->plan();
    *out = sync_result(r).release();
    if (!r.ok()) {
      std::string m = fmt::format("{} finished with {} error(s){}", apply ? "sync" : "sync plan",
                                  r.errors.size(), first_error(r.errors));
      return set_error(DRSYNC_EFAILED, 0, "", m.c_str());
    }
    return DRSYNC_OK;
  });
}

}  // namespace

int new_sync(drsync_sync** out, const drsync_cluster* source, const char* source_ns,
             const drsync_cluster* dest, const char* dest_ns, const drsync::SyncOptions& options) {
  auto h = std::make_unique<drsync_sync>();
  h->sync = std::make_unique<drsync::NamespaceSync>(source->cluster, source_ns, dest->cluster,
                                                    dest_ns, sync_options(h.get(), options));
  *out = h.release();
  return DRSYNC_OK;
}

}  // namespace drsync_capi

using namespace drsync_capi;

extern "C" {

int drsync_sync_new(drsync_sync** out, const drsync_cluster* source, const char* source_ns,
                    const drsync_cluster* dest, const char* dest_ns, const char* options) {
  return guarded([&]() -> int {
    const char* fn = "drsync_sync_new";
    reset_out(out, fn);
    need(source, fn, "source");
    need(dest, fn, "dest");
    need_name(source_ns, fn, "source_ns");
    need_name(dest_ns, fn, "dest_ns");
    drsync::MigrationOptions o;
    parse_options(o, options);
    return new_sync(out, source, source_ns, dest, dest_ns, o.sync);
  });
}

int drsync_sync_plan(drsync_result** out, drsync_sync* sync) {
  return sync_op(out, sync, false, "drsync_sync_plan");
}

int drsync_sync_run(drsync_result** out, drsync_sync* sync) {
  return sync_op(out, sync, true, "drsync_sync_run");
}

int drsync_sync_set_progress(drsync_sync* sync, drsync_progress_cb callback, void* payload) {
  return guarded([&]() -> int {
    need(sync, "drsync_sync_set_progress", "sync");
    sync->progress = callback;
    sync->progress_payload = payload;
    return DRSYNC_OK;
  });
}

int drsync_sync_cancel(drsync_sync* sync) {
  return guarded([&]() -> int {
    need(sync, "drsync_sync_cancel", "sync");
    return sync->run.cancel();
  });
}

void drsync_sync_free(drsync_sync* sync) {
  delete sync;
}

}  // extern "C"
