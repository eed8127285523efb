// NamespaceSync benchmark against real clusters:
//   bench_sync --source KUBECONFIG --dest KUBECONFIG [--objects 2000]
// Generates a namespace of ConfigMaps, Secrets, Services and Deployments on the source, then
// measures (1) a sequential GET-then-create copier, (2) the API server's raw parallel create rate
// for the same objects, (3) NamespaceSync's first sync into an empty destination namespace, and
// (4) a no-op re-sync, printing a Markdown table.
#include <drsync/cluster.hpp>
#include <drsync/error.hpp>
#include <drsync/sync.hpp>

#include <unistd.h>
#include <chrono>
#include <cstring>
#include <future>
#include <iostream>
#include <string>
#include <vector>

using namespace drsync;
using Clock = std::chrono::steady_clock;

namespace {

double seconds_since(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

Object make(int kind, int i) {
  std::string n = std::to_string(i);
  switch (kind) {
    case 0:
      return Object::parse(R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"cm-)" + n +
                           R"(","labels":{"app":"bench"}},"data":{"key":"value-)" + n +
                           R"(","config.yaml":"a: 1\nb: 2\nc: [1,2,3]\n"}})");
    case 1:
      return Object::parse(R"({"apiVersion":"v1","kind":"Secret","metadata":{"name":"secret-)" + n +
                           R"("},"type":"Opaque","data":{"password":"cGFzc3dvcmQ="}})");
    case 2:
      return Object::parse(R"({"apiVersion":"v1","kind":"Service","metadata":{"name":"svc-)" + n +
                           R"("},"spec":{"selector":{"app":"a)" + n +
                           R"("},"ports":[{"port":80,"targetPort":8080}]}})");
    default:
      return Object::parse(
          R"({"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"deploy-)" + n +
          R"("},"spec":{"replicas":0,"selector":{"matchLabels":{"app":"a)" + n +
          R"("}},"template":{"metadata":{"labels":{"app":"a)" + n +
          R"("}},"spec":{"containers":[{"name":"c","image":"nginx:1.25","ports":[{"containerPort":80}]}]}}}})");
  }
}

const char* kTypes[] = {"configmaps", "secrets", "services", "deployments"};

void make_namespace(const Cluster& c, const std::string& ns) {
  Object o = Object::parse(R"({"apiVersion":"v1","kind":"Namespace","metadata":{}})");
  o.set_name(ns);
  c.create(c.resolve("namespaces"), "", o);
}

// Creates every object with up to `window` requests in flight; returns seconds.
double parallel_create(const Cluster& c, const std::string& ns, int count) {
  auto t = Clock::now();
  std::vector<std::future<Response>> inflight;
  for (int i = 0; i < count; ++i) {
    int kind = i % 4;
    Request req;
    req.method = Method::Post;
    req.path = Cluster::path_for(c.resolve(kTypes[kind]), ns);
    req.body = make(kind, i).to_json();
    inflight.push_back(c.send_async(std::move(req)));
  }
  for (auto& f : inflight) Cluster::check(f.get(), "create");
  return seconds_since(t);
}

}  // namespace

int main(int argc, char** argv) {
  std::string source_path, dest_path;
  int objects = 2000;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--source"))
      source_path = argv[i + 1];
    else if (!std::strcmp(argv[i], "--dest"))
      dest_path = argv[i + 1];
    else if (!std::strcmp(argv[i], "--objects"))
      objects = std::stoi(argv[i + 1]);
  }
  if (source_path.empty() || dest_path.empty()) {
    std::cerr << "usage: bench_sync --source KUBECONFIG --dest KUBECONFIG [--objects N]\n";
    return 2;
  }
  try {
    Cluster source = Cluster::from_kubeconfig(source_path);
    Cluster dest = Cluster::from_kubeconfig(dest_path);
    std::string tag = std::to_string(getpid());
    std::string src_ns = "bench-sync-" + tag, raw_ns = "bench-raw-" + tag,
                seq_ns = "bench-seq-" + tag, dst_ns = "bench-dst-" + tag;
    make_namespace(source, src_ns);
    std::cerr << "generating " << objects << " objects in source namespace " << src_ns << "\n";
    parallel_create(source, src_ns, objects);

    // (1) sequential GET-then-create copier (what a naive tool does), stripped minimally.
    make_namespace(dest, seq_ns);
    auto t = Clock::now();
    for (const char* type : kTypes) {
      auto r = source.resolve(type);
      for (auto& item : source.list(r, src_ns).items) {
        if (item.name() == "default" || item.name() == "kube-root-ca.crt") continue;
        if (dest.try_get(r, seq_ns, item.name())) continue;
        Object copy = item.clone();
        copy.json().RemoveMember("status");
        auto& meta = copy.metadata();
        for (const char* f :
             {"uid", "resourceVersion", "creationTimestamp", "managedFields", "generation"})
          meta.RemoveMember(f);
        meta.RemoveMember("namespace");
        if (copy.kind() == "Service") {
          copy.find("/spec")->RemoveMember("clusterIP");
          copy.find("/spec")->RemoveMember("clusterIPs");
        }
        dest.create(r, seq_ns, copy);
      }
    }
    double sequential = seconds_since(t);

    // (2) raw parallel create rate of the same objects.
    make_namespace(dest, raw_ns);
    double raw = parallel_create(dest, raw_ns, objects);

    // (3) first sync into an empty namespace, (4) no-op re-sync.
    NamespaceSync sync(source, src_ns, dest, dst_ns);
    t = Clock::now();
    SyncResult first = sync.run();
    double first_s = seconds_since(t);
    if (!first.ok()) {
      std::cerr << first.to_json() << "\n";
      return 1;
    }
    t = Clock::now();
    SyncResult noop = sync.run();
    double noop_s = seconds_since(t);

    std::cout << "| measurement (" << objects
              << " objects: ConfigMaps, Secrets, Services, Deployments) | seconds | objects/s | "
                 "requests |\n";
    std::cout << "| --- | --- | --- | --- |\n";
    std::cout << "| sequential GET-then-create copier | " << sequential << " | "
              << objects / sequential << " | ~" << 2 * objects << " |\n";
    std::cout << "| raw parallel create (API server rate) | " << raw << " | " << objects / raw
              << " | " << objects << " |\n";
    std::cout << "| NamespaceSync first sync | " << first_s << " | " << objects / first_s << " | "
              << first.dest_requests.total() + first.source_requests.total() << " ("
              << first.dest_requests.writes() << " writes) |\n";
    std::cout << "| NamespaceSync no-op re-sync | " << noop_s << " | " << objects / noop_s << " | "
              << noop.dest_requests.total() + noop.source_requests.total() << " ("
              << noop.source_requests.list + noop.dest_requests.list << " LISTs, "
              << noop.dest_requests.writes() << " writes) |\n";
    std::cout << "\nfirst sync vs sequential copier: " << sequential / first_s
              << "x; vs raw parallel create: " << raw / first_s << "x\n";
    auto namespaces = source.resolve("namespaces");
    source.remove(namespaces, "", src_ns);
    for (const auto& ns : {raw_ns, seq_ns, dst_ns}) dest.remove(namespaces, "", ns);
    return noop.dest_requests.writes() == 0 ? 0 : 1;
  } catch (const Error& e) {
    std::cerr << "error: " << e.what() << "\n";
    return 1;
  }
}
