// Migrations: the modes, the reads between them, the callbacks.
#include <fmt/format.h>

#include "drsync/object.hpp"
#include "handles.hpp"

namespace drsync_capi {
namespace {

int mode_op(drsync_result** out, drsync_migration* m, drsync::Mode mode, const char* function) {
  return guarded([&]() -> int {
    reset_out(out, function);
    need(m, function, "migration");
    drsync_running running(m->run);
    drsync::MigrationReport r;
    try {
      r = m->migration->run(mode);
    } catch (const drsync::Error& e) {
      if (e.code() != Errc::cancelled) throw;
      *out = report_result(m->migration->report()).release();
      return set_error(e);
    }
    *out = report_result(r).release();
    if (!r.ok) {
      std::string msg = fmt::format("{} failed{}", drsync::mode_name(mode), first_error(r.errors));
      return set_error(DRSYNC_EFAILED, 0, "", msg.c_str());
    }
    return DRSYNC_OK;
  });
}

}  // namespace

void install_migration_hooks(drsync_migration* h, drsync::MigrationOptions& o) {
  o.progress = [h](const drsync::MigrationProgress& p) {
    if (!h->progress) return;
    drsync_progress cp{p.step.c_str(), p.object.c_str(), p.done,
                       p.total,        p.files_done,     p.files_total};
    if (int rc = h->progress(&cp, h->progress_payload)) cancelled_by("the progress callback", rc);
  };
  o.step_hook = [h](const drsync::StepEvent& e) {
    if (!h->step_hook) return;
    int rc =
        h->step_hook(drsync::mode_id(e.mode), e.name.c_str(), e.before ? 1 : 0, h, h->step_payload);
    if (rc)
      cancelled_by(fmt::format("the step hook ({} {})", e.before ? "before" : "after", e.name), rc);
  };
  // Always installed (the hooks may be set after the options): without a data hook, per PVC
  // pair the volume hook or the built-in mover.
  o.data_hook = [h](drsync::Migration& m, drsync::Side from, drsync::Side to) {
    if (!h->data_hook) {
      m.copy_volumes(from, to, h->volume_hook ? c_volume_hook(h) : drsync::VolumeHook());
      return;
    }
    if (int rc = h->data_hook(h, c_side(from), c_side(to), h->data_payload)) {
      cancelled_by("the data hook", rc);
    }
  };
}

int new_migration(drsync_migration** out, std::unique_ptr<drsync_migration> h,
                  const drsync_cluster* source, const char* source_ns, const drsync_cluster* dest,
                  const char* dest_ns, drsync::MigrationOptions options) {
  h->run.token = options.cancel;  // drsync_migration_cancel
  h->migration = std::make_unique<drsync::Migration>(source->cluster, source_ns, dest->cluster,
                                                     dest_ns, std::move(options));
  *out = h.release();
  return DRSYNC_OK;
}

}  // namespace drsync_capi

using namespace drsync_capi;

