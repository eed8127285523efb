// The command line's continuous and scheduled runs of Stage: --continuous (watch the source
// until SIGINT/SIGTERM), --resync-interval (its full resync) and --schedule (a Stage at each tick
// of a cron expression, DR-Syncer's `schedule`).
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "flags.hpp"

namespace drsync_cli {

struct ContinuousFlags {
  bool continuous = false;
  std::string schedule;  // "" when not scheduled
  std::optional<std::chrono::milliseconds> resync_interval;
  bool any() const { return continuous || !schedule.empty(); }
};

// The flag table rows (appended to the run flags).
const std::vector<FlagSpec>& continuous_flag_specs();
// Throws UsageError for flags that do not go together (e.g. --schedule with --continuous).
ContinuousFlags parse_continuous_flags(const ParsedFlags& f);

}  // namespace drsync_cli
