// Schedule: 5-field cron expressions (DR-Syncer's `schedule`), the next run after a time, and a
// loop that runs a job at each tick with an injectable clock (docs/continuous.md).
#pragma once

#include <bitset>
#include <chrono>
#include <functional>
#include <string>
#include <string_view>

#include "drsync/cluster.hpp"
#include "drsync/export.hpp"

namespace drsync {

using SysSeconds = std::chrono::time_point<std::chrono::system_clock, std::chrono::seconds>;

// "minute hour day-of-month month day-of-week", evaluated in UTC. Each field: `*`, a value, a
// range `a-b`, a step `*/n`, `a-b/n` or `a/n` (a to the maximum), or a comma-separated list of
// those; months JAN-DEC and weekdays SUN-SAT by name (any case); 0 and 7 are both Sunday.
// Macros: @yearly (@annually), @monthly, @weekly, @daily (@midnight), @hourly.
// When both day-of-month and day-of-week are restricted (neither is `*`), a day matches when
// EITHER does (cron's rule); otherwise both must.
class DRSYNC_API Schedule {
 public:
  // Throws Error(invalid_argument) naming the bad field, or when the expression never matches
  // ("0 0 30 2 *").
  explicit Schedule(std::string_view expression);

  const std::string& expression() const noexcept { return expression_; }
  // The first minute strictly after `after` that matches.
  SysSeconds next(SysSeconds after) const;
  bool matches(SysSeconds t) const;

 private:
  bool day_matches(int day_of_month, int month, int weekday) const;

  std::string expression_;
  std::bitset<60> minutes_;
  std::bitset<24> hours_;
  std::bitset<32> days_;     // 1..31
  std::bitset<13> months_;   // 1..12
  std::bitset<7> weekdays_;  // 0 = Sunday
  bool days_restricted_ = false;
  bool weekdays_restricted_ = false;
};

// The clock a scheduled loop reads and sleeps on; tests inject one that only advances.
struct DRSYNC_API ScheduleClock {
  std::function<std::chrono::system_clock::time_point()> now;
  // Returns at `until` or earlier when `cancel` is set.
  std::function<void(std::chrono::system_clock::time_point until, const CancelToken& cancel)>
      sleep_until;
  static ScheduleClock system();
};

// Runs `job` at every tick of `schedule` until `cancel` is set (checked before each run). A job
// that overruns its next ticks skips them: the next run is the first tick after it ended
// (DR-Syncer's concurrencyPolicy Forbid). `job` gets the tick it runs for; its exceptions
// propagate.
DRSYNC_API void run_scheduled(const Schedule& schedule, const std::function<void(SysSeconds)>& job,
                              const CancelToken& cancel,
                              const ScheduleClock& clock = ScheduleClock::system());

}  // namespace drsync
