#include "timeout_flags.hpp"

#include <fmt/format.h>

#include "duration.hpp"

namespace drsync_cli {

const std::vector<FlagSpec>& timeout_flag_specs() {
  static const std::vector<FlagSpec> list = {
      {"connect-timeout", FlagKind::Value, "DURATION",
       "deadline to connect to an API server, TCP and TLS (default 10s)"},
      {"attempt-timeout", FlagKind::Value, "DURATION",
       "deadline of one attempt of a request to an API server (default 30s)"},
      {"call-timeout", FlagKind::Value, "DURATION",
       "deadline of a whole request to an API server, retries included (default 60s)"},
  };
  return list;
}

TimeoutFlags parse_timeout_flags(const ParsedFlags& f) {
  auto one = [&f](const char* flag) -> std::optional<std::chrono::milliseconds> {
    if (!f.has(flag)) return std::nullopt;
    auto d = parse_duration(flag, f.last(flag));
    if (d.count() <= 0) {
      throw UsageError(fmt::format("invalid --{} \"{}\": must be more than 0", flag, f.last(flag)));
    }
    return d;
  };
  return TimeoutFlags{one("connect-timeout"), one("attempt-timeout"), one("call-timeout")};
}

void apply_timeout_flags(const TimeoutFlags& t, drsync::RestConfig& config) {
  if (t.connect) config.connect_timeout = *t.connect;
  if (t.attempt) config.request_timeout = *t.attempt;
  if (t.call) config.call_timeout = *t.call;
}

}  // namespace drsync_cli
