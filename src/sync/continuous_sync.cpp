// ContinuousSync: full sync -> watch the source -> debounce -> plan + apply each change (the
// NamespaceSync's single-object path) -> full resync every interval; suspended while the
// destination is the active side.
#include "drsync/continuous.hpp"

#include <fmt/format.h>

#if __has_include(<malloc.h>)
#include <malloc.h>  // malloc_trim (glibc)
#endif

#include <atomic>
#include <ctime>
#include <thread>

#include "sync/active_side.hpp"
#include "sync/continuous_stats.hpp"
#include "sync/debouncer.hpp"
#include "sync/namespace_sync_impl.hpp"
#include "sync/source_watchers.hpp"

namespace drsync {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::duration_cast;
using std::chrono::microseconds;
using std::chrono::milliseconds;

constexpr auto kRetryAfterFailure = std::chrono::seconds(10);

std::string now_rfc3339() {
  std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

SyncOptions sync_options(SyncOptions o, const CancelToken& cancel, bool repair_drift) {
  o.cancel = cancel;
  o.repair_drift = repair_drift;
  o.dry_run = false;
  return o;
}

std::string summary(const SyncResult& r) {
  return fmt::format(
      "full sync: {} created, {} updated, {} pruned, {} unchanged, {} skipped, {} errors in {} ms",
      r.count(Action::Create), r.count(Action::Update), r.count(Action::Prune),
      r.count(Action::Unchanged), r.count(Action::Skip), r.errors.size(), r.duration.count());
}

}  // namespace

const char* continuous_event_name(ContinuousEventKind kind) noexcept {
  switch (kind) {
    case ContinuousEventKind::Resynced:
      return "resynced";
    case ContinuousEventKind::Applied:
      return "applied";
    case ContinuousEventKind::Suspended:
      return "suspended";
    case ContinuousEventKind::Resumed:
      return "resumed";
    case ContinuousEventKind::WatchError:
      return "error";
  }
  return "unknown";
}

struct ContinuousSync::Impl {
  ContinuousOptions options;
  CancelToken cancel;
  NamespaceSync::Impl sync;
  detail::Debouncer debouncer;
  detail::StatsRecorder stats;
  std::atomic<bool> resync_requested{false};
  detail::Listing listing;  // of the current active period: what the watches follow
  Clock::time_point next_resync;
  Clock::time_point last_trim;
  std::uint64_t reported_restarts = 0;
  bool synced_once = false;

  Impl(Cluster s, std::string sns, Cluster d, std::string dns, ContinuousOptions o)
      : options(std::move(o)),
        sync(std::move(s), std::move(sns), std::move(d), std::move(dns),
             sync_options(options.sync, cancel, options.repair_drift)),
        debouncer(options.debounce, options.max_delay) {
    stats.state("starting");
  }

  void emit(const ContinuousEvent& ev) const {
    if (options.on_event) options.on_event(ev);
  }
  void report_error(std::string message) {
    stats.error(message);
    ContinuousEvent ev;
    ev.kind = ContinuousEventKind::WatchError;
    ev.message = std::move(message);
    emit(ev);
  }
  void report_watch_errors() {
    ContinuousStats s = stats.snapshot();
    if (s.watch_restarts == reported_restarts) return;
    reported_restarts = s.watch_restarts;
    report_error(s.last_error);
  }
  void sleep(Clock::duration d) const {
    const auto until = Clock::now() + d;
    while (!cancel.cancelled() && Clock::now() < until) {
      std::this_thread::sleep_for(milliseconds(50));
    }
  }
  std::string fenced() const {
    return detail::destination_active_reason(sync.source, sync.source_ns, sync.dest, sync.dest_ns);
  }

