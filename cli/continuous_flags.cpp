#include "continuous_flags.hpp"

#include <fmt/format.h>

#include <drsync/error.hpp>
#include <drsync/schedule.hpp>

#include "duration.hpp"

namespace drsync_cli {

const std::vector<FlagSpec>& continuous_flag_specs() {
  using K = FlagKind;
  static const std::vector<FlagSpec> list = {
      {"continuous", K::Bool, "",
       "Stage: keep the destination in sync until SIGINT/SIGTERM (watches the source; suspended "
       "while the destination is the active side)"},
      {"resync-interval", K::Value, "DURATION",
       "with --continuous: full resync (and drift repair) interval (default 1h)"},
      {"schedule", K::Value, "CRON",
       "Stage at each tick of a 5-field cron expression, in UTC (\"*/15 * * * *\"), until "
       "SIGINT/SIGTERM"},
  };
  return list;
}

ContinuousFlags parse_continuous_flags(const ParsedFlags& f) {
  ContinuousFlags c;
  c.continuous = f.boolean("continuous");
  c.schedule = f.last("schedule");
  if (f.has("schedule") && c.schedule.empty()) {
    throw UsageError("--schedule needs a cron expression (\"*/15 * * * *\")");
  }
  if (!c.schedule.empty()) {
    try {
      drsync::Schedule check(c.schedule);
    } catch (const drsync::Error& e) {
      throw UsageError(fmt::format("invalid --schedule: {}", e.what()));
    }
  }
  if (c.continuous && !c.schedule.empty()) {
    throw UsageError(
        "--continuous and --schedule do not go together: --continuous already keeps the "
        "destination in sync (its full resync runs every --resync-interval)");
  }
  if (f.has("resync-interval")) {
    if (!c.continuous) throw UsageError("--resync-interval is for --continuous");
    c.resync_interval = parse_duration("resync-interval", f.last("resync-interval"));
    if (c.resync_interval->count() <= 0) {
      throw UsageError("--resync-interval must be positive");
    }
  }
  return c;
}

}  // namespace drsync_cli
