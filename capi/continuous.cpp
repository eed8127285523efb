// Continuous syncs and cron schedules.
#include <fmt/format.h>

#include <string_view>

#include "drsync/schedule.hpp"
#include "handles.hpp"

namespace drsync_capi {
namespace {

std::chrono::milliseconds positive_ms(const rapidjson::Value& v, std::string_view key) {
  if (!v.IsInt64() || v.GetInt64() <= 0)
    invalid(fmt::format("continuous settings: {} must be a positive number of milliseconds", key));
  return std::chrono::milliseconds(v.GetInt64());
}

bool boolean(const rapidjson::Value& v, std::string_view key) {
  if (!v.IsBool()) invalid(fmt::format("continuous settings: {} must be true or false", key));
  return v.GetBool();
}

// The settings document: JSON, every key optional.
void parse_settings(drsync::ContinuousOptions& o, const char* settings) {
  if (settings == nullptr || *settings == '\0') return;
  drsync::Object doc;
  try {
    doc = drsync::Object::parse(settings);
  } catch (const drsync::Error& e) {
    invalid(fmt::format("continuous settings: {}", e.what()));
  }
  if (!doc.json().IsObject()) invalid("continuous settings: expected a JSON object");
  for (const auto& m : doc.json().GetObject()) {
    const std::string_view key(m.name.GetString(), m.name.GetStringLength());
    if (key == "resyncIntervalMs") {
      o.resync_interval = positive_ms(m.value, key);
    } else if (key == "debounceMs") {
      o.debounce = positive_ms(m.value, key);
    } else if (key == "maxDelayMs") {
      o.max_delay = positive_ms(m.value, key);
    } else if (key == "statePollMs") {
      o.state_poll = positive_ms(m.value, key);
    } else if (key == "repairDrift") {
      o.repair_drift = boolean(m.value, key);
    } else if (key == "stopWhenFenced") {
      o.stop_when_fenced = boolean(m.value, key);
    } else {
      invalid(fmt::format(
          "continuous settings: unknown key \"{}\" (known: resyncIntervalMs, debounceMs, "
          "maxDelayMs, statePollMs, repairDrift, stopWhenFenced)",
          key));
    }
  }
}

}  // namespace
}  // namespace drsync_capi

using namespace drsync_capi;

extern "C" {

int drsync_continuous_sync_new(drsync_continuous_sync** out, const drsync_cluster* source,
                               const char* source_ns, const drsync_cluster* dest,
                               const char* dest_ns, const char* options, const char* settings) {
  return guarded([&]() -> int {
    const char* fn = "drsync_continuous_sync_new";
    reset_out(out, fn);
    need(source, fn, "source");
    need(dest, fn, "dest");
    need_name(source_ns, fn, "source_ns");
    need_name(dest_ns, fn, "dest_ns");
    drsync::MigrationOptions mo;
    parse_options(mo, options);
    drsync::ContinuousOptions co;
    co.sync = mo.sync;
    parse_settings(co, settings);
    auto h = std::make_unique<drsync_continuous_sync>();
    // The trampoline reads the handle's current callback, so it can be set after creation.
    co.on_event = [p = h.get()](const drsync::ContinuousEvent& ev) {
      if (!p->callback) return;
      drsync_continuous_event ce{drsync::continuous_event_name(ev.kind), ev.object.c_str(),
                                 drsync::action_name(ev.action), ev.message.c_str(),
                                 static_cast<double>(ev.lag.count()) / 1000.0};
      if (p->callback(&ce, p->payload) != 0) p->sync->cancel();
    };
    h->sync = std::make_unique<drsync::ContinuousSync>(source->cluster, source_ns, dest->cluster,
                                                       dest_ns, std::move(co));
    *out = h.release();
    return DRSYNC_OK;
  });
}

int drsync_continuous_sync_set_callback(drsync_continuous_sync* sync, drsync_continuous_cb callback,
                                        void* payload) {
  return guarded([&]() -> int {
    need(sync, "drsync_continuous_sync_set_callback", "sync");
    sync->callback = callback;
    sync->payload = payload;
    return DRSYNC_OK;
  });
}

int drsync_continuous_sync_run(drsync_continuous_sync* sync) {
  return guarded([&]() -> int {
    need(sync, "drsync_continuous_sync_run", "sync");
    if (sync->sync->run() == drsync::StopReason::Fenced) {
      throw drsync::Error(drsync::Errc::fenced, sync->sync->stats().suspended_reason);
    }
    return DRSYNC_OK;
  });
}

int drsync_continuous_sync_cancel(drsync_continuous_sync* sync) {
  return guarded([&]() -> int {
    need(sync, "drsync_continuous_sync_cancel", "sync");
    sync->sync->cancel();
    return DRSYNC_OK;
  });
}

int drsync_continuous_sync_stats(drsync_result** out, const drsync_continuous_sync* sync) {
  return guarded([&]() -> int {
    reset_out(out, "drsync_continuous_sync_stats");
    need(sync, "drsync_continuous_sync_stats", "sync");
    *out = json_result(DRSYNC_RESULT_CONTINUOUS, sync->sync->stats().to_json()).release();
    return DRSYNC_OK;
  });
}

void drsync_continuous_sync_free(drsync_continuous_sync* sync) {
  delete sync;
}

int drsync_schedule_next(int64_t* out, const char* cron, int64_t after) {
  return guarded([&]() -> int {
    need(out, "drsync_schedule_next", "out");
    need_name(cron, "drsync_schedule_next", "cron");
    const drsync::Schedule schedule(cron);
    *out =
        schedule.next(drsync::SysSeconds(std::chrono::seconds(after))).time_since_epoch().count();
    return DRSYNC_OK;
  });
}

}  // extern "C"
