// Big namespaces against real clusters (docs/BENCHMARKS.md, "Big namespaces"):
//   bench_scale --source KUBECONFIG --dest KUBECONFIG [--sizes 2000,5000,20000]
//               [--kubectl PATH] [--baseline-size 2000]
// For each size N, a source namespace of N mixed objects (per 100: 60 ConfigMaps of ~1 KiB, 1 of
// 100 KiB, 20 Secrets, 10 Services, 9 Deployments at 0 replicas), then, each in a child process
// of its own (so its peak RSS is the sync's, not the generator's): the first Stage
// (NamespaceSync::run), and a no-op re-Stage. Prints time, time per object, the peak RSS
// (VmHWM) and its growth over the child's start, and the growth per byte of the namespace's JSON.
// A Stage of an empty namespace first measures the growth every sync has whatever its size (TLS,
// HTTP/2, discovery, threads); the last column is the growth above it, per object.
// With --kubectl, the baseline users compare first: kubectl get -o json | strip | kubectl apply
// --server-side into another namespace, over the --baseline-size namespace.
#include <drsync/cluster.hpp>
#include <drsync/error.hpp>
#include <drsync/sync.hpp>

#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <future>
#include <iostream>
#include <sstream>

using namespace drsync;
using Clock = std::chrono::steady_clock;

namespace {

const char* const kTypes[] = {"configmaps", "secrets", "services", "deployments.apps"};

double seconds_since(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

// A /proc/self/status figure in KiB ("VmHWM", "VmRSS").
long status_kib(const std::string& key) {
  std::ifstream f("/proc/self/status");
  std::string line;
  while (std::getline(f, line)) {
    if (line.rfind(key + ":", 0) == 0) return std::stol(line.substr(key.size() + 1));
  }
  return -1;
}

std::string body_of(int i) {
  const std::string name = "obj-" + std::to_string(i);
  const int slot = i % 100;
  if (slot < 60 || slot == 99) {
    std::string payload(slot == 99 ? 100 * 1024 : 800 + (i * 37) % 600, 'x');
    return R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":")" + name +
           R"(","labels":{"app":"bench","tier":"t)" + std::to_string(i % 7) +
           R"("}},"data":{"payload":")" + payload + R"("}})";
  }
  if (slot < 80)
    return R"({"apiVersion":"v1","kind":"Secret","metadata":{"name":")" + name +
           R"("},"type":"Opaque","data":{"token":")" + std::string(512, 'A') + R"("}})";
  if (slot < 90)
    return R"({"apiVersion":"v1","kind":"Service","metadata":{"name":")" + name +
           R"("},"spec":{"selector":{"app":")" + name + R"("},"ports":[{"port":80}]}})";
  return R"({"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":")" + name +
         R"("},"spec":{"replicas":0,"selector":{"matchLabels":{"app":")" + name +
         R"("}},"template":{"metadata":{"labels":{"app":")" + name +
         R"("}},"spec":{"containers":[{"name":"c","image":"nginx:1.25","env":[{"name":"A","value":"1"}]}]}}}})";
}

const char* resource_of(int i) {
  const int slot = i % 100;
  if (slot < 60 || slot == 99) return "configmaps";
  if (slot < 80) return "secrets";
  if (slot < 90) return "services";
  return "deployments.apps";
}

void create_namespace(const Cluster& c, const std::string& ns) {
  Object o = Object::parse(R"({"apiVersion":"v1","kind":"Namespace","metadata":{}})");
  o.set_name(ns);
  c.create(c.resolve("namespaces"), "", o);
}

// N objects, at most 500 in flight.
void fill(const Cluster& c, const std::string& ns, int n) {
  create_namespace(c, ns);
  std::vector<std::future<Response>> inflight;
  for (int i = 0; i < n; ++i) {
    Request req;
    req.method = Method::Post;
    req.path = Cluster::path_for(c.resolve(resource_of(i)), ns);
    req.body = body_of(i);
    inflight.push_back(c.send_async(std::move(req)));
    if (inflight.size() == 500 || i + 1 == n) {
      for (auto& f : inflight) Cluster::check(f.get(), "create");
      inflight.clear();
    }
  }
}

