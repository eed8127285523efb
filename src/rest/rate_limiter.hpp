// Internal: client-side token bucket (QPS + burst), used only by the transport's event loop.
#pragma once

#include <algorithm>
#include <chrono>

namespace drsync::detail {

class TokenBucket {
 public:
  using Clock = std::chrono::steady_clock;

  TokenBucket(double qps, int burst)
      : qps_(qps), burst_(std::max(1, burst)), tokens_(burst_), last_(Clock::now()) {}

  bool unlimited() const noexcept { return qps_ <= 0; }

  // Takes a token if one is available now.
  bool try_take(Clock::time_point now) {
    if (unlimited()) return true;
    refill(now);
    if (tokens_ < 1.0) return false;
    tokens_ -= 1.0;
    return true;
  }

  // How long until the next token is available.
  std::chrono::microseconds wait_time(Clock::time_point now) {
    if (unlimited()) return std::chrono::microseconds(0);
    refill(now);
    if (tokens_ >= 1.0) return std::chrono::microseconds(0);
    return std::chrono::microseconds(static_cast<long>((1.0 - tokens_) / qps_ * 1e6) + 1);
  }

 private:
  void refill(Clock::time_point now) {
    double elapsed = std::chrono::duration<double>(now - last_).count();
    last_ = now;
    tokens_ = std::min<double>(burst_, tokens_ + elapsed * qps_);
  }

  double qps_;
  int burst_;
  double tokens_;
  Clock::time_point last_;
};

}  // namespace drsync::detail
