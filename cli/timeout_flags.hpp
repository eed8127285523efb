// The request deadlines of the command line: --connect-timeout, --attempt-timeout and
// --call-timeout, the RestConfig deadlines of both clusters (docs/reliability.md).
#pragma once

#include <chrono>
#include <optional>
#include <vector>

#include <drsync/config.hpp>

#include "flags.hpp"

namespace drsync_cli {

struct TimeoutFlags {
  std::optional<std::chrono::milliseconds> connect, attempt, call;
};

// The flag table rows (appended to the run flags and to activate/deactivate's).
const std::vector<FlagSpec>& timeout_flag_specs();
// Throws UsageError naming the flag for a malformed or zero duration.
TimeoutFlags parse_timeout_flags(const ParsedFlags& f);
// Only what was given.
void apply_timeout_flags(const TimeoutFlags& t, drsync::RestConfig& config);

}  // namespace drsync_cli
