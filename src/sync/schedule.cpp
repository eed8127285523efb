// Cron expressions: parsing the five fields into sets, the next matching minute, and the loop
// that runs a job at each tick.
#include "drsync/schedule.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <thread>
#include <vector>

#include "drsync/error.hpp"

namespace drsync {
namespace {

using namespace std::chrono;

struct FieldSpec {
  const char* what;
  int min;
  int max;
  const char* const* names;  // names[i] is the value min + i (or nullptr)
  int name_count;
};

constexpr const char* kMonthNames[] = {"JAN", "FEB", "MAR", "APR", "MAY", "JUN",
                                       "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"};
constexpr const char* kDayNames[] = {"SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"};

constexpr FieldSpec kFields[] = {
    {"minute", 0, 59, nullptr, 0},       {"hour", 0, 23, nullptr, 0},
    {"day of month", 1, 31, nullptr, 0}, {"month", 1, 12, kMonthNames, 12},
    {"day of week", 0, 7, kDayNames, 7},
};

[[noreturn]] void bad(const FieldSpec& f, std::string_view field, std::string_view why) {
  throw Error(Errc::invalid_argument, fmt::format("cron {} field \"{}\": {}", f.what, field, why));
}

int value_of(const FieldSpec& f, std::string_view field, std::string_view text) {
  if (text.empty()) bad(f, field, "empty value");
  for (int i = 0; i < f.name_count; ++i) {
    std::string_view name = f.names[i];
    if (text.size() == name.size() &&
        std::equal(text.begin(), text.end(), name.begin(), [](char a, char b) {
          return std::toupper(static_cast<unsigned char>(a)) == b;
        })) {
      return f.min + i;
    }
  }
  int v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size()) {
    bad(f, field, fmt::format("\"{}\" is not a number{}", text, f.names ? " or a name" : ""));
  }
  if (v < f.min || v > f.max) {
    bad(f, field, fmt::format("{} is out of range {}-{}", v, f.min, f.max));
  }
  return v;
}

// One comma-separated part: "*", "5", "1-5", "*/15", "1-30/2", "5/10".
void add_part(const FieldSpec& f, std::string_view field, std::string_view part,
              std::vector<bool>& set) {
  int step = 1;
  bool stepped = false;
  if (auto slash = part.find('/'); slash != std::string_view::npos) {
    std::string_view s = part.substr(slash + 1);
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), step);
    if (ec != std::errc() || end != s.data() + s.size() || step < 1) {
      bad(f, field, fmt::format("\"{}\" is not a positive step", s));
    }
    part = part.substr(0, slash);
    stepped = true;
  }
  int lo = f.min, hi = f.max;
  if (part != "*" && part != "?") {
    auto dash = part.find('-');
    lo = value_of(f, field, part.substr(0, dash));
    hi = dash == std::string_view::npos ? (stepped ? f.max : lo)
                                        : value_of(f, field, part.substr(dash + 1));
    if (hi < lo) bad(f, field, fmt::format("range {}-{} is backwards", lo, hi));
  }
  for (int v = lo; v <= hi; v += step) set[v - f.min] = true;
}

// The values of one field; `restricted` is false for "*" (and "?", "*/1").
std::vector<bool> parse_field(const FieldSpec& f, std::string_view field, bool& restricted) {
  std::vector<bool> set(f.max - f.min + 1, false);
  restricted = !(field == "*" || field == "?" || field == "*/1");
  size_t start = 0;
  while (true) {
    size_t comma = field.find(',', start);
    add_part(f, field, field.substr(start, comma - start), set);
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  return set;
}

std::string_view expand_macro(std::string_view e) {
  static constexpr std::pair<std::string_view, std::string_view> kMacros[] = {
      {"@yearly", "0 0 1 1 *"}, {"@annually", "0 0 1 1 *"}, {"@monthly", "0 0 1 * *"},
      {"@weekly", "0 0 * * 0"}, {"@daily", "0 0 * * *"},    {"@midnight", "0 0 * * *"},
      {"@hourly", "0 * * * *"},
  };
  for (const auto& [name, value] : kMacros) {
    if (e == name) return value;
  }
  if (!e.empty() && e[0] == '@') {
    throw Error(Errc::invalid_argument, fmt::format("unknown cron macro \"{}\"", e));
  }
  return e;
}

std::vector<std::string_view> split_fields(std::string_view e) {
  std::vector<std::string_view> out;
  size_t i = 0;
  while (i < e.size()) {
    while (i < e.size() && std::isspace(static_cast<unsigned char>(e[i]))) ++i;
    size_t j = i;
    while (j < e.size() && !std::isspace(static_cast<unsigned char>(e[j]))) ++j;
    if (j > i) out.push_back(e.substr(i, j - i));
    i = j;
  }
  return out;
}

template <size_t N>
void copy_bits(const std::vector<bool>& from, int offset, std::bitset<N>& to) {
  for (size_t i = 0; i < from.size(); ++i) {
    if (from[i]) to.set(i + offset);
  }
}

}  // namespace

