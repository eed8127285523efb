// Cutover benchmark against real clusters:
//   bench_cutover --source KUBECONFIG --dest KUBECONFIG [--deployments 200]
// Creates N single-replica Deployments on the source, stages them, then times a Cutover step by
// step and counts its requests per workload. Control-plane time = the Cutover minus the time
// spent waiting for Pods to go away and to become ready (pod start-up, which kwok simulates).
#include <drsync/cluster.hpp>
#include <drsync/error.hpp>
#include <drsync/migration.hpp>

#include <unistd.h>
#include <chrono>
#include <cstring>
#include <future>
#include <iostream>
#include <map>

using namespace drsync;
using Clock = std::chrono::steady_clock;

namespace {

// The floor of the scale steps: `count` merge patches of spec.replicas sent at once, no drsync
// logic around them (the same server work: the Deployment controller and kwok delete or create
// the Pods). Seconds until every patch is answered.
double raw_scale(const Cluster& c, const ResourceInfo& deployments, const std::string& ns,
                 int count, int replicas) {
  auto t = Clock::now();
  std::vector<std::future<Response>> inflight;
  for (int i = 0; i < count; ++i) {
    Request req;
    req.method = Method::Patch;
    req.path = Cluster::path_for(deployments, ns, "app-" + std::to_string(i));
    req.content_type = "application/merge-patch+json";
    req.body = R"({"spec":{"replicas":)" + std::to_string(replicas) + "}}";
    inflight.push_back(c.send_async(std::move(req)));
  }
  for (auto& f : inflight) Cluster::check(f.get(), "patch");
  return std::chrono::duration<double>(Clock::now() - t).count();
}

}  // namespace

int main(int argc, char** argv) {
  std::string source_path, dest_path;
  int count = 200;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--source"))
      source_path = argv[i + 1];
    else if (!std::strcmp(argv[i], "--dest"))
      dest_path = argv[i + 1];
    else if (!std::strcmp(argv[i], "--deployments"))
      count = std::stoi(argv[i + 1]);
  }
  if (source_path.empty() || dest_path.empty()) {
    std::cerr << "usage: bench_cutover --source KUBECONFIG --dest KUBECONFIG [--deployments N]\n";
    return 2;
  }
  try {
    Cluster source = Cluster::from_kubeconfig(source_path);
    Cluster dest = Cluster::from_kubeconfig(dest_path);
    std::string ns = "bench-cutover-" + std::to_string(getpid());
    Object nso = Object::parse(R"({"apiVersion":"v1","kind":"Namespace","metadata":{}})");
    nso.set_name(ns);
    auto namespaces = source.resolve("namespaces");
    source.create(namespaces, "", nso);
    auto deployments = source.resolve("deployments");
    std::vector<std::future<Response>> inflight;
    for (int i = 0; i < count; ++i) {
      std::string n = "app-" + std::to_string(i);
      Request req;
      req.method = Method::Post;
      req.path = Cluster::path_for(deployments, ns);
      req.body = R"({"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":")" + n +
                 R"("},"spec":{"replicas":1,"selector":{"matchLabels":{"app":")" + n +
                 R"("}},"template":{"metadata":{"labels":{"app":")" + n +
                 R"("}},"spec":{"containers":[{"name":"c","image":"nginx:1.25"}]}}}})";
      inflight.push_back(source.send_async(std::move(req)));
    }
    for (auto& f : inflight) Cluster::check(f.get(), "create");
    std::cerr << "created " << count << " deployments in " << ns
              << "; waiting for them to be ready\n";

    MigrationOptions options;
    options.poll_interval = std::chrono::milliseconds(200);
    options.wait_timeout = std::chrono::seconds(600);
    options.gone_timeout = std::chrono::seconds(600);
    std::map<std::string, double> step_seconds;
    std::map<std::string, Clock::time_point> step_start;
    options.step_hook = [&](const StepEvent& e) {
      if (e.before)
        step_start[e.name] = Clock::now();
      else
        step_seconds[e.name] =
            std::chrono::duration<double>(Clock::now() - step_start[e.name]).count();
    };
    Migration m(source, ns, dest, ns, options);
    // Let the source become ready, then stage.
    m.wait_ready(Side::Source);
    if (!m.stage().ok) throw Error(Errc::internal, "stage failed");
    step_seconds.clear();

    source.reset_stats();
    dest.reset_stats();
    auto t = Clock::now();
    MigrationReport r = m.cutover();
    double total = std::chrono::duration<double>(Clock::now() - t).count();
    if (!r.ok) {
      std::cerr << r.to_markdown();
      return 1;
    }
    RequestStats s = source.stats(), d = dest.stats();
    double waiting = step_seconds["wait_gone"] + step_seconds["wait_ready"];
    std::uint64_t requests = s.total() + d.total();
    std::cout << "| Cutover of " << count << " Deployments | value |\n| --- | --- |\n";
    std::cout << "| total wall time | " << total << " s |\n";
    std::cout << "| waiting for pods to stop / start (wait_gone + wait_ready) | " << waiting
              << " s |\n";
    std::cout << "| control-plane time (total minus pod waits) | " << total - waiting << " s |\n";
    std::cout << "| requests (source + destination) | " << requests << " ("
              << s.writes() + d.writes() << " writes, " << s.list + d.list << " LISTs, "
              << s.get + d.get << " GETs) |\n";
    std::cout << "| requests per workload | " << static_cast<double>(requests) / count << " |\n";
    std::cout << "| writes per workload | " << static_cast<double>(s.writes() + d.writes()) / count
              << " |\n";
    for (const auto& [step, secs] : step_seconds)
      std::cout << "| step " << step << " | " << secs << " s |\n";
    // The baseline in the same run: the same scale writes, raw (destination 1 -> 0, source 0 -> 1).
    double down = raw_scale(dest, deployments, ns, count, 0);
    double up = raw_scale(source, deployments, ns, count, 1);
    std::cout << "| baseline: " << count << " raw replica patches 1 -> 0, then " << count
              << " 0 -> 1, all in flight | " << down << " s + " << up << " s = " << down + up
              << " s (drsync's scale_down + scale_up: "
              << step_seconds["scale_down"] + step_seconds["scale_up"] << " s) |\n";
    source.remove(namespaces, "", ns);
    dest.remove(namespaces, "", ns);
    return 0;
  } catch (const Error& e) {
    std::cerr << "error: " << e.what() << "\n";
    return 1;
  }
}
