// Durations as Go writes them ("90s", "5m", "1h30m", "1.5m", "500ms"), plus a bare number of
// seconds ("90").
#pragma once

#include <chrono>
#include <string>

namespace drsync_cli {

// Throws UsageError naming `flag` on malformed or negative input.
std::chrono::milliseconds parse_duration(const std::string& flag, const std::string& text);

// Whole seconds, rounded up ("500ms" waits 1 s, not 0).
std::chrono::seconds ceil_seconds(std::chrono::milliseconds d);

}  // namespace drsync_cli
