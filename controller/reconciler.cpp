#include "reconciler.hpp"

#include <fmt/format.h>
#include <drsync/error.hpp>

#include <thread>

#include "logger.hpp"

namespace drsync_controller {
namespace {

std::int64_t now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// What in an object a watch event must wake the loop for (status writes do not).
std::string signature(const drsync::Object& o) {
  const auto* gen = o.find("/metadata/generation");
  return fmt::format("{}|{}|{}", gen && gen->IsInt64() ? gen->GetInt64() : 0,
                     o.has_annotation(kSyncNowAnnotation),
                     o.find("/metadata/deletionTimestamp") != nullptr);
}

// Whether an event changes what the loop acts on; `seen` keeps each object's last signature
// (deleted objects are forgotten).
bool changed(std::map<std::string, std::string>& seen, const drsync::WatchEvent& e) {
  if (e.type == "BOOKMARK") return false;
  std::string key = fmt::format("{}/{}", e.object.namespace_(), e.object.name());
  if (e.type == "DELETED") {
    seen.erase(key);
    return true;
  }
  std::string sig = signature(e.object);
  if (seen[key] == sig) return false;
  seen[key] = sig;
  return true;
}

}  // namespace

Reconciler::Reconciler(drsync::Cluster home, Metrics& metrics, ReconcilerOptions options)
    : home_(home), metrics_(metrics), options_(std::move(options)), status_(home) {
  last_pass_ns_ = now_ns();
}

Reconciler::~Reconciler() {
  stop_all();
}

void Reconciler::mark_dirty() {
  std::lock_guard lock(dirty_mutex_);
  dirty_ = true;
  dirty_cv_.notify_all();
}

void Reconciler::watch(const drsync::ResourceInfo& r, const drsync::CancelToken& cancel) {
  std::map<std::string, std::string> seen;
  while (!cancel.cancelled()) {
    try {
      home_.watch(
          r, options_.watch_namespace, {},
          [&](drsync::WatchEvent& e) {
            if (changed(seen, e)) mark_dirty();
            return !cancel.cancelled();
          },
          cancel);
    } catch (const drsync::Error& e) {
      if (cancel.cancelled()) return;
      warn("watch of {}: {} (retrying in 5s)", r.group_resource(), e.what());
    }
    for (int i = 0; i < 50 && !cancel.cancelled(); ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
}

void Reconciler::run(const drsync::CancelToken& cancel) {
  std::thread w1([&] { watch(namespace_mappings(), cancel); });
  std::thread w2([&] { watch(failovers(), cancel); });
  std::thread waker([&] {
    while (!cancel.cancelled()) std::this_thread::sleep_for(std::chrono::milliseconds(100));
    mark_dirty();
  });
  while (!cancel.cancelled()) {
    {
      std::unique_lock lock(dirty_mutex_);
      dirty_cv_.wait_for(lock, options_.sync_period, [&] { return dirty_; });
      dirty_ = false;
    }
    last_pass_ns_ = now_ns();
    if (cancel.cancelled()) break;
    try {
      pass();
    } catch (const drsync::Error& e) {
      warn("reconcile: {}", e.what());
    }
    last_pass_ns_ = now_ns();
  }
  stop_all();
  w1.join();
  w2.join();
  waker.join();
}

void Reconciler::pass() {
  metrics_.add("drsync_controller_reconciles_total", {});
  auto mappings = home_.list(namespace_mappings(), options_.watch_namespace).items;
  auto fos = home_.list(failovers(), options_.watch_namespace).items;
  std::vector<Listed> listed;
  std::map<std::string, NamespaceMappingSpec> valid;  // what Failovers may refer to
  for (const auto& o : mappings) {
    Listed l{{std::string(o.namespace_()), std::string(o.name())},
             std::nullopt,
             {},
             o.find("/status/lastSyncTime") != nullptr};
    try {
      l.spec = parse_namespace_mapping(o);
      valid.emplace(l.ref.key(), *l.spec);
    } catch (const drsync::Error& e) {
      l.error = e.what();
    }
    listed.push_back(std::move(l));
  }
  std::set<std::string> busy;  // mappings with a Failover running
  reconcile_failovers(fos, valid, busy);
  reconcile_mappings(listed, busy);
}

void Reconciler::reconcile_failovers(const std::vector<drsync::Object>& items,
                                     const std::map<std::string, NamespaceMappingSpec>& mappings,
                                     std::set<std::string>& busy) {
  std::set<std::string> present;
  for (const auto& o : items) {
    std::string uid(o.uid());
    present.insert(uid);
    FailoverSpec f;
    try {
      f = parse_failover(o);
    } catch (const drsync::Error& e) {
      report_problem(uid, failovers(), {std::string(o.namespace_()), std::string(o.name())},
                     "Failed", e.what());
      continue;
    }
    std::string mapping_key = f.self.namespace_ + "/" + f.namespace_mapping;
    auto run = failover_runs_.find(uid);
    if (run != failover_runs_.end()) {
      if (!run->second->done()) busy.insert(mapping_key);
      continue;
    }
    if (f.phase == "Succeeded" || f.phase == "Failed") continue;
    auto m = mappings.find(mapping_key);
    if (m == mappings.end()) {
      report_problem(uid, failovers(), f.self, "Failed",
                     fmt::format("NamespaceMapping {} not found or invalid", mapping_key));
      continue;
    }
    busy.insert(mapping_key);
    {
      std::lock_guard lock(mutex_);
      workers_.erase(mapping_key);  // stops it: no sync while the sides change roles
    }
    failover_runs_.emplace(
        uid, std::make_unique<FailoverRun>(WorkerContext{home_, &metrics_, &status_}, f, m->second,
                                           [this] { mark_dirty(); }));
  }
  std::erase_if(failover_runs_,
                [&](const auto& r) { return !present.count(r.first) && r.second->done(); });
}

void Reconciler::reconcile_mappings(const std::vector<Listed>& mappings,
                                    const std::set<std::string>& busy) {
  std::set<std::string> wanted;
  for (const auto& m : mappings) {
    const ObjectRef& ref = m.ref;
    if (!m.spec) {
      report_problem(ref.key(), namespace_mappings(), ref, "Failed", m.error);
      continue;
    }
    const NamespaceMappingSpec& spec = *m.spec;
    if (busy.count(ref.key())) {
      wanted.insert(ref.key());
      continue;
    }
    if (spec.paused) {
      report_problem(ref.key(), namespace_mappings(), ref, "Paused",
                     "spec.paused is true: nothing is synced");
      continue;
    }
    reported_.erase(ref.key());
    wanted.insert(ref.key());
    ensure_worker(spec, m.synced_before);
    if (spec.sync_now) {
      std::lock_guard lock(mutex_);
      workers_.at(ref.key())->trigger();
      status_.clear_annotation(namespace_mappings(), ref, kSyncNowAnnotation);
    }
  }
  std::lock_guard lock(mutex_);
  for (auto it = workers_.begin(); it != workers_.end();) {
    if (wanted.count(it->first)) {
      ++it;
      continue;
    }
    info("NamespaceMapping {}: stopped (deleted or paused)", it->first);
    metrics_.forget("mapping", it->first);
    it = workers_.erase(it);
  }
}

void Reconciler::ensure_worker(const NamespaceMappingSpec& spec, bool synced_before) {
  std::lock_guard lock(mutex_);
  auto it = workers_.find(spec.self.key());
  if (it != workers_.end() && it->second->spec().fingerprint == spec.fingerprint) return;
  if (it != workers_.end()) {
    info("NamespaceMapping {}: spec changed, restarting its sync", spec.self.key());
    workers_.erase(it);
  }
  workers_.emplace(spec.self.key(),
                   std::make_unique<MappingWorker>(WorkerContext{home_, &metrics_, &status_}, spec,
                                                   synced_before));
}

void Reconciler::report_problem(const std::string& key, const drsync::ResourceInfo& r,
                                const ObjectRef& ref, std::string_view phase,
                                const std::string& message) {
  {
    std::lock_guard lock(mutex_);
    if (workers_.erase(ref.key())) info("{} {}: stopped: {}", r.kind, ref.key(), message);
  }
  std::string line = fmt::format("{}|{}", phase, message);
  if (reported_[key] == line) return;
  if (phase == "Failed") warn("{} {}: {}", r.kind, ref.key(), message);
  if (status_.patch_status(
          r, ref,
          fmt::format(R"("phase":{},"message":{})", json_string(phase), json_string(message)))) {
    reported_[key] = line;
  }
}

void Reconciler::collect() const {
  std::lock_guard lock(mutex_);
  for (const auto& [key, w] : workers_) w->collect();
}

double Reconciler::seconds_since_pass() const {
  return static_cast<double>(now_ns() - last_pass_ns_.load()) / 1e9;
}

void Reconciler::stop_all() {
  std::map<std::string, std::unique_ptr<MappingWorker>> workers;
  {
    std::lock_guard lock(mutex_);
    workers.swap(workers_);
  }
  for (auto& [k, w] : workers) w->stop();
  failover_runs_.clear();
}

}  // namespace drsync_controller
