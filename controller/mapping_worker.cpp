#include "mapping_worker.hpp"

#include <fmt/format.h>
#include <drsync/error.hpp>
#include <drsync/migration.hpp>
#include <drsync/schedule.hpp>

#include "logger.hpp"

namespace drsync_controller {
namespace {

using SysClock = std::chrono::system_clock;

double unix_seconds(SysClock::time_point t) {
  return std::chrono::duration<double>(t.time_since_epoch()).count();
}

std::string join(const std::vector<std::string>& lines, std::string_view sep) {
  std::string out;
  for (const auto& l : lines) out += (out.empty() ? "" : std::string(sep)) + l;
  return out;
}

int count(const drsync::SyncResult& r, drsync::Action a) {
  auto it = r.counts.find(a);
  return it == r.counts.end() ? 0 : it->second;
}

}  // namespace

MappingWorker::MappingWorker(WorkerContext ctx, NamespaceMappingSpec spec, bool synced_before)
    : ctx_(std::move(ctx)), spec_(std::move(spec)), synced_before_(synced_before) {
  thread_ = std::thread([this] { main(); });
}

MappingWorker::~MappingWorker() {
  stop();
}

void MappingWorker::trigger() {
  std::lock_guard lock(mutex_);
  triggered_ = true;
  if (running_) running_->cancel();
  cv_.notify_all();
}

void MappingWorker::stop() {
  {
    std::lock_guard lock(mutex_);
    cancel_.cancel();
    if (running_) running_->cancel();
    for (const auto& c : clusters_) c.cancel_all();
    cv_.notify_all();
  }
  if (thread_.joinable()) thread_.join();
}

void MappingWorker::collect() const {
  std::lock_guard lock(mutex_);
  if (!running_) return;
  auto s = running_->stats();
  auto seconds = [](std::chrono::microseconds us) { return static_cast<double>(us.count()) / 1e6; };
  ctx_.metrics->set("drsync_mapping_lag_seconds",
                    {{"mapping", spec_.self.key()}, {"quantile", "0.5"}}, seconds(s.lag_p50));
  ctx_.metrics->set("drsync_mapping_lag_seconds",
                    {{"mapping", spec_.self.key()}, {"quantile", "0.99"}}, seconds(s.lag_p99));
}

bool MappingWorker::wait_until(SysClock::time_point until) {
  std::unique_lock lock(mutex_);
  cv_.wait_until(lock, until, [&] { return triggered_ || cancel_.cancelled(); });
  triggered_ = false;
  return !cancel_.cancelled();
}

void MappingWorker::main() {
  auto backoff = std::chrono::seconds(5);
  while (!cancel_.cancelled()) {
    try {
      ClusterPair pair = resolve_clusters(ctx_.home, spec_);
      {
        std::lock_guard lock(mutex_);
        clusters_ = {pair.source, pair.dest};
      }
      if (pair.paused) {
        write_status("Paused",
                     fmt::format("ClusterMapping {} is paused", spec_.cluster_mapping->key()),
                     false);
        wait_until(SysClock::now() + std::chrono::hours(24 * 365));
        continue;
      }
      run_mode(pair);
      return;
    } catch (const std::exception& e) {
      if (cancel_.cancelled()) return;
      record_failure("Failed", e.what());
      info("NamespaceMapping {}: retrying in {}s", spec_.self.key(), backoff.count());
      wait_until(SysClock::now() + backoff);
      backoff = std::min(backoff * 2, std::chrono::seconds(60));
    }
  }
}

void MappingWorker::run_mode(ClusterPair& pair) {
  info("NamespaceMapping {}: {} sync of {}/{} -> {}/{}", spec_.self.key(), mode_name(spec_.mode),
       pair.source_name, spec_.source_namespace, pair.dest_name, spec_.destination_namespace);
  switch (spec_.mode) {
    case ReplicationMode::Continuous:
      return run_continuous(pair);
    case ReplicationMode::Scheduled:
      return run_scheduled(pair);
    case ReplicationMode::Manual:
      return run_manual(pair);
  }
}

void MappingWorker::run_continuous(ClusterPair& pair) {
  while (!cancel_.cancelled()) {
    drsync::ContinuousOptions o;
    o.sync = spec_.options.sync;
    o.resync_interval = spec_.resync_interval;
    o.on_event = [this](const drsync::ContinuousEvent& e) { on_event(e); };
    drsync::ContinuousSync sync(pair.source, spec_.source_namespace, pair.dest,
                                spec_.destination_namespace, o);
    {
      std::lock_guard lock(mutex_);
      if (cancel_.cancelled()) return;
      running_ = &sync;
      triggered_ = false;
    }
    write_status("Running", "continuous sync: full sync, then watching the source", condition_ok_);
    try {
      sync.run();
    } catch (...) {
      std::lock_guard lock(mutex_);
      running_ = nullptr;
      throw;
    }
    std::lock_guard lock(mutex_);
    running_ = nullptr;
  }
}

void MappingWorker::run_scheduled(ClusterPair& pair) {
  drsync::Schedule schedule(spec_.schedule);
  if (!synced_before_) stage(pair, "first sync of a new mapping");
  while (!cancel_.cancelled()) {
    auto next = schedule.next(std::chrono::floor<std::chrono::seconds>(SysClock::now()));
    ctx_.metrics->set("drsync_mapping_next_sync_timestamp_seconds", labels(), unix_seconds(next));
    ctx_.status->patch_status(namespace_mappings(), spec_.self,
                              "\"nextSyncTime\":\"" + rfc3339(next) + "\"");
    if (!wait_until(next)) return;
    bool on_time = SysClock::now() >= next;
    stage(pair, on_time ? "schedule" : "sync-now");
  }
}

void MappingWorker::run_manual(ClusterPair& pair) {
  if (!synced_before_)
    write_status("Pending", "Manual mode: waiting for the dr-syncer.io/sync-now annotation", false);
  while (wait_until(SysClock::now() + std::chrono::hours(24 * 365))) stage(pair, "sync-now");
}

void MappingWorker::stage(ClusterPair& pair, std::string_view why) {
  info("NamespaceMapping {}: Stage ({})", spec_.self.key(), why);
  write_status("Running", fmt::format("Stage ({})", why), condition_ok_);
  auto started = std::chrono::steady_clock::now();
  auto took = [&] {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() -
                                                                 started);
  };
  try {
    if (!spec_.scale_to_zero) {  // a hot standby: no Migration, workloads keep their counts
      auto o = spec_.options.sync;
      o.cancel = cancel_;
      auto result = drsync::NamespaceSync(pair.source, spec_.source_namespace, pair.dest,
                                          spec_.destination_namespace, o)
                        .run();
      if (result.errors.empty()) return record_sync(result, took());
      return record_failure("Failed", join(result.errors, "; "));
    }
    drsync::MigrationOptions mo = spec_.options;
    mo.cancel = cancel_;
    drsync::Migration m(pair.source, spec_.source_namespace, pair.dest, spec_.destination_namespace,
                        mo);
    auto report = m.stage();
    if (report.ok && report.sync) return record_sync(*report.sync, took(), report.volumes);
    record_failure("Failed", report.errors.empty() ? "Stage failed" : join(report.errors, "; "));
  } catch (const drsync::Error& e) {
    if (cancel_.cancelled()) return;
    bool refused = e.code() == drsync::Errc::fenced || e.code() == drsync::Errc::pending;
    record_failure(refused ? "Suspended" : "Failed", e.what());
  }
}

