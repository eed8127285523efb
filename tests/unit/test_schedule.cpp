// Schedule: cron parsing and next-run computation (UTC), and the scheduled loop on an injected
// clock.
#include <catch2/catch.hpp>

#include <vector>

#include "drsync/error.hpp"
#include "drsync/schedule.hpp"
#include "expect_error.hpp"

using namespace drsync;
using namespace std::chrono;

namespace {

SysSeconds at(int y, unsigned mo, unsigned d, int h = 0, int mi = 0, int s = 0) {
  return SysSeconds(floor<seconds>(sys_days(year(y) / month(mo) / day(d)).time_since_epoch())) +
         hours(h) + minutes(mi) + seconds(s);
}

SysSeconds next(const char* expr, SysSeconds after) {
  return Schedule(expr).next(after);
}

// The first `n` runs after `from`.
std::vector<SysSeconds> runs(const char* expr, SysSeconds from, int n) {
  Schedule s(expr);
  std::vector<SysSeconds> out;
  for (int i = 0; i < n; ++i) out.push_back(from = s.next(from));
  return out;
}

}  // namespace

TEST_CASE("every minute: the next whole minute, strictly after", "[unit][schedule]") {
  CHECK(next("* * * * *", at(2024, 5, 1, 12, 0, 30)) == at(2024, 5, 1, 12, 1));
  CHECK(next("* * * * *", at(2024, 5, 1, 12, 0, 0)) == at(2024, 5, 1, 12, 1));
  CHECK(next("0 12 * * *", at(2024, 5, 1, 12, 0, 0)) == at(2024, 5, 2, 12, 0));
  CHECK(next("59 23 31 12 *", at(2024, 12, 31, 23, 58, 59)) == at(2024, 12, 31, 23, 59));
  CHECK(next("0 0 1 1 *", at(2024, 12, 31, 23, 59)) == at(2025, 1, 1, 0, 0));
}

TEST_CASE("ranges, steps and lists", "[unit][schedule]") {
  CHECK(runs("*/15 * * * *", at(2024, 1, 1, 10, 0), 4) ==
        std::vector{at(2024, 1, 1, 10, 15), at(2024, 1, 1, 10, 30), at(2024, 1, 1, 10, 45),
                    at(2024, 1, 1, 11, 0)});
  CHECK(runs("0 9-11 * * *", at(2024, 1, 1, 10, 30), 3) ==
        std::vector{at(2024, 1, 1, 11, 0), at(2024, 1, 2, 9, 0), at(2024, 1, 2, 10, 0)});
  CHECK(runs("10-30/10 * * * *", at(2024, 1, 1, 0, 0), 4) ==
        std::vector{at(2024, 1, 1, 0, 10), at(2024, 1, 1, 0, 20), at(2024, 1, 1, 0, 30),
                    at(2024, 1, 1, 1, 10)});
  // "a/n": from a to the maximum.
  CHECK(runs("5/20 * * * *", at(2024, 1, 1, 0, 0), 4) ==
        std::vector{at(2024, 1, 1, 0, 5), at(2024, 1, 1, 0, 25), at(2024, 1, 1, 0, 45),
                    at(2024, 1, 1, 1, 5)});
  CHECK(runs("1,2,58 * * * *", at(2024, 1, 1, 0, 1), 3) ==
        std::vector{at(2024, 1, 1, 0, 2), at(2024, 1, 1, 0, 58), at(2024, 1, 1, 1, 1)});
  CHECK(runs("0 0,12 1-2,15 * *", at(2024, 1, 1, 6, 0), 4) ==
        std::vector{at(2024, 1, 1, 12, 0), at(2024, 1, 2, 0, 0), at(2024, 1, 2, 12, 0),
                    at(2024, 1, 15, 0, 0)});
  CHECK(next("  0   3  *  *  *  ", at(2024, 1, 1)) == at(2024, 1, 1, 3, 0));
}

