// One log line of --log-format json.
#pragma once

#include <string>

namespace drsync_cli {

// {"time": RFC 3339 UTC with milliseconds, "level", "msg"} and a newline; `msg` without the text
// format's leading indentation.
std::string json_log_line(const char* level, const std::string& msg);

}  // namespace drsync_cli
