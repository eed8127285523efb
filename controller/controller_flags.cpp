#include "controller_flags.hpp"

#include <unistd.h>

#include <cstdlib>
#include <fstream>

#include "../cli/duration.hpp"

namespace drsync_controller {
namespace {

using drsync_cli::FlagKind;

std::string env(const char* name) {
  const char* v = std::getenv(name);
  return v ? v : "";
}

// In a Pod: the service account's namespace; else "dr-syncer" (DR-Syncer's).
std::string default_namespace() {
  std::ifstream f("/var/run/secrets/kubernetes.io/serviceaccount/namespace");
  std::string ns;
  if (f && std::getline(f, ns) && !ns.empty()) return ns;
  return "dr-syncer";
}

std::string default_identity() {
  if (!env("POD_NAME").empty()) return env("POD_NAME");
  char host[256] = {};
  ::gethostname(host, sizeof host - 1);
  return std::string(host) + "_" + std::to_string(::getpid());
}

}  // namespace

const std::vector<drsync_cli::FlagSpec>& controller_flag_specs() {
  static const std::vector<drsync_cli::FlagSpec> specs = {
      {"kubeconfig", FlagKind::Value, "FILE",
       "kubeconfig of the cluster holding the custom resources (default: in-cluster, then "
       "$KUBECONFIG, ~/.kube/config)"},
      {"context", FlagKind::Value, "NAME", "kubeconfig context"},
      {"namespace", FlagKind::Value, "NS",
       "namespace whose mappings are reconciled (default: the Pod's, else dr-syncer)"},
      {"all-namespaces", FlagKind::Bool, "", "reconcile mappings of every namespace"},
      {"leader-elect", FlagKind::Bool, "", "run with leader election: only the Lease holder acts"},
      {"leader-election-id", FlagKind::Value, "NAME",
       "name of the Lease (default drsync-controller)"},
      {"leader-election-namespace", FlagKind::Value, "NS",
       "namespace of the Lease (default: --namespace)"},
      {"leader-election-identity", FlagKind::Value, "ID",
       "this replica's identity (default: $POD_NAME, else host_pid)"},
      {"lease-duration", FlagKind::Value, "DURATION",
       "how long a Lease not renewed stays held (default 15s)"},
      {"renew-deadline", FlagKind::Value, "DURATION",
       "the leader gives up when it could not renew for this long (default 10s)"},
      {"retry-period", FlagKind::Value, "DURATION",
       "between attempts to acquire or renew (default 2s)"},
      {"metrics-bind-address", FlagKind::Value, "ADDR",
       "where /metrics is served, HOST:PORT or :PORT; 0 disables (default :8080)"},
      {"health-probe-bind-address", FlagKind::Value, "ADDR",
       "where /healthz and /readyz are served; 0 disables (default :8081)"},
      {"sync-period", FlagKind::Value, "DURATION",
       "list every mapping at least this often (default 30s)"},
      {"log-level",
       FlagKind::Value,
       "LEVEL",
       "debug, info, warn or error (default info)",
       "",
       {"debug", "info", "warn", "error"}},
      {"log-format",
       FlagKind::Value,
       "FORMAT",
       "text or json (default text)",
       "",
       {"text", "json"}},
      {"list-metrics", FlagKind::Bool, "",
       "print the metric families (name, type, labels, help) and exit"},
      {"version", FlagKind::Bool, "", "print the version and exit"},
      {"help", FlagKind::Bool, "", "this help"},
  };
  return specs;
}

ControllerFlags parse_controller_flags(int argc, const char* const* argv) {
  auto p = drsync_cli::parse_flags(controller_flag_specs(), argc, argv);
  ControllerFlags f;
  f.help = p.boolean("help");
  f.list_metrics = p.boolean("list-metrics");
  f.version = p.boolean("version");
  f.kubeconfig = p.last("kubeconfig");
  f.context = p.last("context");
  f.all_namespaces = p.boolean("all-namespaces");
  f.watch_namespace = f.all_namespaces ? "" : p.last("namespace", default_namespace());
  f.leader_elect = p.boolean("leader-elect");
  f.lease.name = p.last("leader-election-id", "drsync-controller");
  f.lease.lease_namespace = p.last("leader-election-namespace",
                                   f.all_namespaces ? default_namespace() : f.watch_namespace);
  f.lease.identity = p.last("leader-election-identity", default_identity());
  f.lease.lease_duration =
      drsync_cli::parse_duration("--lease-duration", p.last("lease-duration", "15s"));
  f.lease.renew_deadline =
      drsync_cli::parse_duration("--renew-deadline", p.last("renew-deadline", "10s"));
  f.lease.retry_period = drsync_cli::parse_duration("--retry-period", p.last("retry-period", "2s"));
  if (f.lease.renew_deadline >= f.lease.lease_duration ||
      f.lease.retry_period >= f.lease.renew_deadline) {
    throw drsync_cli::UsageError("need --retry-period < --renew-deadline < --lease-duration");
  }
  f.metrics_address = p.last("metrics-bind-address", ":8080");
  f.health_address = p.last("health-probe-bind-address", ":8081");
  f.sync_period = drsync_cli::parse_duration("--sync-period", p.last("sync-period", "30s"));
  if (f.sync_period.count() <= 0) throw drsync_cli::UsageError("--sync-period must be positive");
  f.log_level = p.last("log-level", "info");
  f.json_logs = p.last("log-format", "text") == "json";
  return f;
}

}  // namespace drsync_controller
