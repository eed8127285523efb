// drsync-controller: runs DR-Syncer's custom resources (RemoteCluster, ClusterMapping,
// NamespaceMapping) and drsync's Failover with libdrsync, inside Kubernetes or beside it
// (docs/controller.md).
#include <fmt/format.h>
#include <drsync/error.hpp>

#include <csignal>
#include <cstdio>
#include <optional>
#include <thread>

#include "controller_flags.hpp"
#include "http_server.hpp"
#include "leader_election.hpp"
#include "logger.hpp"
#include "metrics.hpp"
#include "reconciler.hpp"

namespace {

using namespace drsync_controller;

drsync::CancelToken* g_stop = nullptr;

void on_signal(int) {
  if (g_stop) g_stop->cancel();
}

drsync::Cluster home_cluster(const ControllerFlags& f) {
  if (f.kubeconfig.empty() && !std::getenv("KUBECONFIG") &&
      std::getenv("KUBERNETES_SERVICE_HOST")) {
    return drsync::Cluster::in_cluster();
  }
  return drsync::Cluster::from_kubeconfig(f.kubeconfig, f.context);
}

HttpServer::Handler handler(Metrics& metrics, const Reconciler& reconciler,
                            const ControllerFlags& f) {
  return [&metrics, &reconciler, &f](const std::string& path) -> HttpResponse {
    if (path == "/metrics") {
      reconciler.collect();
      return {200, "text/plain; version=0.0.4; charset=utf-8", metrics.render()};
    }
    if (path == "/healthz" || path == "/readyz") {
      // A loop stuck in one pass for 3 sync periods (plus a minute for a long Stage) is unhealthy.
      double limit = 3 * std::chrono::duration<double>(f.sync_period).count() + 60;
      double since = reconciler.seconds_since_pass();
      if (since > limit)
        return {503, "text/plain; charset=utf-8",
                fmt::format("reconcile loop stuck for {:.0f}s\n", since)};
      return {200, "text/plain; charset=utf-8", "ok\n"};
    }
    return {404, "text/plain; charset=utf-8", "not found\n"};
  };
}

// Leads (with or without a Lease) until `stop`; loses the lease -> stops every sync at once and
// waits to lead again.
void lead_until_stopped(const ControllerFlags& f, drsync::Cluster home, Metrics& metrics,
                        Reconciler& reconciler, const drsync::CancelToken& stop) {
  std::optional<LeaderElector> elector;
  if (f.leader_elect) elector.emplace(home, f.lease);
  while (!stop.cancelled()) {
    if (elector && !elector->acquire(stop)) break;
    metrics.set("drsync_controller_leader", {}, 1);
    drsync::CancelToken leading;
    bool lost = false;
    std::thread keeper([&] {
      if (elector) {
        lost = !elector->hold(stop);
      } else {
        while (!stop.cancelled()) std::this_thread::sleep_for(std::chrono::milliseconds(100));
      }
      leading.cancel();
    });
    reconciler.run(leading);
    keeper.join();
    metrics.set("drsync_controller_leader", {}, 0);
    if (lost) {
      warn("lost the Lease: every sync is stopped; waiting to lead again");
    } else if (elector) {
      elector->release();
    }
  }
}

int run(const ControllerFlags& f) {
  configure_log(parse_level(f.log_level), f.json_logs);
  drsync::Cluster home = home_cluster(f);
  info("drsync-controller {} for {} on {}", DRSYNC_CONTROLLER_VERSION,
       f.all_namespaces ? std::string("every namespace") : "namespace " + f.watch_namespace,
       home.server());
  Metrics metrics;
  metrics.set("drsync_controller_leader", {}, 0);
  Reconciler reconciler(home, metrics, {f.watch_namespace, f.sync_period});
  HttpServer metrics_server(f.metrics_address, handler(metrics, reconciler, f));
  HttpServer health_server(f.health_address, handler(metrics, reconciler, f));
  if (metrics_server.port()) info("serving /metrics on port {}", metrics_server.port());
  if (health_server.port()) info("serving /healthz and /readyz on port {}", health_server.port());
  drsync::CancelToken stop;
  g_stop = &stop;
  std::signal(SIGINT, on_signal);
  std::signal(SIGTERM, on_signal);
  lead_until_stopped(f, home, metrics, reconciler, stop);
  g_stop = nullptr;
  info("stopped");
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  ControllerFlags f;
  try {
    f = parse_controller_flags(argc, argv);
  } catch (const drsync_cli::UsageError& e) {
    fmt::print(stderr, "drsync-controller: {}\nRun drsync-controller --help for the flags.\n",
               e.what());
    return 2;
  }
  if (f.help) {
    fmt::print(
        "Usage: drsync-controller [flags]\n\nReconciles dr-syncer.io NamespaceMappings and "
        "drsync.io "
        "Failovers with libdrsync (docs/controller.md).\n\n{}",
        drsync_cli::flags_help(controller_flag_specs()));
    return 0;
  }
  if (f.version) return fmt::print("drsync-controller {}\n", DRSYNC_CONTROLLER_VERSION), 0;
  if (f.list_metrics) {
    for (const auto& m : metric_families())
      fmt::print("{}\t{}\t{}\t{}\n", m.name, m.type, m.labels, m.help);
    return 0;
  }
  try {
    return run(f);
  } catch (const std::exception& e) {
    error("{}", e.what());
    return 1;
  }
}