// The namespace's objects as the API server lists them, in bytes of JSON.
std::size_t json_bytes(const Cluster& c, const std::string& ns) {
  std::size_t bytes = 0;
  for (const char* t : kTypes)
    for (const auto& o : c.list(c.resolve(t), ns).items) bytes += o.to_json().size();
  return bytes;
}

// Deletes the namespace and waits until it is gone (10 min at most): the namespace controller's
// deletion of thousands of objects would otherwise load the server during the next size's runs.
void remove_namespace(const Cluster& c, const std::string& ns) {
  try {
    c.remove(c.resolve("namespaces"), "", ns);
  } catch (const Error&) {
    return;
  }
  for (int i = 0; i < 1200 && c.try_get(c.resolve("namespaces"), "", ns); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
  }
}

// Child: one sync; prints "seconds writes start_kib peak_kib".
int child_sync(const std::string& src_cfg, const std::string& dst_cfg, const std::string& ns) {
  const long start_kib = status_kib("VmRSS");
  Cluster source = Cluster::from_kubeconfig(src_cfg);
  Cluster dest = Cluster::from_kubeconfig(dst_cfg);
  SyncOptions o;
  o.include_types = {"configmaps", "secrets", "services", "deployments.apps"};
  auto t = Clock::now();
  SyncResult r = NamespaceSync(source, ns, dest, ns + "-dr", o).run();
  const double secs = seconds_since(t);
  if (!r.ok()) {
    std::cerr << "sync failed: " << r.errors.front() << "\n";
    return 1;
  }
  std::cout << secs << " " << r.count(Action::Create) + r.count(Action::Update) << " " << start_kib
            << " " << status_kib("VmHWM") << std::endl;
  return 0;
}

struct Run {
  double seconds = 0;
  long writes = 0, start_kib = 0, peak_kib = 0;
};

