// `drsync --version` / `--version-json`, in DR-Syncer's shapes.
#pragma once

#include <string>

namespace drsync_cli {

std::string version_number();  // "0.1.0"
std::string version_text();    // "Version: 0.1.0, GitCommit: abc1234, BuildTime: ..."
std::string version_json();    // {"version", "git_commit", "build_time", "compiler", "os", "arch"}

}  // namespace drsync_cli
