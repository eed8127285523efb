// What is generated from the command line's tables (cli_options.hpp) besides --help: shell
// completion scripts and the manual page.
#pragma once

#include <string>

namespace drsync_cli {

// `drsync completion bash|zsh`: completes subcommands, flags and the values of closed-set flags
// (FlagSpec::choices), files for FILE flags; for drsync and kubectl-drsync.
std::string completion_script(const std::string& shell);

// `drsync man`: drsync.1 in roff.
std::string man_page(const std::string& version);

}  // namespace drsync_cli