  bool full_sync(bool new_period);
  bool sync_everything(bool new_period);
  void release_freed_memory(bool now);
  std::string active_period();
  void apply_batch(std::vector<detail::Debouncer::Change>& batch);
  bool wait_for_failback();
  StopReason run();
};

// A full sync (the first of an active period takes the types and versions the watches start
// from). False when it failed (reported; the first one ever throws). Afterwards the heap pages
// the sync's listings and plan freed go back to the system: a watch of a big namespace then holds
// what it keeps, not the full sync's peak.
bool ContinuousSync::Impl::full_sync(bool new_period) {
  bool ok = sync_everything(new_period);
  release_freed_memory(true);
  return ok;
}

// Gives the heap pages freed by a full sync or by a busy stretch of batches back to the system
// (glibc keeps them per thread arena otherwise: the watch threads' arenas would hold the peak of
// a burst for as long as the sync runs). At most every few seconds between full syncs.
void ContinuousSync::Impl::release_freed_memory(bool now) {
#ifdef __GLIBC__
  if (!now && Clock::now() - last_trim < std::chrono::seconds(5)) return;
  malloc_trim(0);
  last_trim = Clock::now();
#else
  (void)now;
#endif
}

bool ContinuousSync::Impl::sync_everything(bool new_period) {
  detail::Listing fresh;
  try {
    SyncResult r = sync.execute(true, &fresh);
    if (new_period) {
      listing = std::move(fresh);
    } else {
      listing.skip = std::move(fresh.skip);
    }
    synced_once = true;
    next_resync = Clock::now() + options.resync_interval;
    stats.resync(r, now_rfc3339());
    ContinuousEvent ev;
    ev.kind = ContinuousEventKind::Resynced;
    ev.message = summary(r);
    ev.result = &r;
    emit(ev);
    return true;
  } catch (const Error& e) {
    if (e.code() == Errc::cancelled || cancel.cancelled()) return false;
    if (!synced_once) throw;
    next_resync =
        Clock::now() + std::min<Clock::duration>(options.resync_interval, kRetryAfterFailure);
    report_error(fmt::format("full sync: {}", e.what()));
    return false;
  }
}

void ContinuousSync::Impl::apply_batch(std::vector<detail::Debouncer::Change>& batch) {
  std::vector<detail::ObjectChange> changes;
  changes.reserve(batch.size());
  for (const auto& c : batch) {
    const detail::SelectedType& type = listing.types[c.type];
    if (type.info.group_resource() == "services") {
      // The skip rules need to know which Services select Pods (their Endpoints are made).
      if (c.object && c.object->find("/spec/selector"))
        listing.skip.selector_services.insert(c.name);
      else
        listing.skip.selector_services.erase(c.name);
    }
    changes.push_back({&type, c.name, c.object ? &*c.object : nullptr});
  }
  SyncResult r;
  try {
    r = sync.apply_changes(changes, listing.skip);
  } catch (const Error& e) {
    if (cancel.cancelled()) return;
    resync_requested = true;  // what this batch held is written by the resync
    report_error(fmt::format("applying {} changes: {}", changes.size(), e.what()));
    return;
  }
  const auto written = Clock::now();
  for (size_t i = 0; i < r.objects.size() && i < batch.size(); ++i) {
    const ObjectOutcome& o = r.objects[i];
    ContinuousEvent ev;
    ev.kind = ContinuousEventKind::Applied;
    ev.object = o.group_resource + "/" + o.name;
    ev.action = o.action;
    ev.message = o.message;
    ev.lag = duration_cast<microseconds>(written - batch[i].first_seen);
    stats.change(o.action, ev.lag);
    emit(ev);
  }
  if (!r.errors.empty()) stats.error(r.errors.front());
}

// Syncing while the destination is passive: returns why it must stop writing ("" when cancelled
// or after a failed full sync).
std::string ContinuousSync::Impl::active_period() {
  if (!full_sync(true)) {
    sleep(kRetryAfterFailure);
    return {};
  }
  stats.state("syncing");
  detail::SourceWatchers watchers({sync.source, sync.source_ns, options.sync.label_selector},
                                  listing.types, listing.resource_versions, debouncer, stats,
                                  resync_requested);
  auto last_check = Clock::now();
  while (!cancel.cancelled()) {
    std::vector<detail::Debouncer::Change> batch =
        debouncer.wait_ready(std::min(next_resync, last_check + options.state_poll));
    report_watch_errors();
    if (cancel.cancelled()) break;
    const bool resync_due = resync_requested || Clock::now() >= next_resync;
    if (!batch.empty() || resync_due || Clock::now() >= last_check + options.state_poll) {
      std::string why;
      try {
        why = fenced();
      } catch (const Error& e) {
        // Neither side's role is known: write nothing; a resync covers the batch later.
        resync_requested = true;
        report_error(fmt::format("reading the roles of both sides: {}", e.what()));
        sleep(options.state_poll);
        continue;
      }
      last_check = Clock::now();
      if (!why.empty()) return why;
    }
    if (!batch.empty()) {
      apply_batch(batch);
      release_freed_memory(false);
    }
    if (resync_requested.exchange(false) || Clock::now() >= next_resync) full_sync(false);
  }
  return {};
}

// Suspended: polls both roles until a Failback made the source active again. False when
// cancelled.
bool ContinuousSync::Impl::wait_for_failback() {
  while (!cancel.cancelled()) {
    sleep(options.state_poll);
    try {
      if (fenced().empty()) return !cancel.cancelled();
    } catch (const Error& e) {
      stats.error(fmt::format("reading the roles of both sides: {}", e.what()));
    }
  }
  return false;
}

StopReason ContinuousSync::Impl::run() {
  while (!cancel.cancelled()) {
    std::string why;
    try {
      why = fenced();
    } catch (const Error& e) {
      if (!synced_once) throw;
      report_error(fmt::format("reading the roles of both sides: {}", e.what()));
      sleep(options.state_poll);
      continue;
    }
    if (why.empty()) why = active_period();  // the watches are stopped when it returns
    debouncer.clear();
    if (cancel.cancelled() || why.empty()) continue;
    stats.state("suspended", why);
    emit({ContinuousEventKind::Suspended, {}, Action::Unchanged, why, {}, nullptr});
    if (options.stop_when_fenced) {
      stats.state("stopped", why);
      return StopReason::Fenced;
    }
    if (!wait_for_failback()) break;
    stats.state("starting");
    emit({ContinuousEventKind::Resumed,
          {},
          Action::Unchanged,
          "the source is the active side again (Failback): resuming with a full sync",
          {},
          nullptr});
  }
  stats.state("stopped");
  return StopReason::Cancelled;
}

ContinuousSync::ContinuousSync(Cluster source, std::string source_namespace, Cluster dest,
                               std::string dest_namespace, ContinuousOptions options)
    : impl_(std::make_unique<Impl>(std::move(source), std::move(source_namespace), std::move(dest),
                                   std::move(dest_namespace), std::move(options))) {}
ContinuousSync::~ContinuousSync() = default;

StopReason ContinuousSync::run() {
  return impl_->run();
}

void ContinuousSync::cancel() noexcept {
  impl_->cancel.cancel();
  impl_->debouncer.wake();
}

ContinuousStats ContinuousSync::stats() const {
  return impl_->stats.snapshot();
}

}  // namespace drsync
