// drsync_migration_set_volume_hook and the functions a volume hook calls: the C volume hook as
// the library's VolumeHook (drsync/migration.hpp).
#include <fmt/format.h>

#include "handles.hpp"

namespace drsync_capi {

drsync::VolumeHook c_volume_hook(drsync_migration* h) {
  return [h](const drsync::VolumePair& p,
             const std::function<void(const drsync::VolumeProgress&)>& progress) {
    const drsync_cluster from{p.from_cluster}, to{p.to_cluster};
    const drsync_volume_pair pair{c_side(p.from),           c_side(p.to),       &from,
                                  p.from_namespace.c_str(), p.from_pvc.c_str(), &to,
                                  p.to_namespace.c_str(),   p.to_pvc.c_str()};
    drsync_volume_task task{&progress, {}};
    const int rc = h->volume_hook(h, &pair, &task, h->volume_payload);
    if (rc == DRSYNC_ECANCELLED) cancelled_by("the volume hook", rc);
    if (rc) {
      throw drsync::Error(Errc::unavailable, task.message.empty()
                                                 ? fmt::format("the volume hook returned {}", rc)
                                                 : task.message);
    }
  };
}

}  // namespace drsync_capi

using namespace drsync_capi;

extern "C" {

int drsync_migration_set_volume_hook(drsync_migration* migration, drsync_volume_cb callback,
                                     void* payload) {
  return guarded([&]() -> int {
    need(migration, "drsync_migration_set_volume_hook", "migration");
    migration->volume_hook = callback;
    migration->volume_payload = payload;
    return DRSYNC_OK;
  });
}

int drsync_volume_task_progress(drsync_volume_task* task, uint64_t bytes_done, uint64_t bytes_total,
                                uint64_t files_done, uint64_t files_total) {
  return guarded([&]() -> int {
    need(task, "drsync_volume_task_progress", "task");
    (*task->progress)({bytes_done, bytes_total, files_done, files_total});
    return DRSYNC_OK;
  });
}

int drsync_volume_task_fail(drsync_volume_task* task, const char* message) {
  return guarded([&]() -> int {
    need(task, "drsync_volume_task_fail", "task");
    need(message, "drsync_volume_task_fail", "message");
    task->message = message;
    return DRSYNC_OK;
  });
}

}  // extern "C"