void MappingWorker::on_event(const drsync::ContinuousEvent& e) {
  using K = drsync::ContinuousEventKind;
  switch (e.kind) {
    case K::Resynced:
      if (e.result && e.result->errors.empty())
        record_sync(*e.result, e.result->duration);
      else if (e.result)
        record_failure("Running", join(e.result->errors, "; "));
      break;
    case K::Applied: {
      debug("NamespaceMapping {}: {} {}{}", spec_.self.key(), drsync::action_name(e.action),
            e.object, e.message.empty() ? "" : ": " + e.message);
      ctx_.metrics->add("drsync_mapping_changes_total",
                        {{"mapping", spec_.self.key()}, {"action", drsync::action_name(e.action)}});
      auto now = std::chrono::steady_clock::now();
      if (now - last_event_write_ < std::chrono::seconds(5)) break;
      last_event_write_ = now;
      ctx_.status->patch_status(namespace_mappings(), spec_.self,
                                "\"lastWatchEvent\":\"" + rfc3339(SysClock::now()) + "\"");
      break;
    }
    case K::Suspended:
      info("NamespaceMapping {}: suspended: {}", spec_.self.key(), e.message);
      ctx_.metrics->set("drsync_mapping_suspended", labels(), 1);
      write_status("Suspended", e.message, false);
      break;
    case K::Resumed:
      info("NamespaceMapping {}: resumed", spec_.self.key());
      ctx_.metrics->set("drsync_mapping_suspended", labels(), 0);
      write_status("Running", "resumed after a Failback", true);
      break;
    case K::WatchError:
      ctx_.metrics->add("drsync_mapping_errors_total", labels());
      warn("NamespaceMapping {}: {}", spec_.self.key(), e.message);
      break;
  }
}

