// Internal: the Debouncer of a watch-driven sync — per object, the latest state the source's
// watches reported, handed out once the object has been quiet for `quiet` (a burst of events on
// one object becomes one write) or has waited `max_delay` since its first event (a constantly
// changing object is still written). Watch threads push; the sync's thread takes.
#pragma once

#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "drsync/object.hpp"

namespace drsync::detail {

class Debouncer {
 public:
  using Clock = std::chrono::steady_clock;

  struct Change {
    size_t type = 0;  // index into the watched types
    std::string name;
    std::optional<Object> object;  // the latest state; empty: deleted
    Clock::time_point first_seen;  // the first event since the last hand-out (lag is from here)
    Clock::time_point last_seen;
    int events = 0;  // coalesced into this change
  };

  Debouncer(std::chrono::milliseconds quiet, std::chrono::milliseconds max_delay);

  // Thread-safe. `object` empty: the object was deleted.
  void push(size_t type, std::string name, std::optional<Object> object,
            Clock::time_point seen = Clock::now());
  // Waits until a change is ready, `until` passes, or wake(); returns the ready changes (oldest
  // first event first) and forgets them.
  std::vector<Change> wait_ready(Clock::time_point until);
  // The changes ready at `now`, without waiting.
  std::vector<Change> take_ready(Clock::time_point now);
  void wake();
  void clear();
  size_t pending() const;

 private:
  bool ready(const Change& c, Clock::time_point now) const;
  Clock::time_point ready_at(const Change& c) const;
  std::vector<Change> take_ready_locked(Clock::time_point now);

  std::chrono::milliseconds quiet_;
  std::chrono::milliseconds max_delay_;
  mutable std::mutex mutex_;
  std::condition_variable cv_;
  std::map<std::pair<size_t, std::string>, Change> pending_;
  bool woken_ = false;
};

}  // namespace drsync::detail
