// What a ContinuousSync costs while it watches a big namespace, idle and under load:
//   bench_watch_idle --source KUBECONFIG --dest KUBECONFIG [--objects 10000] [--types 20]
//                    [--idle 30] [--rate 200] [--load 20]
// Creates `types` CustomResourceDefinitions (in both clusters: custom resources are synced where
// their CRD exists) and `objects` objects of about 1 KiB spread over them in a fresh source
// namespace, then starts the sync in a child process (this program with --child) so that its
// CPU time and memory are measured from outside, from /proc/PID: RSS once the first full sync
// is done, CPU over `idle` seconds of nothing changing, then CPU and peak RSS over `load`
// seconds of merge patches at `rate` changes/s (sent by this process), against the JSON size of
// the watched objects (their LIST items).
#include <drsync/cluster.hpp>
#include <drsync/continuous.hpp>
#include <drsync/error.hpp>

#include <fmt/format.h>
#include <malloc.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <future>
#include <string>
#include <thread>
#include <vector>

extern char** environ;

using namespace drsync;
using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

namespace {

const ResourceInfo kNamespaces{"", "v1", "namespaces", "Namespace", false, {}, {}, {}, {}};
const ResourceInfo kCrds{"apiextensions.k8s.io",
                         "v1",
                         "customresourcedefinitions",
                         "CustomResourceDefinition",
                         false,
                         {},
                         {},
                         {},
                         {}};
constexpr const char* kGroup = "bench.drsync.io";

ResourceInfo type_info(int t) {
  return {kGroup, "v1", fmt::format("widgets{}", t), fmt::format("Widget{}", t), true, {}, {},
          {},     {}};
}

std::string crd_json(int t) {
  return fmt::format(
      R"({{"apiVersion":"apiextensions.k8s.io/v1","kind":"CustomResourceDefinition","metadata":{{"name":"widgets{0}.{1}"}},"spec":{{"group":"{1}","scope":"Namespaced","names":{{"plural":"widgets{0}","singular":"widget{0}","kind":"Widget{0}","listKind":"Widget{0}List"}},"versions":[{{"name":"v1","served":true,"storage":true,"schema":{{"openAPIV3Schema":{{"type":"object","x-kubernetes-preserve-unknown-fields":true}}}}}}]}}}})",
      t, kGroup);
}

void ensure_crds(const Cluster& c, int types) {
  for (int t = 0; t < types; ++t) {
    if (!c.try_get(kCrds, "", fmt::format("widgets{}.{}", t, kGroup)))
      c.create(kCrds, "", Object::parse(crd_json(t)));
  }
  for (int t = 0; t < types; ++t) {  // served: discovery knows it
    for (int i = 0; i < 100; ++i) {
      try {
        ListOptions one;
        one.limit = 1;
        c.list(type_info(t), "default", one);
        break;
      } catch (const Error&) {
        std::this_thread::sleep_for(100ms);
      }
    }
  }
  c.resources(true);
}

Object widget(int t, int i) {
  return Object::parse(fmt::format(
      R"({{"apiVersion":"{}/v1","kind":"Widget{}","metadata":{{"name":"w-{}"}},"spec":{{"size":{},"data":"{}"}}}})",
      kGroup, t, i, i, std::string(800, static_cast<char>('a' + i % 26))));
}

void fill(const Cluster& c, const std::string& ns, int objects, int types) {
  std::vector<std::future<Response>> pending;
  for (int i = 0; i < objects; ++i) {
    pending.push_back(c.request(Verb::Create)
                          .resource(type_info(i % types))
                          .in_namespace(ns)
                          .body(widget(i % types, i))
                          .start());
    if (pending.size() >= 256) {
      for (auto& p : pending) Cluster::check(p.get(), "create widget");
      pending.clear();
    }
  }
  for (auto& p : pending) Cluster::check(p.get(), "create widget");
}

double json_bytes(const Cluster& c, const std::string& ns, int types) {
  double bytes = 0;
  for (int t = 0; t < types; ++t) {
    for (const auto& item : c.list(type_info(t), ns).items)
      bytes += static_cast<double>(item.to_json().size());
  }
  return bytes;
}

struct Sample {
  double cpu_seconds = 0;
  double rss_mib = 0, hwm_mib = 0;
};

Sample sample(pid_t pid) {
  Sample s;
  std::ifstream stat(fmt::format("/proc/{}/stat", pid));
  std::string content((std::istreambuf_iterator<char>(stat)), {});
  auto rest = content.substr(content.rfind(')') + 2);  // after "pid (comm) "
  std::vector<std::string> fields;
  for (size_t b = 0, e; b < rest.size(); b = e + 1) {
    e = rest.find(' ', b);
    if (e == std::string::npos) e = rest.size();
    fields.push_back(rest.substr(b, e - b));
  }
  double ticks = static_cast<double>(sysconf(_SC_CLK_TCK));
  s.cpu_seconds = (std::stod(fields[11]) + std::stod(fields[12])) / ticks;  // utime, stime
  std::ifstream status(fmt::format("/proc/{}/status", pid));
  for (std::string line; std::getline(status, line);) {
    if (line.rfind("VmRSS:", 0) == 0) s.rss_mib = std::stod(line.substr(6)) / 1024;
    if (line.rfind("VmHWM:", 0) == 0) s.hwm_mib = std::stod(line.substr(6)) / 1024;
  }
  return s;
}

std::atomic<bool> g_stop{false};

// --child: the sync alone; prints "synced" once the first full sync is done.
int child(const std::string& source, const std::string& dest, const std::string& ns, int types) {
  std::signal(SIGTERM, [](int) { g_stop = true; });
  ContinuousOptions o;
  for (int t = 0; t < types; ++t)
    o.sync.include_types.push_back(fmt::format("widgets{}.{}", t, kGroup));
  o.sync.cluster_resources = false;
  ContinuousSync sync(Cluster::from_kubeconfig(source), ns, Cluster::from_kubeconfig(dest),
                      ns + "-dr", o);
  std::printf("started\n");
  std::fflush(stdout);
  std::this_thread::sleep_for(500ms);  // the parent samples the RSS before the sync
  std::thread runner([&] { sync.run(); });
  while (sync.stats().state != "syncing") std::this_thread::sleep_for(50ms);
  std::printf("synced\n");
  std::fflush(stdout);
  while (!g_stop) std::this_thread::sleep_for(50ms);
  if (std::getenv("DRSYNC_BENCH_MALLOC_STATS")) malloc_stats();  // in use vs. kept free, per arena
  sync.cancel();
  runner.join();
  std::printf("writes %llu\n", static_cast<unsigned long long>(sync.stats().updated));
  return 0;
}

}  // namespace

