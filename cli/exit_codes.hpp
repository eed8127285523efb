// Exit codes of drsync and the advice printed with each kind of failure.
#pragma once

#include <string>

#include <drsync/error.hpp>

namespace drsync_cli {

enum ExitCode : int {
  kExitOk = 0,
  kExitFailure = 1,  // anything failed; per-object failures are listed
  kExitUsage = 2,    // the command line (or a plan / modifiers file it names) is wrong
  kExitRefused = 3,  // refused by fencing or by a half-done operation: nothing was changed
};

// 3 for Errc::fenced / Errc::pending, 1 otherwise.
int exit_code_for(drsync::Errc code) noexcept;

// What to do next for an error of this kind ("" when the message already says it).
std::string advice_for(drsync::Errc code);

// Advice for an error known only by its message (a failed step recorded in a report): from the
// "(HTTP 403 ...)" the library puts in messages of server errors, else the general advice.
std::string advice_for_message(const std::string& message);

// "message\n  next: advice" for an Error.
std::string describe(const drsync::Error& e);

}  // namespace drsync_cli
