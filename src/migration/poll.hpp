// Internal: paces a polling loop: no wait before the first poll, then the poll interval, doubling
// up to 1 s (one LIST per poll, so a long wait costs a bounded number of requests).
#pragma once

#include <algorithm>
#include <chrono>
#include <thread>

namespace drsync::detail {

class PollPacer {
 public:
  explicit PollPacer(std::chrono::milliseconds interval) : interval_(interval) {}
  void wait() {
    if (!first_) {
      std::this_thread::sleep_for(interval_);
      interval_ = std::min<std::chrono::milliseconds>(interval_ * 2, std::chrono::seconds(1));
    }
    first_ = false;
  }

 private:
  std::chrono::milliseconds interval_;
  bool first_ = true;
};

}  // namespace drsync::detail