namespace {

struct Args {
  std::string source, dest;
  int objects = 10000, types = 20, idle = 30, rate = 200, load = 20;
};

pid_t spawn_child(const char* self, const Args& a, const std::string& ns, FILE** out) {
  int fds[2];
  if (pipe(fds) != 0) throw std::runtime_error("pipe");
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, fds[1], 1);
  posix_spawn_file_actions_addclose(&actions, fds[0]);
  std::string types = std::to_string(a.types);
  const char* argv[] = {self,   "--child",  "--source", a.source.c_str(), "--dest", a.dest.c_str(),
                        "--ns", ns.c_str(), "--types",  types.c_str(),    nullptr};
  pid_t pid = 0;
  if (posix_spawn(&pid, self, &actions, nullptr, const_cast<char**>(argv), environ) != 0) {
    throw std::runtime_error("posix_spawn");
  }
  close(fds[1]);
  *out = fdopen(fds[0], "r");
  return pid;
}

std::string read_line(FILE* f) {
  char buf[256] = {};
  if (!std::fgets(buf, sizeof buf, f)) throw std::runtime_error("the sync child ended early");
  return buf;
}

void send_load(const Cluster& src, const std::string& ns, const Args& a) {
  std::vector<std::future<Response>> sent;
  const auto started = Clock::now();
  const int changes = a.rate * a.load;
  for (int c = 0; c < changes; ++c) {
    std::this_thread::sleep_until(started + c * std::chrono::microseconds(1000000 / a.rate));
    int i = (c * 7919) % a.objects;
    sent.push_back(src.request(Verb::Patch)
                       .resource(type_info(i % a.types))
                       .in_namespace(ns)
                       .name(fmt::format("w-{}", i))
                       .patch(PatchType::Merge, fmt::format(R"({{"spec":{{"size":{}}}}})", c))
                       .start());
  }
  for (auto& f : sent) Cluster::check(f.get(), "patch widget");
}

