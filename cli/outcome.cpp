#include "outcome.hpp"

#include "exit_codes.hpp"

namespace drsync_cli {

const char* result_name(Result r) noexcept {
  switch (r) {
    case Result::Succeeded:
      return "succeeded";
    case Result::Failed:
      return "failed";
    case Result::Refused:
      return "refused";
  }
  return "?";
}

int exit_code(const std::vector<Outcome>& outcomes) {
  bool refused = false;
  for (const auto& o : outcomes) {
    if (o.result == Result::Failed) return kExitFailure;
    refused = refused || o.result == Result::Refused;
  }
  return refused ? kExitRefused : kExitOk;
}

}  // namespace drsync_cli