Run run_child(const char* self, const std::string& src_cfg, const std::string& dst_cfg,
              const std::string& ns) {
  int fds[2];
  if (pipe(fds) != 0) throw Error(Errc::internal, "pipe");
  pid_t pid = fork();
  if (pid == 0) {
    dup2(fds[1], 1);
    close(fds[0]);
    execl(self, self, "--child", src_cfg.c_str(), dst_cfg.c_str(), ns.c_str(),
          static_cast<char*>(nullptr));
    _exit(127);
  }
  close(fds[1]);
  std::string out;
  char buf[256];
  for (ssize_t n; (n = read(fds[0], buf, sizeof buf)) > 0;) out.append(buf, n);
  close(fds[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
    throw Error(Errc::internal, "the sync child failed");
  Run r;
  std::istringstream(out) >> r.seconds >> r.writes >> r.start_kib >> r.peak_kib;
  return r;
}

// `fixed_kib`: the growth of a Stage of an empty namespace.
void row(const std::string& what, int n, const Run& r, std::size_t json, long fixed_kib) {
  const double growth = (r.peak_kib - r.start_kib) * 1024.0;
  const double above = (r.peak_kib - r.start_kib - fixed_kib) * 1024.0;
  std::printf(
      "| %d | %s | %.2f s | %.0f us | %ld | %.1f MiB | %.1f MiB | %.1f MiB | %.2f | %.2f KiB |\n",
      n, what.c_str(), r.seconds, r.seconds * 1e6 / n, r.writes, json / 1048576.0,
      r.peak_kib / 1024.0, growth / 1048576.0, growth / static_cast<double>(json),
      above / 1024.0 / n);
}

// kubectl get | strip | kubectl apply --server-side: the pipeline users compare first.
double kubectl_baseline(const std::string& kubectl, const std::string& src_cfg,
                        const std::string& dst_cfg, const std::string& ns) {
  const std::string strip =
      "import json,sys; d=json.load(sys.stdin); "
      "[ [i['metadata'].pop(k,None) for k in ('uid','resourceVersion','creationTimestamp',"
      "'managedFields','generation','annotations')] + [i.pop('status',None)] + "
      "[i['metadata'].__setitem__('namespace','" +
      ns +
      "-kubectl')] + ([i['spec'].pop(k,None) for k in ('clusterIP','clusterIPs')] "
      "if i['kind']=='Service' else []) for i in d['items']]; json.dump(d,sys.stdout)";
  const std::string cmd =
      kubectl + " --kubeconfig " + dst_cfg + " create namespace " + ns + "-kubectl >/dev/null && " +
      kubectl + " --kubeconfig " + src_cfg + " get configmaps,secrets,services,deployments -n " +
      ns + " -o json | python3 -c \"" + strip + "\" | " + kubectl + " --kubeconfig " + dst_cfg +
      " apply --server-side --force-conflicts -f - >/dev/null";
  auto t = Clock::now();
  if (std::system(cmd.c_str()) != 0) throw Error(Errc::internal, "the kubectl pipeline failed");
  return seconds_since(t);
}

std::vector<int> parse_sizes(const std::string& text) {
  std::vector<int> out;
  std::stringstream ss(text);
  for (std::string item; std::getline(ss, item, ',');) out.push_back(std::stoi(item));
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc == 5 && std::string(argv[1]) == "--child") return child_sync(argv[2], argv[3], argv[4]);
  std::string src_cfg, dst_cfg, kubectl, sizes = "2000,5000,20000";
  int baseline = 2000;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string f = argv[i], v = argv[i + 1];
    if (f == "--source") src_cfg = v;
    if (f == "--dest") dst_cfg = v;
    if (f == "--sizes") sizes = v;
    if (f == "--kubectl") kubectl = v;
    if (f == "--baseline-size") baseline = std::stoi(v);
  }
  if (src_cfg.empty() || dst_cfg.empty()) {
    std::cerr << "usage: bench_scale --source KUBECONFIG --dest KUBECONFIG [--sizes 2000,5000,"
                 "20000] [--kubectl PATH] [--baseline-size 2000]\n";
    return 2;
  }
  try {
    Cluster source = Cluster::from_kubeconfig(src_cfg);
    Cluster dest = Cluster::from_kubeconfig(dst_cfg);
    const std::string empty = "bench-scale-" + std::to_string(getpid()) + "-empty";
    create_namespace(source, empty);
    const Run e = run_child(argv[0], src_cfg, dst_cfg, empty);
    const long fixed_kib = e.peak_kib - e.start_kib;
    remove_namespace(source, empty);
    remove_namespace(dest, empty + "-dr");
    std::printf("Stage of an empty namespace: RSS growth %.1f MiB (peak %.1f MiB)\n\n",
                fixed_kib / 1024.0, e.peak_kib / 1024.0);
    std::printf(
        "| objects | run | time | per object | writes | namespace JSON | peak RSS | RSS growth "
        "| growth / JSON | growth above an empty namespace's, per object |\n"
        "| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n");
    for (int n : parse_sizes(sizes)) {
      const std::string ns = "bench-scale-" + std::to_string(getpid()) + "-" + std::to_string(n);
      fill(source, ns, n);
      const std::size_t json = json_bytes(source, ns);
      row("first Stage", n, run_child(argv[0], src_cfg, dst_cfg, ns), json, fixed_kib);
      row("no-op re-Stage", n, run_child(argv[0], src_cfg, dst_cfg, ns), json, fixed_kib);
      if (!kubectl.empty() && n == baseline) {
        const double k = kubectl_baseline(kubectl, src_cfg, dst_cfg, ns);
        std::printf("| %d | kubectl get \\| apply --server-side | %.2f s | %.0f us | | | | | | |\n",
                    n, k, k * 1e6 / n);
        remove_namespace(dest, ns + "-kubectl");
      }
      remove_namespace(source, ns);
      remove_namespace(dest, ns + "-dr");
    }
    return 0;
  } catch (const Error& e) {
    std::cerr << "error: " << e.what() << "\n";
    return 1;
  }
}
