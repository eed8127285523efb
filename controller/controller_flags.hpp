// drsync-controller's command line (docs/controller.md): flags in Go's syntax, named like
// controller-runtime's and DR-Syncer's controller's where they exist there.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "../cli/flags.hpp"
#include "leader_election.hpp"

namespace drsync_controller {

struct ControllerFlags {
  std::string kubeconfig;  // "": in-cluster configuration, else $KUBECONFIG / ~/.kube/config
  std::string context;
  std::string watch_namespace;  // "" with all_namespaces
  bool all_namespaces = false;
  bool leader_elect = false;
  LeaseConfig lease;
  std::string metrics_address = ":8080";
  std::string health_address = ":8081";
  std::chrono::milliseconds sync_period{30000};
  std::string log_level = "info";
  bool json_logs = false;
  bool help = false, list_metrics = false, version = false;
};

const std::vector<drsync_cli::FlagSpec>& controller_flag_specs();
// Throws drsync_cli::UsageError.
ControllerFlags parse_controller_flags(int argc, const char* const* argv);

}  // namespace drsync_controller
