#include "duration.hpp"

#include <fmt/format.h>

#include <cctype>
#include <cmath>
#include <cstdlib>

#include "flags.hpp"

namespace drsync_cli {

std::chrono::milliseconds parse_duration(const std::string& flag, const std::string& text) {
  auto bad = [&] {
    return UsageError(fmt::format(
        "invalid duration \"{}\" for --{}: use a number with a unit, e.g. 90s, 5m, 1h30m", text,
        flag));
  };
  if (text.empty()) throw bad();
  bool digits_only = true;
  for (char c : text) digits_only = digits_only && std::isdigit(static_cast<unsigned char>(c));
  if (digits_only) {
    // A bare number of seconds, bounded like the unit form (no overflow of the milliseconds).
    if (text.size() > 9) throw bad();
    return std::chrono::seconds(std::strtoll(text.c_str(), nullptr, 10));
  }

  double total_ms = 0;
  std::size_t i = 0;
  while (i < text.size()) {
    std::size_t start = i;
    while (i < text.size() &&
           (std::isdigit(static_cast<unsigned char>(text[i])) || text[i] == '.')) {
      ++i;
    }
    if (i == start) throw bad();
    char* end = nullptr;
    std::string number = text.substr(start, i - start);
    double value = std::strtod(number.c_str(), &end);
    if (end != number.c_str() + number.size()) throw bad();
    std::size_t unit_start = i;
    while (i < text.size() && std::isalpha(static_cast<unsigned char>(text[i]))) ++i;
    std::string unit = text.substr(unit_start, i - unit_start);
    double scale;
    if (unit == "ms")
      scale = 1;
    else if (unit == "s")
      scale = 1000;
    else if (unit == "m")
      scale = 60'000;
    else if (unit == "h")
      scale = 3'600'000;
    else
      throw bad();
    total_ms += value * scale;
  }
  if (!std::isfinite(total_ms) || total_ms > 1e12) throw bad();
  return std::chrono::milliseconds(static_cast<long long>(std::llround(total_ms)));
}

std::chrono::seconds ceil_seconds(std::chrono::milliseconds d) {
  return std::chrono::ceil<std::chrono::seconds>(d);
}

}  // namespace drsync_cli
