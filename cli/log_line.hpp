// One log line of --log-format json.
#pragma once

#include <string>

namespace drsync_cli {

// {"time": RFC 3339 UTC with milliseconds, "level", "msg"} and a newline; `msg` without the text
// format's leading indentation.
std::string json_log_line(const char* level, const std::string& msg);

// Now, RFC 3339 UTC with milliseconds ("2024-05-01T12:00:00.123Z").
std::string utc_now();

}  // namespace drsync_cli
