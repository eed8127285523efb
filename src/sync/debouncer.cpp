#include "sync/debouncer.hpp"

#include <algorithm>

namespace drsync::detail {

Debouncer::Debouncer(std::chrono::milliseconds quiet, std::chrono::milliseconds max_delay)
    : quiet_(quiet), max_delay_(std::max(max_delay, quiet)) {}

void Debouncer::push(size_t type, std::string name, std::optional<Object> object,
                     Clock::time_point seen) {
  {
    std::lock_guard lock(mutex_);
    auto key = std::make_pair(type, name);
    auto it = pending_.find(key);
    if (it == pending_.end()) {
      Change c;
      c.type = type;
      c.name = std::move(name);
      c.first_seen = seen;
      it = pending_.emplace(std::move(key), std::move(c)).first;
    }
    it->second.object = std::move(object);
    it->second.last_seen = seen;
    it->second.events++;
  }
  cv_.notify_all();
}

Debouncer::Clock::time_point Debouncer::ready_at(const Change& c) const {
  return std::min(c.last_seen + quiet_, c.first_seen + max_delay_);
}

bool Debouncer::ready(const Change& c, Clock::time_point now) const {
  return ready_at(c) <= now;
}

std::vector<Debouncer::Change> Debouncer::take_ready_locked(Clock::time_point now) {
  std::vector<Change> out;
  for (auto it = pending_.begin(); it != pending_.end();) {
    if (ready(it->second, now)) {
      out.push_back(std::move(it->second));
      it = pending_.erase(it);
    } else {
      ++it;
    }
  }
  std::sort(out.begin(), out.end(),
            [](const Change& a, const Change& b) { return a.first_seen < b.first_seen; });
  return out;
}

std::vector<Debouncer::Change> Debouncer::take_ready(Clock::time_point now) {
  std::lock_guard lock(mutex_);
  return take_ready_locked(now);
}

std::vector<Debouncer::Change> Debouncer::wait_ready(Clock::time_point until) {
  std::unique_lock lock(mutex_);
  while (true) {
    const auto now = Clock::now();
    std::vector<Change> out = take_ready_locked(now);
    if (!out.empty() || woken_ || now >= until) {
      woken_ = false;
      return out;
    }
    Clock::time_point wake_at = until;
    for (const auto& [key, c] : pending_) wake_at = std::min(wake_at, ready_at(c));
    cv_.wait_until(lock, wake_at);
  }
}

void Debouncer::wake() {
  {
    std::lock_guard lock(mutex_);
    woken_ = true;
  }
  cv_.notify_all();
}

void Debouncer::clear() {
  std::lock_guard lock(mutex_);
  pending_.clear();
}

size_t Debouncer::pending() const {
  std::lock_guard lock(mutex_);
  return pending_.size();
}

}  // namespace drsync::detail
