#include "logger.hpp"

#include <atomic>
#include <cstdio>
#include <mutex>
#include <stdexcept>

#include "../cli/log_line.hpp"

namespace drsync_controller {
namespace {

std::atomic<int> g_minimum{static_cast<int>(Level::Info)};
std::atomic<bool> g_json{false};
std::mutex g_mutex;

const char* level_name(Level level) noexcept {
  switch (level) {
    case Level::Debug:
      return "debug";
    case Level::Info:
      return "info";
    case Level::Warn:
      return "warn";
    case Level::Error:
      return "error";
  }
  return "info";
}

}  // namespace

Level parse_level(std::string_view name) {
  for (Level l : {Level::Debug, Level::Info, Level::Warn, Level::Error}) {
    if (name == level_name(l)) return l;
  }
  throw std::invalid_argument(
      fmt::format("unknown log level {:?} (debug, info, warn, error)", name));
}

void configure_log(Level minimum, bool json) {
  g_minimum = static_cast<int>(minimum);
  g_json = json;
}

bool log_enabled(Level level) noexcept {
  return static_cast<int>(level) >= g_minimum.load();
}

void log(Level level, const std::string& msg) {
  std::string line = g_json
                         ? drsync_cli::json_log_line(level_name(level), msg)
                         : fmt::format("{} {} {}\n", drsync_cli::utc_now(), level_name(level), msg);
  std::lock_guard lock(g_mutex);
  std::fwrite(line.data(), 1, line.size(), stderr);
  std::fflush(stderr);
}

}  // namespace drsync_controller
