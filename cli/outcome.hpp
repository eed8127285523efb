// The result of one command on one namespace pair, and the exit code of a whole run.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <drsync/migration.hpp>
#include <drsync/sync.hpp>

namespace drsync_cli {

enum class Result { Succeeded, Failed, Refused };
const char* result_name(Result r) noexcept;  // "succeeded", "failed", "refused"

struct Outcome {
  Outcome(std::string source_ns, std::string dest_ns, Result r = Result::Succeeded)
      : source_namespace(std::move(source_ns)), dest_namespace(std::move(dest_ns)), result(r) {}

  std::string source_namespace;
  std::string dest_namespace;
  Result result = Result::Succeeded;
  std::string error;                                 // why it failed or was refused, with advice
  std::optional<drsync::MigrationReport> report;     // a mode that ran (or was refused)
  std::optional<drsync::SyncResult> plan;            // --dry-run: the sync plan
  std::vector<std::string> would;                    // --dry-run: what the mode would do, in order
  std::optional<drsync::MigrationStatus> status;     // status, --dry-run
  std::optional<drsync::PreflightReport> preflight;  // preflight, --dry-run of Stage / Cutover
  double seconds = 0;
};

// 0 when every pair succeeded; 1 when any failed; 3 when the others succeeded and some were
// refused (fencing, a pending operation).
int exit_code(const std::vector<Outcome>& outcomes);

}  // namespace drsync_cli
