// ContinuousSync change-to-destination lag against real clusters:
//   bench_continuous --source KUBECONFIG --dest KUBECONFIG [--rates 50,200] [--changes 1000]
//                    [--objects 100]
// For each rate: a fresh namespace of `objects` ConfigMaps on the source, a ContinuousSync into
// a fresh destination namespace, then `changes` updates spread over the ConfigMaps at that rate
// (paced, sent without waiting for each other). Prints a Markdown table of the lag of each write:
// from the update being sent to the source to the destination write answered ("end to end"),
// and from the watch event received to the destination write (ContinuousStats).
#include <drsync/cluster.hpp>
#include <drsync/continuous.hpp>
#include <drsync/error.hpp>

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <future>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

using namespace drsync;
using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

namespace {

const ResourceInfo kConfigMaps{"", "v1", "configmaps", "ConfigMap", true, {}, {}, {}, {}};
const ResourceInfo kNamespaces{"", "v1", "namespaces", "Namespace", false, {}, {}, {}, {}};

Object config_map(int i, int version) {
  return Object::parse(R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"cm-)" +
                       std::to_string(i) + R"("},"data":{"v":")" + std::to_string(version) +
                       "\"}}");
}

double percentile_ms(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  auto rank = static_cast<size_t>(std::ceil(p / 100.0 * static_cast<double>(v.size())));
  return v[std::clamp<size_t>(rank, 1, v.size()) - 1];
}

struct Row {
  int rate;
  int changes;
  double seconds;
  size_t writes;
  double e2e_p50, e2e_p99, watch_p50, watch_p99;
};

// Sent updates and their send times; the applied events look them up by object.
struct Timeline {
  std::mutex mutex;
  std::map<std::string, Clock::time_point> last_sent;  // "configmaps/cm-3" -> time
  std::vector<double> e2e_ms;
};

Row run_rate(const Cluster& src, const Cluster& dst, int rate, int changes, int objects) {
  const std::string ns = "bench-cont-" + std::to_string(getpid()) + "-" + std::to_string(rate);
  Object n = Object::parse(R"({"apiVersion":"v1","kind":"Namespace","metadata":{}})");
  n.set_name(ns);
  src.create(kNamespaces, "", n);
  for (int i = 0; i < objects; ++i) src.create(kConfigMaps, ns, config_map(i, 0));

  Timeline timeline;
  ContinuousOptions options;
  options.sync.include_types = {"configmaps"};
  options.sync.cluster_resources = false;
  options.on_event = [&](const ContinuousEvent& e) {
    if (e.kind != ContinuousEventKind::Applied || e.action != Action::Update) return;
    std::lock_guard lock(timeline.mutex);
    auto it = timeline.last_sent.find(e.object);
    if (it == timeline.last_sent.end()) return;
    timeline.e2e_ms.push_back(
        std::chrono::duration<double, std::milli>(Clock::now() - it->second).count());
    timeline.last_sent.erase(it);
  };
  ContinuousSync sync(src, ns, dst, ns + "-dr", options);
  std::thread runner([&] { sync.run(); });
  while (sync.stats().state != "syncing") std::this_thread::sleep_for(10ms);

  const auto started = Clock::now();
  std::vector<std::future<Response>> sent;
  for (int c = 0; c < changes; ++c) {
    std::this_thread::sleep_until(started + c * std::chrono::microseconds(1000000 / rate));
    const int i = c % objects;
    {
      std::lock_guard lock(timeline.mutex);
      // A change to an object still pending keeps its first send time (it is debounced into one).
      timeline.last_sent.emplace("configmaps/cm-" + std::to_string(i), Clock::now());
    }
    sent.push_back(
        src.request(Verb::Patch)
            .resource(kConfigMaps)
            .in_namespace(ns)
            .name("cm-" + std::to_string(i))
            .patch(PatchType::Merge, R"({"data":{"v":")" + std::to_string(c + 1) + "\"}}")
            .start());
  }
  for (auto& f : sent) f.get();
  const double seconds = std::chrono::duration<double>(Clock::now() - started).count();
  // Until every update has reached the destination.
  for (int waited = 0; waited < 600; ++waited) {
    {
      std::lock_guard lock(timeline.mutex);
      if (timeline.last_sent.empty()) break;
    }
    std::this_thread::sleep_for(100ms);
  }
  ContinuousStats stats = sync.stats();
  sync.cancel();
  runner.join();
  src.remove(kNamespaces, "", ns);
  dst.remove(kNamespaces, "", ns + "-dr");
  std::lock_guard lock(timeline.mutex);
  return Row{rate,
             changes,
             seconds,
             timeline.e2e_ms.size(),
             percentile_ms(timeline.e2e_ms, 50),
             percentile_ms(timeline.e2e_ms, 99),
             static_cast<double>(stats.lag_p50.count()) / 1000.0,
             static_cast<double>(stats.lag_p99.count()) / 1000.0};
}

}  // namespace

int main(int argc, char** argv) {
  std::string source, dest;
  std::vector<int> rates = {50, 200};
  int changes = 1000, objects = 100;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--source")) source = argv[i + 1];
    if (!std::strcmp(argv[i], "--dest")) dest = argv[i + 1];
    if (!std::strcmp(argv[i], "--changes")) changes = std::atoi(argv[i + 1]);
    if (!std::strcmp(argv[i], "--objects")) objects = std::atoi(argv[i + 1]);
    if (!std::strcmp(argv[i], "--rates")) {
      rates.clear();
      for (char* t = std::strtok(argv[i + 1], ","); t; t = std::strtok(nullptr, ","))
        rates.push_back(std::atoi(t));
    }
  }
  if (source.empty() || dest.empty() || changes < 1 || objects < 1) {
    std::fprintf(stderr,
                 "usage: %s --source KUBECONFIG --dest KUBECONFIG [--rates 50,200] "
                 "[--changes 1000] [--objects 100]\n",
                 argv[0]);
    return 2;
  }
  try {
    Cluster src = Cluster::from_kubeconfig(source);
    Cluster dst = Cluster::from_kubeconfig(dest);
    std::printf(
        "| changes/s | changes | sent in | writes | end to end p50 | p99 | "
        "watch event to write p50 | p99 |\n| --- | --- | --- | --- | --- | --- | --- | --- |\n");
    for (int rate : rates) {
      Row r = run_rate(src, dst, rate, changes, objects);
      std::printf("| %d | %d | %.1f s | %zu | %.1f ms | %.1f ms | %.1f ms | %.1f ms |\n", r.rate,
                  r.changes, r.seconds, r.writes, r.e2e_p50, r.e2e_p99, r.watch_p50, r.watch_p99);
      std::fflush(stdout);
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench_continuous: %s\n", e.what());
    return 1;
  }
  return 0;
}
