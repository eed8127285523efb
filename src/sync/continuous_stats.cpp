#include "sync/continuous_stats.hpp"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <cmath>

namespace drsync {
namespace detail {

std::chrono::microseconds percentile(std::vector<std::chrono::microseconds>& samples, double p) {
  if (samples.empty()) return std::chrono::microseconds(0);
  std::sort(samples.begin(), samples.end());
  // Nearest rank.
  auto rank = static_cast<size_t>(std::ceil(p / 100.0 * static_cast<double>(samples.size())));
  return samples[std::clamp<size_t>(rank, 1, samples.size()) - 1];
}

void StatsRecorder::state(std::string state, std::string reason) {
  std::lock_guard lock(mutex_);
  stats_.state = std::move(state);
  stats_.suspended_reason = std::move(reason);
}

void StatsRecorder::event() {
  std::lock_guard lock(mutex_);
  stats_.events++;
}

void StatsRecorder::watch_restart(const std::string& error) {
  std::lock_guard lock(mutex_);
  stats_.watch_restarts++;
  stats_.last_error = error;
}

void StatsRecorder::relist() {
  std::lock_guard lock(mutex_);
  stats_.relists++;
}

void StatsRecorder::change(Action action, std::chrono::microseconds lag) {
  std::lock_guard lock(mutex_);
  stats_.changes++;
  switch (action) {
    case Action::Create:
      stats_.created++;
      break;
    case Action::Update:
      stats_.updated++;
      break;
    case Action::Prune:
      stats_.pruned++;
      break;
    case Action::Unchanged:
      stats_.unchanged++;
      return;
    case Action::Skip:
      stats_.skipped++;
      return;
    case Action::Conflict:
    case Action::Error:
      stats_.errors++;
      return;
  }
  stats_.lag_last = lag;
  stats_.lag_max = std::max(stats_.lag_max, lag);
  if (lags_.size() < kLagWindow) {
    lags_.push_back(lag);
  } else {
    lags_[next_lag_] = lag;
    next_lag_ = (next_lag_ + 1) % kLagWindow;
  }
}

void StatsRecorder::resync(const SyncResult& result, std::string when) {
  std::lock_guard lock(mutex_);
  stats_.resyncs++;
  stats_.last_full_sync = std::move(when);
  if (!result.errors.empty()) stats_.last_error = result.errors.front();
}

void StatsRecorder::error(std::string message) {
  std::lock_guard lock(mutex_);
  stats_.last_error = std::move(message);
}

ContinuousStats StatsRecorder::snapshot() const {
  std::lock_guard lock(mutex_);
  ContinuousStats s = stats_;
  std::vector<std::chrono::microseconds> lags = lags_;
  s.lag_p50 = percentile(lags, 50);
  s.lag_p99 = percentile(lags, 99);
  return s;
}

}  // namespace detail

std::string ContinuousStats::to_json() const {
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w(buf);
  w.StartObject();
  const std::pair<const char*, const std::string*> strings[] = {
      {"state", &state},
      {"suspendedReason", &suspended_reason},
      {"lastFullSync", &last_full_sync},
      {"lastError", &last_error}};
  for (const auto& [key, value] : strings) {
    w.Key(key);
    w.String(value->c_str(), static_cast<rapidjson::SizeType>(value->size()));
  }
  const std::pair<const char*, std::uint64_t> counters[] = {
      {"events", events},   {"changes", changes},
      {"created", created}, {"updated", updated},
      {"pruned", pruned},   {"unchanged", unchanged},
      {"skipped", skipped}, {"errors", errors},
      {"resyncs", resyncs}, {"watchRestarts", watch_restarts},
      {"relists", relists}};
  for (const auto& [key, value] : counters) {
    w.Key(key);
    w.Uint64(value);
  }
  const std::pair<const char*, std::chrono::microseconds> lags[] = {
      {"lagLastMs", lag_last}, {"lagP50Ms", lag_p50}, {"lagP99Ms", lag_p99}, {"lagMaxMs", lag_max}};
  for (const auto& [key, value] : lags) {
    w.Key(key);
    w.Double(static_cast<double>(value.count()) / 1000.0);
  }
  w.EndObject();
  return buf.GetString();
}

}  // namespace drsync
