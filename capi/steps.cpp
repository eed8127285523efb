// Steps and step plans: the C enums are drsync::Mode and drsync::Step, their names the C++ table's.
#include <fmt/format.h>

#include "handles.hpp"

static_assert(DRSYNC_MODE_FAILBACK == static_cast<int>(drsync::Mode::Failback));
static_assert(DRSYNC_MODE_DEACTIVATE == static_cast<int>(drsync::Mode::Deactivate));
static_assert(DRSYNC_STEP_SYNC == static_cast<int>(drsync::Step::Sync));
static_assert(DRSYNC_STEP_SCALE_DOWN == static_cast<int>(drsync::Step::ScaleDown));
static_assert(DRSYNC_STEP_MIGRATE_DATA == static_cast<int>(drsync::Step::MigrateData));
static_assert(DRSYNC_STEP_CHECK_SERVICES + 1 == drsync::kStepCount);

using namespace drsync_capi;

namespace {

bool valid(drsync_step step) {
  return static_cast<int>(step) >= 0 && static_cast<int>(step) < drsync::kStepCount;
}

bool valid(drsync_mode mode) {
  return static_cast<int>(mode) >= DRSYNC_MODE_STAGE &&
         static_cast<int>(mode) <= DRSYNC_MODE_DEACTIVATE;
}

drsync::Step step_of(const char* name, const char* function) {
  need_name(name, function, "step");
  auto step = drsync::parse_step(name);
  if (!step)
    invalid(fmt::format("{}: unknown step \"{}\" ({})", function, name, drsync::step_names()));
  return *step;
}

int run_step(drsync_migration* migration, drsync::Step step, drsync_side side, const char* fn) {
  need(migration, fn, "migration");
  drsync_running running(migration->run);
  drsync::PlannedStep s;
  s.step = step;
  s.side = side_of(side, fn);
  migration->migration->run_step(s);
  return DRSYNC_OK;
}

}  // namespace

extern "C" {

const char* drsync_mode_name(drsync_mode mode) {
  return valid(mode) ? drsync::mode_id(static_cast<drsync::Mode>(mode)) : nullptr;
}

const char* drsync_step_name(drsync_step step) {
  return valid(step) ? drsync::step_name(static_cast<drsync::Step>(step)) : nullptr;
}

int drsync_step_parse(drsync_step* out, const char* name) {
  return guarded([&]() -> int {
    need(out, "drsync_step_parse", "out");
    *out = static_cast<drsync_step>(step_of(name, "drsync_step_parse"));
    return DRSYNC_OK;
  });
}

int drsync_migration_run_step(drsync_migration* migration, drsync_step step, drsync_side side) {
  return guarded([&]() -> int {
    const char* fn = "drsync_migration_run_step";
    if (!valid(step))
      invalid(fmt::format("{}: step {} is not a drsync_step", fn, static_cast<int>(step)));
    return run_step(migration, static_cast<drsync::Step>(step), side, fn);
  });
}

int drsync_migration_step(drsync_migration* migration, const char* step, drsync_side side) {
  return guarded([&]() -> int {
    const char* fn = "drsync_migration_step";
    need(migration, fn, "migration");
    return run_step(migration, step_of(step, fn), side, fn);
  });
}

int drsync_migration_plan(drsync_result** out, drsync_migration* migration, drsync_mode mode,
                          int preview) {
  return guarded([&]() -> int {
    const char* fn = "drsync_migration_plan";
    reset_out(out, fn);
    need(migration, fn, "migration");
    auto plan = migration->migration->plan(mode_of(mode, fn), preview != 0);
    *out = json_result(DRSYNC_RESULT_STEP_PLAN, plan.to_json()).release();
    return DRSYNC_OK;
  });
}

int drsync_migration_preflight(drsync_result** out, drsync_migration* migration) {
  return guarded([&]() -> int {
    const char* fn = "drsync_migration_preflight";
    reset_out(out, fn);
    need(migration, fn, "migration");
    drsync_running running(migration->run);
    auto report = migration->migration->preflight();
    auto r = json_result(DRSYNC_RESULT_PREFLIGHT, report.to_json());
    r->ok = report.ok();
    *out = r.release();
    return DRSYNC_OK;
  });
}

}  // extern "C"
