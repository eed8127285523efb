#include "migration/workload_watch.hpp"

#include <fmt/format.h>

#include <set>

namespace drsync::detail {

struct WorkloadWatch::State {
  std::mutex mutex;
  std::condition_variable changed_cv;
  bool changed = true;  // the first next() returns the state at once
  std::vector<Workload> workloads;
  std::map<std::string, std::size_t> index;  // "Kind/name" -> position in workloads
  std::string error;
};

namespace {

std::string key_of(std::string_view kind, std::string_view name) {
  return fmt::format("{}/{}", kind, name);
}

}  // namespace

WorkloadWatch::WorkloadWatch(const Cluster& cluster, std::string ns,
                             std::vector<Workload> workloads)
    : cluster_(cluster), ns_(std::move(ns)), state_(std::make_shared<State>()) {
  std::map<std::string, ResourceInfo> kinds;
  for (std::size_t i = 0; i < workloads.size(); ++i) {
    const Workload& w = workloads[i];
    state_->index[key_of(w.obj.kind(), w.obj.name())] = i;
    kinds.emplace(w.type.group_resource(), w.type);
  }
  state_->workloads = std::move(workloads);
  for (const auto& kind : kinds) {
    const ResourceInfo type = kind.second;  // (clang 14 cannot capture a structured binding)
    threads_.emplace_back([this, type] { run(type); });
  }
}

WorkloadWatch::~WorkloadWatch() {
  stop_.cancel();
  for (auto& t : threads_) t.join();
}

void WorkloadWatch::run(const ResourceInfo& type) {
  auto on_event = [&](WatchEvent& ev) {
    if (ev.type == "BOOKMARK" || ev.type == "DELETED") return !stop_.cancelled();
    std::lock_guard lock(state_->mutex);
    auto it = state_->index.find(key_of(ev.object.kind(), ev.object.name()));
    if (it != state_->index.end()) {
      state_->workloads[it->second].obj = std::move(ev.object);
      state_->changed = true;
      state_->changed_cv.notify_all();
    }
    return !stop_.cancelled();
  };
  try {
    cluster_.watch(type, ns_, WatchOptions{}, on_event, stop_);
  } catch (const std::exception& e) {
    if (stop_.cancelled()) return;
    std::lock_guard lock(state_->mutex);
    if (state_->error.empty())
      state_->error = fmt::format("watch {}: {}", type.group_resource(), e.what());
    state_->changed_cv.notify_all();
  }
}

void WorkloadWatch::next(std::chrono::milliseconds timeout,
                         const std::function<void(const std::vector<Workload>&)>& read) {
  std::unique_lock lock(state_->mutex);
  state_->changed_cv.wait_for(lock, timeout,
                              [&] { return state_->changed || !state_->error.empty(); });
  state_->changed = false;
  read(state_->workloads);
}

std::string WorkloadWatch::failed() const {
  std::lock_guard lock(state_->mutex);
  return state_->error;
}

}  // namespace drsync::detail
