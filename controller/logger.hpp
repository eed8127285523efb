// The controller's log: one line per message on stderr, as text ("TIME LEVEL message") or, with
// --log-format json, as JSON lines ({"time", "level", "msg"}). Thread-safe.
#pragma once

#include <fmt/format.h>

#include <string>
#include <string_view>

namespace drsync_controller {

enum class Level { Debug, Info, Warn, Error };

// Throws std::invalid_argument for a name other than debug, info, warn, error.
Level parse_level(std::string_view name);
void configure_log(Level minimum, bool json);
bool log_enabled(Level level) noexcept;
void log(Level level, const std::string& msg);

template <typename... Args>
void debug(fmt::format_string<Args...> f, Args&&... args) {
  if (log_enabled(Level::Debug)) log(Level::Debug, fmt::format(f, std::forward<Args>(args)...));
}
template <typename... Args>
void info(fmt::format_string<Args...> f, Args&&... args) {
  if (log_enabled(Level::Info)) log(Level::Info, fmt::format(f, std::forward<Args>(args)...));
}
template <typename... Args>
void warn(fmt::format_string<Args...> f, Args&&... args) {
  if (log_enabled(Level::Warn)) log(Level::Warn, fmt::format(f, std::forward<Args>(args)...));
}
template <typename... Args>
void error(fmt::format_string<Args...> f, Args&&... args) {
  log(Level::Error, fmt::format(f, std::forward<Args>(args)...));
}

}  // namespace drsync_controller