void MappingWorker::write_status(std::string_view phase, std::string_view message, bool ok,
                                 std::string extra) {
  if (condition_since_.empty() || ok != condition_ok_) {
    condition_ok_ = ok;
    condition_since_ = rfc3339(SysClock::now());
  }
  Condition c{"Synced",
              ok,
              std::string(ok ? "Synced" : phase),
              std::string(message),
              spec_.generation,
              condition_since_};
  std::string ignored =
      spec_.ignored.empty() ? "" : ",\"ignoredFields\":[\"" + join(spec_.ignored, "\",\"") + "\"]";
  ctx_.status->patch_status(
      namespace_mappings(), spec_.self,
      fmt::format("\"phase\":{},\"message\":{},\"observedGeneration\":{},\"conditions\":[{}]{}{}",
                  json_string(phase), json_string(message), spec_.generation, c.to_json(), ignored,
                  extra));
}

void MappingWorker::record_sync(const drsync::SyncResult& r, std::chrono::milliseconds took,
                                const std::vector<drsync::VolumeCopy>& volumes) {
  synced_before_ = true;
  auto now = SysClock::now();
  ctx_.metrics->add("drsync_mapping_syncs_total",
                    {{"mapping", spec_.self.key()}, {"result", "success"}});
  ctx_.metrics->set("drsync_mapping_last_sync_timestamp_seconds", labels(), unix_seconds(now));
  int failed = count(r, drsync::Action::Error);
  int total = static_cast<int>(r.objects.size());
  std::string stats = fmt::format(
      R"(,"lastSyncTime":"{}","lastError":null,"syncStats":{{"totalResources":{},"successfulSyncs":{},"failedSyncs":{},"lastSyncDuration":"{:.3f}s","created":{},"updated":{},"unchanged":{},"pruned":{},"skipped":{}}})",
      rfc3339(now), total, total - failed, failed, static_cast<double>(took.count()) / 1000.0,
      count(r, drsync::Action::Create), count(r, drsync::Action::Update),
      count(r, drsync::Action::Unchanged), count(r, drsync::Action::Prune),
      count(r, drsync::Action::Skip));
  std::string message =
      fmt::format("synced {} objects into {}", total, spec_.destination_namespace);
  if (spec_.sync_data) {
    std::uint64_t sent = 0, files = 0;
    for (const auto& v : volumes) sent += v.bytes_sent, files += v.files_transferred;
    stats += fmt::format(R"(,"dataSync":{{"volumes":{},"filesTransferred":{},"bytesSent":{}}})",
                         volumes.size(), files, sent);
    message += fmt::format(" and the data of {} PVCs", volumes.size());
  }
  std::string phase = spec_.mode == ReplicationMode::Continuous ? "Running" : "Completed";
  write_status(phase, message, true, stats);
}

void MappingWorker::record_failure(std::string_view phase, const std::string& message) {
  warn("NamespaceMapping {}: {}", spec_.self.key(), message);
  ctx_.metrics->add("drsync_mapping_errors_total", labels());
  if (phase != "Suspended")
    ctx_.metrics->add("drsync_mapping_syncs_total",
                      {{"mapping", spec_.self.key()}, {"result", "failure"}});
  write_status(phase, message, false,
               fmt::format(R"(,"lastError":{{"message":{},"time":"{}"}})", json_string(message),
                           rfc3339(SysClock::now())));
}

}  // namespace drsync_controller