int parent(const char* self, const Args& a) {
  Cluster src = Cluster::from_kubeconfig(a.source), dst = Cluster::from_kubeconfig(a.dest);
  ensure_crds(src, a.types);
  ensure_crds(dst, a.types);
  const std::string ns = fmt::format("bench-idle-{}", getpid());
  Object n = Object::parse(R"({"apiVersion":"v1","kind":"Namespace","metadata":{}})");
  n.set_name(ns);
  src.create(kNamespaces, "", n);
  fill(src, ns, a.objects, a.types);
  const double bytes = json_bytes(src, ns, a.types);

  FILE* out = nullptr;
  pid_t pid = spawn_child(self, a, ns, &out);
  read_line(out);
  Sample before = sample(pid);
  const auto t_start = Clock::now();
  read_line(out);
  double first_sync = std::chrono::duration<double>(Clock::now() - t_start).count();
  Sample s0 = sample(pid);
  std::this_thread::sleep_for(std::chrono::seconds(a.idle));
  Sample s1 = sample(pid);
  send_load(src, ns, a);
  std::this_thread::sleep_for(2s);  // the last debounced writes
  Sample s2 = sample(pid);
  kill(pid, SIGTERM);
  std::string writes = read_line(out);
  waitpid(pid, nullptr, 0);
  src.remove(kNamespaces, "", ns);
  dst.remove(kNamespaces, "", ns + "-dr");

  double json_mib = bytes / 1048576.0;
  fmt::print("| measurement | value |\n| --- | --- |\n");
  fmt::print("| watched objects | {} over {} types, {:.1f} MiB of JSON |\n", a.objects, a.types,
             json_mib);
  fmt::print("| first full sync (to watching) | {:.1f} s |\n", first_sync);
  fmt::print("| RSS before the sync (libraries, clusters) | {:.1f} MiB |\n", before.rss_mib);
  fmt::print("| RSS after the first sync | {:.1f} MiB; growth {:.1f} MiB = {:.2f}x the JSON |\n",
             s0.rss_mib, s0.rss_mib - before.rss_mib, (s0.rss_mib - before.rss_mib) / json_mib);
  fmt::print("| idle: CPU over {} s | {:.3f} s ({:.2f}% of one core) |\n", a.idle,
             s1.cpu_seconds - s0.cpu_seconds, 100 * (s1.cpu_seconds - s0.cpu_seconds) / a.idle);
  fmt::print("| idle: RSS at the end | {:.1f} MiB |\n", s1.rss_mib);
  double load_s = a.load + 2.0;
  fmt::print("| load: {} changes/s for {} s, CPU | {:.2f} s ({:.1f}% of one core; {}) |\n", a.rate,
             a.load, s2.cpu_seconds - s1.cpu_seconds,
             100 * (s2.cpu_seconds - s1.cpu_seconds) / load_s, writes.substr(0, writes.size() - 1));
  fmt::print("| RSS at the end of the load | {:.1f} MiB; growth {:.2f}x the JSON |\n", s2.rss_mib,
             (s2.rss_mib - before.rss_mib) / json_mib);
  fmt::print("| peak RSS (the first sync included) | {:.1f} MiB; growth {:.2f}x the JSON |\n",
             s2.hwm_mib, (s2.hwm_mib - before.rss_mib) / json_mib);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  Args a;
  std::string ns;
  bool is_child = argc > 1 && !std::strcmp(argv[1], "--child");
  for (int i = is_child ? 2 : 1; i + 1 < argc; i += 2) {
    std::string k = argv[i], v = argv[i + 1];
    if (k == "--source")
      a.source = v;
    else if (k == "--dest")
      a.dest = v;
    else if (k == "--ns")
      ns = v;
    else if (k == "--objects")
      a.objects = std::stoi(v);
    else if (k == "--types")
      a.types = std::stoi(v);
    else if (k == "--idle")
      a.idle = std::stoi(v);
    else if (k == "--rate")
      a.rate = std::stoi(v);
    else if (k == "--load")
      a.load = std::stoi(v);
  }
  if (a.source.empty() || a.dest.empty() || a.objects < 1 || a.types < 1 || a.rate < 1) {
    std::fprintf(stderr,
                 "usage: %s --source KUBECONFIG --dest KUBECONFIG [--objects 10000] [--types 20] "
                 "[--idle 30] [--rate 200] [--load 20]\n",
                 argv[0]);
    return 2;
  }
  try {
    if (is_child) return child(a.source, a.dest, ns, a.types);
    return parent("/proc/self/exe", a);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench_watch_idle: %s\n", e.what());
    return 1;
  }
}
