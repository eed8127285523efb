// The C ABI (capi/drsync.h) over the C++ API: opaque handles, error codes + a thread-local last
// error, options as one document, results as JSON. Every entry point catches every exception.
#include "drsync.h"

#include <map>
#include <memory>
#include <new>
#include <string>
#include <utility>

#include "drsync/cluster.hpp"
#include "drsync/error.hpp"
#include "drsync/migration.hpp"
#include "drsync/object.hpp"
#include "drsync/options.hpp"
#include "drsync/sync.hpp"

using drsync::Errc;

// ---- handles ------------------------------------------------------------------------------------

struct drsync_cluster {
  drsync::Cluster cluster;
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
  drsync_progress_cb progress = nullptr;
  void* progress_payload = nullptr;
};

struct drsync_migration {
  std::unique_ptr<drsync::Migration> migration;
  drsync_progress_cb progress = nullptr;
  void* progress_payload = nullptr;
  drsync_step_cb step_hook = nullptr;
  void* step_payload = nullptr;
  drsync_data_cb data_hook = nullptr;
  void* data_payload = nullptr;
};

struct drsync_plan {
  drsync::DrPlan plan;
};

namespace {

// ---- the thread's last error --------------------------------------------------------------------

struct LastError {
  std::string reason;
  std::string message;
  drsync_error view{DRSYNC_OK, 0, "", ""};
};

thread_local LastError last_error;

int set_error(int code, int http_status, const char* reason, const char* message) noexcept {
  LastError& e = last_error;
  e.view.code = code;
  e.view.http_status = http_status;
  try {
    e.reason = reason ? reason : "";
    e.message = message ? message : "";
    e.view.reason = e.reason.c_str();
    e.view.message = e.message.c_str();
  } catch (...) {  // out of memory while recording an error: keep the code
    e.view.reason = "";
    e.view.message = "out of memory while recording an error";
  }
  return code;
}

int code_of(Errc c) noexcept {
  switch (c) {
    case Errc::ok:
      return DRSYNC_ERROR;  // an Error never carries ok
    case Errc::invalid_argument:
      return DRSYNC_EINVALIDARG;
    case Errc::config:
      return DRSYNC_ECONFIG;
    case Errc::not_found:
      return DRSYNC_ENOTFOUND;
    case Errc::already_exists:
      return DRSYNC_EEXISTS;
    case Errc::conflict:
      return DRSYNC_ECONFLICT;
    case Errc::invalid:
      return DRSYNC_EINVALID;
    case Errc::bad_request:
      return DRSYNC_EBADREQUEST;
    case Errc::forbidden:
      return DRSYNC_EFORBIDDEN;
    case Errc::unauthorized:
      return DRSYNC_EUNAUTHORIZED;
    case Errc::method_not_allowed:
      return DRSYNC_ENOTALLOWED;
    case Errc::gone:
      return DRSYNC_EGONE;
    case Errc::too_many_requests:
      return DRSYNC_ETOOMANYREQUESTS;
    case Errc::timeout:
      return DRSYNC_ETIMEOUT;
    case Errc::server_error:
      return DRSYNC_ESERVER;
    case Errc::network:
      return DRSYNC_ENETWORK;
    case Errc::tls:
      return DRSYNC_ETLS;
    case Errc::unavailable:
      return DRSYNC_EUNAVAILABLE;
    case Errc::fenced:
      return DRSYNC_EFENCED;
    case Errc::pending:
      return DRSYNC_EPENDING;
    case Errc::cancelled:
      return DRSYNC_ECANCELLED;
    case Errc::internal:
      return DRSYNC_EINTERNAL;
  }
  return DRSYNC_ERROR;
}

int set_error(const drsync::Error& e) noexcept {
  return set_error(code_of(e.code()), e.http_status(), e.reason().c_str(), e.what());
}

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

[[noreturn]] void invalid(const std::string& message) {
  throw drsync::Error(Errc::invalid_argument, message);
}

template <typename T>
void need(const T* p, const char* function, const char* what) {
  if (!p) invalid(std::string(function) + ": " + what + " is NULL");
}

void need_name(const char* s, const char* function, const char* what) {
  if (!s || !*s) invalid(std::string(function) + ": " + what + " is NULL or empty");
}

template <typename T>
void reset_out(T** out, const char* function) {
  need(out, function, "out");
  *out = nullptr;
}

drsync::Side side_of(drsync_side s, const char* function) {
  switch (s) {
    case DRSYNC_SIDE_SOURCE:
      return drsync::Side::Source;
    case DRSYNC_SIDE_DESTINATION:
      return drsync::Side::Destination;
  }
  invalid(std::string(function) + ": side must be DRSYNC_SIDE_SOURCE or DRSYNC_SIDE_DESTINATION");
}

drsync::Side other(drsync::Side s) {
  return s == drsync::Side::Source ? drsync::Side::Destination : drsync::Side::Source;
}

drsync_side c_side(drsync::Side s) {
  return s == drsync::Side::Source ? DRSYNC_SIDE_SOURCE : DRSYNC_SIDE_DESTINATION;
}

const char* mode_text(drsync::Mode m) {
  switch (m) {
    case drsync::Mode::Stage:
      return "stage";
    case drsync::Mode::Cutover:
      return "cutover";
    case drsync::Mode::Failback:
      return "failback";
  }
  return "unknown";
}

[[noreturn]] void cancelled_by(const std::string& what, int rc) {
  throw drsync::Error(Errc::cancelled, what + " returned " + std::to_string(rc) + ": cancelled");
}

constexpr drsync::Action kActions[] = {drsync::Action::Create,    drsync::Action::Update,
                                       drsync::Action::Unchanged, drsync::Action::Skip,
                                       drsync::Action::Prune,     drsync::Action::Conflict,
                                       drsync::Action::Error};

void fill_counts(drsync_result& r, const drsync::SyncResult& s) {
  r.has_counts = true;
  for (drsync::Action a : kActions) r.counts[drsync::action_name(a)] = s.count(a);
}

std::unique_ptr<drsync_result> sync_result(const drsync::SyncResult& s) {
  auto r = std::make_unique<drsync_result>();
  r->kind = DRSYNC_RESULT_SYNC;
  r->ok = s.ok();
  r->json = s.to_json();
  fill_counts(*r, s);
  return r;
}

std::unique_ptr<drsync_result> report_result(const drsync::MigrationReport& m) {
  auto r = std::make_unique<drsync_result>();
  r->kind = DRSYNC_RESULT_MIGRATION;
  r->ok = m.ok;
  r->json = m.to_json();
  r->markdown = m.to_markdown();
  if (m.sync) fill_counts(*r, *m.sync);
  return r;
}

std::string first_error(const std::vector<std::string>& errors) {
  if (errors.empty()) return "";
  std::string s = ": " + errors.front();
  if (errors.size() > 1) s += " (and " + std::to_string(errors.size() - 1) + " more)";
  return s;
}

// Options for a sync or migration handle: the C callbacks reached through trampolines that read
// the handle's current callback, so they can be set after creation.
drsync::SyncOptions sync_options(drsync_sync* h, drsync::SyncOptions o) {
  o.progress = [h](const drsync::SyncProgress& p) {
    if (!h->progress) return;
    drsync_progress cp{p.phase.c_str(), p.object.c_str(), p.done, p.total};
    if (int rc = h->progress(&cp, h->progress_payload)) cancelled_by("the progress callback", rc);
  };
  return o;
}

void install_migration_hooks(drsync_migration* h, drsync::MigrationOptions& o) {
  o.progress = [h](const drsync::MigrationProgress& p) {
    if (!h->progress) return;
    drsync_progress cp{p.step.c_str(), p.object.c_str(), p.done, p.total};
    if (int rc = h->progress(&cp, h->progress_payload)) cancelled_by("the progress callback", rc);
  };
  o.step_hook = [h](const drsync::StepEvent& e) {
    if (!h->step_hook) return;
    int rc = h->step_hook(mode_text(e.mode), e.step.c_str(), e.before ? 1 : 0, h, h->step_payload);
    if (rc)
      cancelled_by(
          std::string("the step hook (") + (e.before ? "before " : "after ") + e.step + ")", rc);
  };
  // Always installed, so the document may ask for migrateData before the hook is set.
  o.data_hook = [h](drsync::Migration&, drsync::Side from, drsync::Side to) {
    if (!h->data_hook) {
      throw drsync::Error(Errc::invalid_argument,
                          "migrateData is set but no data hook is installed "
                          "(drsync_migration_set_data_hook)");
    }
    if (int rc = h->data_hook(h, c_side(from), c_side(to), h->data_payload)) {
      cancelled_by("the data hook", rc);
    }
  };
}

void parse_options(drsync::MigrationOptions& o, const char* document) {
  if (document && *document) drsync::apply_options_document(o, document, "<options>", ".");
}

int new_sync(drsync_sync** out, const drsync_cluster* source, const char* source_ns,
             const drsync_cluster* dest, const char* dest_ns, const drsync::SyncOptions& options) {
  auto h = std::make_unique<drsync_sync>();
  h->sync = std::make_unique<drsync::NamespaceSync>(source->cluster, source_ns, dest->cluster,
                                                    dest_ns, sync_options(h.get(), options));
  *out = h.release();
  return DRSYNC_OK;
}

int new_migration(drsync_migration** out, std::unique_ptr<drsync_migration> h,
                  const drsync_cluster* source, const char* source_ns, const drsync_cluster* dest,
                  const char* dest_ns, drsync::MigrationOptions options) {
  h->migration = std::make_unique<drsync::Migration>(source->cluster, source_ns, dest->cluster,
                                                     dest_ns, std::move(options));
  *out = h.release();
  return DRSYNC_OK;
}

int sync_op(drsync_result** out, drsync_sync* s, bool apply, const char* function) {
  return guarded([&]() -> int {
    reset_out(out, function);
    need(s, function, "sync");
    drsync::SyncResult r = apply ? s->sync->run() : s->sync->plan();
    *out = sync_result(r).release();
    if (!r.ok()) {
      std::string m = std::string(apply ? "sync" : "sync plan") + " finished with " +
                      std::to_string(r.errors.size()) + " error(s)" + first_error(r.errors);
      return set_error(DRSYNC_EFAILED, 0, "", m.c_str());
    }
    return DRSYNC_OK;
  });
}

int mode_op(drsync_result** out, drsync_migration* m, drsync::Mode mode, const char* function) {
  return guarded([&]() -> int {
    reset_out(out, function);
    need(m, function, "migration");
    drsync::MigrationReport r;
    try {
      switch (mode) {
        case drsync::Mode::Stage:
          r = m->migration->stage();
          break;
        case drsync::Mode::Cutover:
          r = m->migration->cutover();
          break;
        case drsync::Mode::Failback:
          r = m->migration->failback();
          break;
      }
    } catch (const drsync::Error& e) {
      if (e.code() != Errc::cancelled) throw;
      *out = report_result(m->migration->report()).release();
      return set_error(e);
    }
    *out = report_result(r).release();
    if (!r.ok) {
      std::string msg = std::string(drsync::mode_name(mode)) + " failed" + first_error(r.errors);
      return set_error(DRSYNC_EFAILED, 0, "", msg.c_str());
    }
    return DRSYNC_OK;
  });
}

const drsync::PlanNamespace& plan_pair(const drsync_plan* plan, size_t index, const char* fn) {
  need(plan, fn, "plan");
  if (index >= plan->plan.namespaces.size()) {
    invalid(std::string(fn) + ": index " + std::to_string(index) +
            " is out of range (the plan has " + std::to_string(plan->plan.namespaces.size()) +
            " namespace pairs)");
  }
  return plan->plan.namespaces[index];
}
}  // namespace