TEST_CASE("month and weekday names, any case", "[unit][schedule]") {
  // 2024-01-01 is a Monday.
  CHECK(runs("0 8 * * MON-FRI", at(2024, 1, 5, 9, 0), 2) ==
        std::vector{at(2024, 1, 8, 8, 0), at(2024, 1, 9, 8, 0)});
  CHECK(next("0 0 1 jan,Jul *", at(2024, 2, 1)) == at(2024, 7, 1));
  CHECK(next("0 0 * * sat", at(2024, 1, 1)) == at(2024, 1, 6));
  CHECK(next("0 0 1 MAR-may *", at(2024, 4, 2)) == at(2024, 5, 1));
}

TEST_CASE("0 and 7 are both Sunday", "[unit][schedule]") {
  for (const char* e : {"0 0 * * 0", "0 0 * * 7", "0 0 * * SUN", "0 0 * * 6-7"}) {
    CAPTURE(e);
    CHECK(next(e, at(2024, 1, 1)) ==
          (std::string(e) == "0 0 * * 6-7" ? at(2024, 1, 6) : at(2024, 1, 7)));
  }
  CHECK(runs("0 0 * * 5-7", at(2024, 1, 1), 3) ==
        std::vector{at(2024, 1, 5), at(2024, 1, 6), at(2024, 1, 7)});
}

TEST_CASE("day of month OR day of week when both are restricted", "[unit][schedule]") {
  // Both restricted: the 13th, and every Friday (2024-01-05 is one).
  CHECK(runs("0 0 13 * FRI", at(2024, 1, 1), 3) ==
        std::vector{at(2024, 1, 5), at(2024, 1, 12), at(2024, 1, 13)});
  // Day of week "*": only the 13th.
  CHECK(next("0 0 13 * *", at(2024, 1, 1)) == at(2024, 1, 13));
  // Day of month "*": only Fridays.
  CHECK(runs("0 0 * * 5", at(2024, 1, 1), 2) == std::vector{at(2024, 1, 5), at(2024, 1, 12)});
  // A step is a restriction: every other day of month, or Sundays.
  CHECK(runs("0 0 */10 * 0", at(2024, 1, 1, 1), 3) ==
        std::vector{at(2024, 1, 7), at(2024, 1, 11), at(2024, 1, 14)});
}

TEST_CASE("month ends and February 29", "[unit][schedule]") {
  CHECK(next("0 0 31 * *", at(2024, 4, 1)) == at(2024, 5, 31));
  CHECK(next("0 0 31 * *", at(2024, 5, 31)) == at(2024, 7, 31));
  CHECK(next("0 0 30 * *", at(2023, 1, 31)) == at(2023, 3, 30));
  CHECK(next("0 0 29 2 *", at(2024, 3, 1)) == at(2028, 2, 29));
  CHECK(next("0 0 29 2 *", at(2023, 6, 1)) == at(2024, 2, 29));
  CHECK(next("0 0 28-31 2 *", at(2023, 2, 28, 1)) == at(2024, 2, 28));
  // 2100 is not a leap year.
  CHECK(next("0 0 29 2 *", at(2097, 1, 1)) == at(2104, 2, 29));
}

TEST_CASE("macros", "[unit][schedule]") {
  CHECK(next("@hourly", at(2024, 1, 1, 10, 5)) == at(2024, 1, 1, 11, 0));
  CHECK(next("@daily", at(2024, 1, 1, 10, 5)) == at(2024, 1, 2));
  CHECK(next("@midnight", at(2024, 1, 1, 10, 5)) == at(2024, 1, 2));
  CHECK(next("@weekly", at(2024, 1, 1)) == at(2024, 1, 7));
  CHECK(next("@monthly", at(2024, 1, 15)) == at(2024, 2, 1));
  CHECK(next("@yearly", at(2024, 1, 15)) == at(2025, 1, 1));
  CHECK(next("@annually", at(2024, 1, 15)) == at(2025, 1, 1));
}