extern "C" {

int drsync_migration_new(drsync_migration** out, const drsync_cluster* source,
                         const char* source_ns, const drsync_cluster* dest, const char* dest_ns,
                         const char* options) {
  return guarded([&]() -> int {
    const char* fn = "drsync_migration_new";
    reset_out(out, fn);
    need(source, fn, "source");
    need(dest, fn, "dest");
    need_name(source_ns, fn, "source_ns");
    need_name(dest_ns, fn, "dest_ns");
    auto h = std::make_unique<drsync_migration>();
    drsync::MigrationOptions o;
    install_migration_hooks(h.get(), o);
    parse_options(o, options);
    return new_migration(out, std::move(h), source, source_ns, dest, dest_ns, std::move(o));
  });
}

int drsync_migration_single_new(drsync_migration** out, const drsync_cluster* cluster,
                                const char* ns, const char* options) {
  return guarded([&]() -> int {
    const char* fn = "drsync_migration_single_new";
    reset_out(out, fn);
    need(cluster, fn, "cluster");
    need_name(ns, fn, "ns");
    auto h = std::make_unique<drsync_migration>();
    drsync::MigrationOptions o;
    install_migration_hooks(h.get(), o);
    parse_options(o, options);
    h->migration = std::make_unique<drsync::Migration>(
        drsync::Migration::single(cluster->cluster, ns, std::move(o)));
    *out = h.release();
    return DRSYNC_OK;
  });
}

int drsync_stopped_namespaces(drsync_result** out, const drsync_cluster* cluster,
                              const char* options) {
  return guarded([&]() -> int {
    reset_out(out, "drsync_stopped_namespaces");
    need(cluster, "drsync_stopped_namespaces", "cluster");
    drsync::MigrationOptions o;
    parse_options(o, options);
    drsync::Object list = drsync::Object::parse("[]");
    for (const auto& ns : drsync::Migration::stopped_namespaces(cluster->cluster, o))
      list.json().PushBack(rapidjson::Value(ns, list.allocator()), list.allocator());
    *out = json_result(DRSYNC_RESULT_NAMESPACES, list.to_json()).release();
    return DRSYNC_OK;
  });
}

int drsync_migration_stage(drsync_result** out, drsync_migration* migration) {
  return mode_op(out, migration, drsync::Mode::Stage, "drsync_migration_stage");
}

int drsync_migration_cutover(drsync_result** out, drsync_migration* migration) {
  return mode_op(out, migration, drsync::Mode::Cutover, "drsync_migration_cutover");
}

int drsync_migration_failback(drsync_result** out, drsync_migration* migration) {
  return mode_op(out, migration, drsync::Mode::Failback, "drsync_migration_failback");
}

int drsync_migration_activate(drsync_result** out, drsync_migration* migration) {
  return mode_op(out, migration, drsync::Mode::Activate, "drsync_migration_activate");
}

int drsync_migration_deactivate(drsync_result** out, drsync_migration* migration) {
  return mode_op(out, migration, drsync::Mode::Deactivate, "drsync_migration_deactivate");
}

int drsync_migration_report(drsync_result** out, const drsync_migration* migration) {
  return guarded([&]() -> int {
    reset_out(out, "drsync_migration_report");
    need(migration, "drsync_migration_report", "migration");
    *out = report_result(migration->migration->report()).release();
    return DRSYNC_OK;
  });
}

int drsync_migration_status(drsync_result** out, drsync_migration* migration) {
  return guarded([&]() -> int {
    reset_out(out, "drsync_migration_status");
    need(migration, "drsync_migration_status", "migration");
    auto r = std::make_unique<drsync_result>();
    r->kind = DRSYNC_RESULT_STATUS;
    r->json = migration->migration->status().to_json();
    *out = r.release();
    return DRSYNC_OK;
  });
}

int drsync_migration_ledger(drsync_result** out, drsync_migration* migration, drsync_side side) {
  return guarded([&]() -> int {
    const char* fn = "drsync_migration_ledger";
    reset_out(out, fn);
    need(migration, fn, "migration");
    drsync::Side s = side_of(side, fn);
    drsync::Object ledger;  // {}
    for (const auto& [key, value] : migration->migration->ledger(s)) {
      ledger.json().AddMember(rapidjson::Value(key, ledger.allocator()),
                              rapidjson::Value(value, ledger.allocator()), ledger.allocator());
    }
    auto r = std::make_unique<drsync_result>();
    r->kind = DRSYNC_RESULT_LEDGER;
    r->json = ledger.to_json();
    *out = r.release();
    return DRSYNC_OK;
  });
}

int drsync_migration_set_progress(drsync_migration* migration, drsync_progress_cb callback,
                                  void* payload) {
  return guarded([&]() -> int {
    need(migration, "drsync_migration_set_progress", "migration");
    migration->progress = callback;
    migration->progress_payload = payload;
    return DRSYNC_OK;
  });
}

int drsync_migration_set_step_hook(drsync_migration* migration, drsync_step_cb callback,
                                   void* payload) {
  return guarded([&]() -> int {
    need(migration, "drsync_migration_set_step_hook", "migration");
    migration->step_hook = callback;
    migration->step_payload = payload;
    return DRSYNC_OK;
  });
}

int drsync_migration_set_data_hook(drsync_migration* migration, drsync_data_cb callback,
                                   void* payload) {
  return guarded([&]() -> int {
    need(migration, "drsync_migration_set_data_hook", "migration");
    migration->data_hook = callback;
    migration->data_payload = payload;
    return DRSYNC_OK;
  });
}

int drsync_migration_cancel(drsync_migration* migration) {
  return guarded([&]() -> int {
    need(migration, "drsync_migration_cancel", "migration");
    return migration->run.cancel();
  });
}

void drsync_migration_free(drsync_migration* migration) {
  delete migration;
}

}  // extern "C"