// ---- versions and errors ------------------------------------------------------------------------

extern "C" {

int drsync_abi_version(void) {
  return DRSYNC_ABI_VERSION;
}

const char* drsync_version(void) {
  return DRSYNC_VERSION;
}

const drsync_error* drsync_error_last(void) {
  return &last_error.view;
}

void drsync_error_clear(void) {
  LastError& e = last_error;
  e.view = drsync_error{DRSYNC_OK, 0, "", ""};
  e.reason.clear();
  e.message.clear();
}

const char* drsync_error_name(int code) {
  switch (code) {
    case DRSYNC_OK:
      return "ok";
    case DRSYNC_ERROR:
      return "error";
    case DRSYNC_ENOMEM:
      return "out_of_memory";
    case DRSYNC_EFAILED:
      return "failed";
    default:
      break;
  }
  for (int c = static_cast<int>(Errc::invalid_argument); c <= static_cast<int>(Errc::internal);
       ++c) {
    if (code_of(static_cast<Errc>(c)) == code) return drsync::errc_name(static_cast<Errc>(c));
  }
  return "unknown";
}

// ---- clusters -----------------------------------------------------------------------------------

int drsync_cluster_open(drsync_cluster** out, const char* kubeconfig_path, const char* context) {
  return guarded([&]() -> int {
    reset_out(out, "drsync_cluster_open");
    *out = new drsync_cluster{drsync::Cluster::from_kubeconfig(
        kubeconfig_path ? kubeconfig_path : "", context ? context : "")};
    return DRSYNC_OK;
  });
}

int drsync_cluster_open_in_cluster(drsync_cluster** out) {
  return guarded([&]() -> int {
    reset_out(out, "drsync_cluster_open_in_cluster");
    *out = new drsync_cluster{drsync::Cluster::in_cluster()};
    return DRSYNC_OK;
  });
}

const char* drsync_cluster_server(const drsync_cluster* cluster) {
  return cluster ? cluster->cluster.server().c_str() : nullptr;
}

void drsync_cluster_free(drsync_cluster* cluster) {
  delete cluster;
}

// ---- results ------------------------------------------------------------------------------------

drsync_result_kind drsync_result_kind_of(const drsync_result* result) {
  return result ? result->kind : DRSYNC_RESULT_SYNC;
}

const char* drsync_result_json(const drsync_result* result) {
  return result ? result->json.c_str() : nullptr;
}

int drsync_result_ok(const drsync_result* result) {
  return result && result->ok ? 1 : 0;
}

int drsync_result_count(const drsync_result* result, const char* action) {
  if (!result || !action || !result->has_counts) return -1;
  auto it = result->counts.find(action);
  return it == result->counts.end() ? -1 : it->second;
}

const char* drsync_result_markdown(const drsync_result* result) {
  return result && result->kind == DRSYNC_RESULT_MIGRATION ? result->markdown.c_str() : nullptr;
}

void drsync_result_free(drsync_result* result) {
  delete result;
}

// ---- sync ---------------------------------------------------------------------------------------

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

void drsync_sync_free(drsync_sync* sync) {
  delete sync;
}

// ---- migration ----------------------------------------------------------------------------------

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

int drsync_migration_stage(drsync_result** out, drsync_migration* migration) {
  return mode_op(out, migration, drsync::Mode::Stage, "drsync_migration_stage");
}

int drsync_migration_cutover(drsync_result** out, drsync_migration* migration) {
  return mode_op(out, migration, drsync::Mode::Cutover, "drsync_migration_cutover");
}

int drsync_migration_failback(drsync_result** out, drsync_migration* migration) {
  return mode_op(out, migration, drsync::Mode::Failback, "drsync_migration_failback");
}

int drsync_migration_step(drsync_migration* migration, const char* step, drsync_side side) {
  return guarded([&]() -> int {
    const char* fn = "drsync_migration_step";
    need(migration, fn, "migration");
    need_name(step, fn, "step");
    drsync::Side s = side_of(side, fn);
    drsync::Migration& m = *migration->migration;
    const std::string name = step;
    if (name == "sync")
      m.sync(other(s), s);
    else if (name == "record")
      m.record(s);
    else if (name == "fence")
      m.fence(s);
    else if (name == "unfence")
      m.unfence(s);
    else if (name == "scale_down")
      m.scale_down(s);
    else if (name == "scale_up")
      m.scale_up(s);
    else if (name == "wait_gone")
      m.wait_gone(s);
    else if (name == "wait_ready")
      m.wait_ready(s);
    else if (name == "migrate_data")
      m.migrate_data(other(s), s);
    else if (name == "verify")
      m.verify(s);
    else {
      invalid(std::string(fn) + ": unknown step \"" + name +
              "\" (sync, record, fence, unfence, scale_down, scale_up, wait_gone, wait_ready, "
              "migrate_data, verify)");
    }
    return DRSYNC_OK;
  });
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

void drsync_migration_free(drsync_migration* migration) {
  delete migration;
}

// ---- plans --------------------------------------------------------------------------------------

int drsync_plan_load(drsync_plan** out, const char* path) {
  return guarded([&]() -> int {
    reset_out(out, "drsync_plan_load");
    need_name(path, "drsync_plan_load", "path");
    *out = new drsync_plan{drsync::load_plan(path)};
    return DRSYNC_OK;
  });
}

int drsync_plan_parse(drsync_plan** out, const char* document, const char* base_dir) {
  return guarded([&]() -> int {
    reset_out(out, "drsync_plan_parse");
    need(document, "drsync_plan_parse", "document");
    *out = new drsync_plan{
        drsync::parse_plan(document, "<plan>", base_dir && *base_dir ? base_dir : ".")};
    return DRSYNC_OK;
  });
}

const char* drsync_plan_name(const drsync_plan* plan) {
  return plan ? plan->plan.name.c_str() : nullptr;
}

const char* drsync_plan_kubeconfig(const drsync_plan* plan, drsync_side side) {
  if (!plan) return nullptr;
  return (side == DRSYNC_SIDE_SOURCE ? plan->plan.source : plan->plan.destination)
      .kubeconfig.c_str();
}

const char* drsync_plan_context(const drsync_plan* plan, drsync_side side) {
  if (!plan) return nullptr;
  return (side == DRSYNC_SIDE_SOURCE ? plan->plan.source : plan->plan.destination).context.c_str();
}

size_t drsync_plan_count(const drsync_plan* plan) {
  return plan ? plan->plan.namespaces.size() : 0;
}

const char* drsync_plan_namespace(const drsync_plan* plan, size_t index, drsync_side side) {
  if (!plan || index >= plan->plan.namespaces.size()) return nullptr;
  const drsync::PlanNamespace& p = plan->plan.namespaces[index];
  return (side == DRSYNC_SIDE_SOURCE ? p.source : p.destination).c_str();
}

int drsync_plan_sync_new(drsync_sync** out, const drsync_plan* plan, size_t index,
                         const drsync_cluster* source, const drsync_cluster* dest) {
  return guarded([&]() -> int {
    const char* fn = "drsync_plan_sync_new";
    reset_out(out, fn);
    const drsync::PlanNamespace& p = plan_pair(plan, index, fn);
    need(source, fn, "source");
    need(dest, fn, "dest");
    return new_sync(out, source, p.source.c_str(), dest, p.destination.c_str(), p.options.sync);
  });
}

int drsync_plan_migration_new(drsync_migration** out, const drsync_plan* plan, size_t index,
                              const drsync_cluster* source, const drsync_cluster* dest) {
  return guarded([&]() -> int {
    const char* fn = "drsync_plan_migration_new";
    reset_out(out, fn);
    const drsync::PlanNamespace& p = plan_pair(plan, index, fn);
    need(source, fn, "source");
    need(dest, fn, "dest");
    auto h = std::make_unique<drsync_migration>();
    drsync::MigrationOptions o = p.options;
    install_migration_hooks(h.get(), o);
    return new_migration(out, std::move(h), source, p.source.c_str(), dest, p.destination.c_str(),
                         std::move(o));
  });
}

void drsync_plan_free(drsync_plan* plan) {
  delete plan;
}

}  // extern "C"