TEST_CASE("matches", "[unit][schedule]") {
  Schedule s("30 4 * * MON");
  CHECK(s.matches(at(2024, 1, 1, 4, 30)));
  CHECK(s.matches(at(2024, 1, 1, 4, 30, 59)));
  CHECK_FALSE(s.matches(at(2024, 1, 2, 4, 30)));
  CHECK_FALSE(s.matches(at(2024, 1, 1, 4, 31)));
  CHECK(s.expression() == "30 4 * * MON");
}

TEST_CASE("malformed expressions name the field", "[unit][schedule]") {
  const std::pair<const char*, const char*> cases[] = {
      {"60 * * * *", "minute field \"60\": 60 is out of range 0-59"},
      {"* 24 * * *", "hour field"},
      {"* * 0 * *", "day of month field"},
      {"* * * 13 *", "month field"},
      {"* * * * 8", "day of week field"},
      {"* * *", "expected 5 fields"},
      {"* * * * * *", "expected 5 fields"},
      {"5-1 * * * *", "backwards"},
      {"*/0 * * * *", "not a positive step"},
      {"x * * * *", "not a number"},
      {"* * * FOO *", "not a number or a name"},
      {"1,,2 * * * *", "empty value"},
      {"@often", "unknown cron macro"},
      {"0 0 30 2 *", "never matches"},
      {"0 0 31 4,6,9,11 *", "never matches"},
  };
  for (const auto& [expr, message] : cases) {
    CAPTURE(expr);
    Error e = test::expect_error([&] { Schedule s(expr); });
    CHECK(e.code() == Errc::invalid_argument);
    CHECK_THAT(std::string(e.what()), Catch::Matchers::Contains(message));
  }
}

TEST_CASE("run_scheduled runs the job at each tick of an injected clock", "[unit][schedule]") {
  system_clock::time_point now = at(2024, 1, 1, 10, 0, 20);
  ScheduleClock clock;
  clock.now = [&] { return now; };
  clock.sleep_until = [&](system_clock::time_point until, const CancelToken&) { now = until; };
  CancelToken cancel;
  std::vector<SysSeconds> ticks;
  run_scheduled(
      Schedule("* * * * *"),
      [&](SysSeconds tick) {
        ticks.push_back(tick);
        now += seconds(5);  // the job takes a while
        if (ticks.size() == 3) cancel.cancel();
      },
      cancel, clock);
  CHECK(ticks == std::vector{at(2024, 1, 1, 10, 1), at(2024, 1, 1, 10, 2), at(2024, 1, 1, 10, 3)});
}

TEST_CASE("run_scheduled skips the ticks an overrunning job missed", "[unit][schedule]") {
  system_clock::time_point now = at(2024, 1, 1, 10, 0);
  ScheduleClock clock;
  clock.now = [&] { return now; };
  clock.sleep_until = [&](system_clock::time_point until, const CancelToken&) { now = until; };
  CancelToken cancel;
  std::vector<SysSeconds> ticks;
  run_scheduled(
      Schedule("*/5 * * * *"),
      [&](SysSeconds tick) {
        ticks.push_back(tick);
        now += minutes(12);  // overruns two ticks
        if (ticks.size() == 3) cancel.cancel();
      },
      cancel, clock);
  CHECK(ticks ==
        std::vector{at(2024, 1, 1, 10, 5), at(2024, 1, 1, 10, 20), at(2024, 1, 1, 10, 35)});
}

TEST_CASE("run_scheduled returns when cancelled while waiting", "[unit][schedule]") {
  CancelToken cancel;
  cancel.cancel();
  int runs_done = 0;
  run_scheduled(
      Schedule("* * * * *"), [&](SysSeconds) { ++runs_done; }, cancel);
  CHECK(runs_done == 0);
}
