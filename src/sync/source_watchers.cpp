#include "sync/source_watchers.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>

namespace drsync::detail {
namespace {

constexpr auto kMaxBackoff = std::chrono::seconds(30);

void sleep_unless_cancelled(std::chrono::milliseconds d, const CancelToken& cancel) {
  const auto until = std::chrono::steady_clock::now() + d;
  while (!cancel.cancelled() && std::chrono::steady_clock::now() < until) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

}  // namespace

SourceWatchers::SourceWatchers(Target target, const std::vector<SelectedType>& types,
                               const std::vector<std::string>& resource_versions,
                               Debouncer& debouncer, StatsRecorder& stats,
                               std::atomic<bool>& resync_requested)
    : target_(std::move(target)),
      debouncer_(debouncer),
      stats_(stats),
      resync_requested_(resync_requested) {
  threads_.reserve(types.size());
  for (size_t i = 0; i < types.size(); ++i) {
    threads_.emplace_back(&SourceWatchers::watch_type, this, i, types[i].info,
                          resource_versions[i]);
  }
}

SourceWatchers::~SourceWatchers() {
  cancel_.cancel();
  for (auto& t : threads_) t.join();
}

void SourceWatchers::watch_type(size_t index, ResourceInfo type, std::string rv) {
  int failures = 0;
  auto on_event = [&](WatchEvent& ev) {
    failures = 0;
    if (ev.type == "RELISTED") {
      // 410 Gone: the watch re-listed; what was deleted meanwhile only a full sync sees.
      if (!resync_requested_.exchange(true)) stats_.relist();
      debouncer_.wake();
      return true;
    }
    if (std::string_view v = ev.object.resource_version(); !v.empty()) rv = std::string(v);
    stats_.event();
    std::string name(ev.object.name());
    std::optional<Object> object;
    if (ev.type != "DELETED") object = std::move(ev.object);
    debouncer_.push(index, std::move(name), std::move(object));
    return true;
  };
  while (!cancel_.cancelled()) {
    WatchOptions options;
    options.resource_version = rv;
    options.label_selector = target_.label_selector;
    try {
      target_.source.watch(type, target_.ns, options, on_event, cancel_);
    } catch (const std::exception& e) {
      if (cancel_.cancelled()) return;
      // An API server restarting, a network failure: reconnect from the last version seen (a
      // 410 then re-lists).
      stats_.watch_restart(fmt::format("watch {}: {}", type.group_resource(), e.what()));
      const auto backoff = std::min<std::chrono::milliseconds>(
          kMaxBackoff, std::chrono::milliseconds(500 << std::min(failures++, 6)));
      sleep_unless_cancelled(backoff, cancel_);
    }
  }
}

}  // namespace drsync::detail
