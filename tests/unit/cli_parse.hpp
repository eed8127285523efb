// The CLI unit tests' command line: parse_command_line of "drsync" and `args`.
#pragma once

#include <initializer_list>
#include <vector>

#include "../../cli/cli_options.hpp"

inline drsync_cli::CliOptions parse(std::initializer_list<const char*> args) {
  std::vector<const char*> argv{"drsync"};
  argv.insert(argv.end(), args.begin(), args.end());
  return drsync_cli::parse_command_line(static_cast<int>(argv.size()), argv.data());
}
