// A barrier for a fixed set of participants that may leave at any time: wait(who, phase)
// returns once every participant has reached `phase` or left. Used by run_plan to hold the
// pairs of a Cutover at its phase boundaries.
#pragma once

#include <algorithm>
#include <climits>
#include <condition_variable>
#include <cstddef>
#include <mutex>
#include <vector>

namespace drsync::detail {

class PhaseGate {
 public:
  explicit PhaseGate(std::size_t participants) : at_(participants, 0) {}

  void wait(std::size_t who, int phase) {
    std::unique_lock lock(mutex_);
    at_[who] = std::max(at_[who], phase);
    changed_.notify_all();
    changed_.wait(lock, [&] { return *std::min_element(at_.begin(), at_.end()) >= phase; });
  }

  // Done, failed or refused: the others no longer wait for `who`.
  void leave(std::size_t who) {
    std::lock_guard lock(mutex_);
    at_[who] = INT_MAX;
    changed_.notify_all();
  }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<int> at_;
};

}  // namespace drsync::detail
