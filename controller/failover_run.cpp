#include "failover_run.hpp"

#include <fmt/format.h>
#include <drsync/error.hpp>
#include <drsync/migration.hpp>

#include "logger.hpp"

namespace drsync_controller {

FailoverRun::FailoverRun(WorkerContext ctx, FailoverSpec failover, NamespaceMappingSpec mapping,
                         std::function<void()> on_done)
    : ctx_(std::move(ctx)),
      failover_(std::move(failover)),
      mapping_(std::move(mapping)),
      on_done_(std::move(on_done)) {
  thread_ = std::thread([this] { main(); });
}

FailoverRun::~FailoverRun() {
  stop();
}

void FailoverRun::stop() {
  {
    std::lock_guard lock(mutex_);
    cancel_.cancel();
    for (const auto& c : clusters_) c.cancel_all();
  }
  if (thread_.joinable()) thread_.join();
}

void FailoverRun::main() {
  auto mode = *drsync::parse_mode(failover_.mode);
  info("Failover {}: {} of NamespaceMapping {}", failover_.self.key(), failover_.mode,
       mapping_.self.key());
  ctx_.status->patch_status(failovers(), failover_.self,
                            fmt::format(R"("phase":"Running","startTime":"{}","message":{})",
                                        rfc3339(std::chrono::system_clock::now()),
                                        json_string(fmt::format("{} running", failover_.mode))));
  try {
    ClusterPair pair = resolve_clusters(ctx_.home, mapping_);
    {
      std::lock_guard lock(mutex_);
      clusters_ = {pair.source, pair.dest};
    }
    drsync::MigrationOptions o = mapping_.options;
    o.source_unavailable = failover_.source_down;
    o.migrate_data = failover_.migrate_data || mapping_.sync_data;
    o.reverse_migrate_data = failover_.reverse_migrate_data;
    o.reverse_sync = failover_.reverse_sync;
    o.rollback_on_failure = failover_.rollback_on_failure;
    o.wait_timeout = failover_.wait_timeout;
    o.cancel = cancel_;
    drsync::Migration m(pair.source, mapping_.source_namespace, pair.dest,
                        mapping_.destination_namespace, o);
    auto report = m.run(mode);
    std::string message =
        report.ok ? fmt::format("{} completed", failover_.mode)
                  : (report.errors.empty() ? failover_.mode + " failed" : report.errors.front());
    finish(report.ok, message, report.to_json());
  } catch (const std::exception& e) {
    if (cancel_.cancelled()) {
      info("Failover {}: stopped half-way; the next leader resumes it", failover_.self.key());
    } else {
      finish(false, e.what(), "null");
    }
  }
  done_ = true;
  if (on_done_) on_done_();
}

void FailoverRun::finish(bool ok, const std::string& message, const std::string& report_json) {
  (ok ? info("Failover {}: {}", failover_.self.key(), message)
      : warn("Failover {}: {}", failover_.self.key(), message));
  ctx_.metrics->add("drsync_failovers_total",
                    {{"mode", failover_.mode}, {"result", ok ? "success" : "failure"}});
  ctx_.status->patch_status(
      failovers(), failover_.self,
      fmt::format(R"("phase":"{}","completionTime":"{}","message":{},"report":{})",
                  ok ? "Succeeded" : "Failed", rfc3339(std::chrono::system_clock::now()),
                  json_string(message), report_json));
}

}  // namespace drsync_controller
