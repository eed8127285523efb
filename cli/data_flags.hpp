// The PVC data flags of the command line: DR-Syncer's --migrate-pvc-data,
// --reverse-migrate-pvc-data and --pv-migrate-flags (mapped where they mean something here),
// and the built-in mover's own --mover-* / --data-verify.
#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <drsync/migration.hpp>

#include "flags.hpp"

namespace drsync_cli {

struct DataFlags {
  std::optional<bool> migrate, reverse;
  std::optional<std::string> image, service_type;
  std::map<std::string, std::string> node_selector;
  std::vector<drsync::Toleration> tolerations;
  std::optional<int> parallelism;
  std::optional<std::string> address;
  std::optional<long long> bandwidth_limit_kib;
  std::vector<std::string> exclude;
  std::optional<std::chrono::seconds> timeout;
  std::optional<drsync::DataMoverOptions::Verify> verify;
  std::vector<std::string> rsync_args;  // from --pv-migrate-flags
};

// The flag table rows (appended to the run flags).
const std::vector<FlagSpec>& data_flag_specs();
// Throws UsageError naming the flag and the value.
DataFlags parse_data_flags(const ParsedFlags& f);
// Over a plan's options: only what was given.
void apply_data_flags(const DataFlags& d, drsync::MigrationOptions& o);

}  // namespace drsync_cli