Schedule::Schedule(std::string_view expression) : expression_(expression) {
  const std::vector<std::string_view> fields = split_fields(expand_macro(expression));
  if (fields.size() != 5) {
    throw Error(Errc::invalid_argument,
                fmt::format("cron expression \"{}\": expected 5 fields (minute hour day-of-month "
                            "month day-of-week), got {}",
                            expression, fields.size()));
  }
  bool restricted = false;
  copy_bits(parse_field(kFields[0], fields[0], restricted), 0, minutes_);
  copy_bits(parse_field(kFields[1], fields[1], restricted), 0, hours_);
  copy_bits(parse_field(kFields[2], fields[2], days_restricted_), 1, days_);
  copy_bits(parse_field(kFields[3], fields[3], restricted), 1, months_);
  std::vector<bool> weekdays = parse_field(kFields[4], fields[4], weekdays_restricted_);
  if (weekdays[7]) weekdays[0] = true;  // 7 is Sunday too
  weekdays.resize(7);
  copy_bits(weekdays, 0, weekdays_);
  // 2000-01-01 starts a leap year: eight years cover every day of every month.
  next(SysSeconds(floor<seconds>(sys_days(year(2000) / January / 1).time_since_epoch())));
}

bool Schedule::day_matches(int day_of_month, int month, int weekday) const {
  if (!months_.test(month)) return false;
  const bool dom = days_.test(day_of_month), dow = weekdays_.test(weekday);
  if (days_restricted_ && weekdays_restricted_) return dom || dow;
  return dom && dow;
}

bool Schedule::matches(SysSeconds t) const {
  const sys_days day = floor<days>(t);
  const year_month_day ymd(day);
  const hh_mm_ss<seconds> time(t - day);
  return minutes_.test(time.minutes().count()) && hours_.test(time.hours().count()) &&
         day_matches(static_cast<int>(static_cast<unsigned>(ymd.day())),
                     static_cast<int>(static_cast<unsigned>(ymd.month())),
                     static_cast<int>(weekday(day).c_encoding()));
}

SysSeconds Schedule::next(SysSeconds after) const {
  // The next whole minute, then day by day: the first matching day's first matching time.
  const SysSeconds start = floor<minutes>(after) + minutes(1);
  sys_days day = floor<days>(start);
  for (int i = 0; i < 366 * 8 + 2; ++i, day += days(1)) {
    const year_month_day ymd(day);
    if (!day_matches(static_cast<int>(static_cast<unsigned>(ymd.day())),
                     static_cast<int>(static_cast<unsigned>(ymd.month())),
                     static_cast<int>(weekday(day).c_encoding()))) {
      continue;
    }
    for (int h = 0; h < 24; ++h) {
      if (!hours_.test(h)) continue;
      for (int m = 0; m < 60; ++m) {
        if (!minutes_.test(m)) continue;
        const SysSeconds t = day + hours(h) + minutes(m);
        if (t >= start) return t;
      }
    }
  }
  throw Error(Errc::invalid_argument,
              fmt::format("cron expression \"{}\" never matches", expression_));
}

ScheduleClock ScheduleClock::system() {
  ScheduleClock c;
  c.now = [] { return system_clock::now(); };
  c.sleep_until = [](system_clock::time_point until, const CancelToken& cancel) {
    while (!cancel.cancelled()) {
      const auto left = until - system_clock::now();
      if (left <= system_clock::duration::zero()) return;
      std::this_thread::sleep_for(std::min<system_clock::duration>(left, milliseconds(100)));
    }
  };
  return c;
}

void run_scheduled(const Schedule& schedule, const std::function<void(SysSeconds)>& job,
                   const CancelToken& cancel, const ScheduleClock& clock) {
  while (!cancel.cancelled()) {
    const SysSeconds tick = schedule.next(floor<seconds>(clock.now()));
    clock.sleep_until(tick, cancel);
    if (cancel.cancelled()) return;
    if (clock.now() < tick) continue;  // woken early: sleep again
    job(tick);
  }
}

}  // namespace drsync
