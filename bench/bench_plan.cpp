// DR plan benchmark against real clusters (docs/BENCHMARKS.md, "DR plans"):
//   bench_plan --source KUBECONFIG --dest KUBECONFIG [--namespaces 100] [--objects 100]
//              [--deployments 2] [--parallel 8]
// 1. First Stage of a plan of NAMESPACES namespaces x OBJECTS ConfigMaps (run_plan) vs the
//    first Stage of one namespace holding the same NAMESPACES*OBJECTS ConfigMaps.
// 2. Cutover of a plan of NAMESPACES namespaces x DEPLOYMENTS Deployments: run_plan (pairs
//    together, in phases) vs the same Cutover one pair after another (what the CLI did before),
//    with the recovery time (start -> every destination ready).
#include <fmt/format.h>
#include <drsync/cluster.hpp>
#include <drsync/error.hpp>
#include <drsync/plan.hpp>

#include <unistd.h>

#include <chrono>
#include <cstring>
#include <future>
#include <iostream>

using namespace drsync;
using Clock = std::chrono::steady_clock;

namespace {

struct Args {
  std::string source, dest;
  int namespaces = 100, objects = 100, deployments = 2;
  std::size_t parallel = 8;
};

double seconds_since(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

std::string prefix() {
  return "bench-plan-" + std::to_string(getpid());
}

void create_namespace(const Cluster& c, const std::string& ns) {
  Object o = Object::parse(R"({"apiVersion":"v1","kind":"Namespace","metadata":{}})");
  o.set_name(ns);
  c.create(c.resolve("namespaces"), "", o);
}

// `count` objects named NAME-i from `body(name)`, all in flight at once.
void create_many(const Cluster& c, const std::string& resource, const std::string& ns, int count,
                 const std::function<std::string(const std::string&)>& body) {
  auto type = c.resolve(resource);
  std::vector<std::future<Response>> inflight;
  for (int i = 0; i < count; ++i) {
    Request req;
    req.method = Method::Post;
    req.path = Cluster::path_for(type, ns);
    req.body = body("obj-" + std::to_string(i));
    inflight.push_back(c.send_async(std::move(req)));
  }
  for (auto& f : inflight) Cluster::check(f.get(), "create");
}

std::string config_map(const std::string& name) {
  return R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":")" + name +
         R"("},"data":{"payload":")" + std::string(1024, 'x') + R"("}})";
}

std::string deployment(const std::string& name) {
  return R"({"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":")" + name +
         R"("},"spec":{"replicas":1,"selector":{"matchLabels":{"app":")" + name +
         R"("}},"template":{"metadata":{"labels":{"app":")" + name +
         R"("}},"spec":{"containers":[{"name":"c","image":"nginx:1.25"}]}}}})";
}

MigrationOptions options() {
  MigrationOptions o;
  o.poll_interval = std::chrono::milliseconds(200);
  o.wait_timeout = std::chrono::seconds(900);
  o.gone_timeout = std::chrono::seconds(900);
  return o;
}

// Namespaces "<prefix>-<tag>-<i>" on the source, each with `count` objects of `body`.
std::vector<PlanNamespace> make_pairs(const Cluster& source, const std::string& tag, int n,
                                      const std::string& resource, int count,
                                      const std::function<std::string(const std::string&)>& body) {
  std::vector<PlanNamespace> pairs;
  for (int i = 0; i < n; ++i) {
    std::string ns = prefix() + "-" + tag + "-" + std::to_string(i);
    create_namespace(source, ns);
    create_many(source, resource, ns, count, body);
    pairs.push_back(PlanNamespace{ns, ns, options()});
  }
  return pairs;
}

void remove_all(const Cluster& source, const Cluster& dest, const std::vector<PlanNamespace>& p) {
  for (const auto& pair : p) {
    for (const Cluster* c : {&source, &dest}) {
      try {
        c->remove(c->resolve("namespaces"), "", pair.source);
      } catch (const Error&) {
      }
    }
  }
}

PlanReport must(PlanReport r) {
  if (!r.ok) {
    std::cerr << r.to_markdown();
    throw Error(Errc::internal, "the plan run failed");
  }
  return r;
}

void stage_ratio(const Cluster& source, const Cluster& dest, const Args& a) {
  auto one = make_pairs(source, "one", 1, "configmaps", a.namespaces * a.objects, config_map);
  auto many = make_pairs(source, "many", a.namespaces, "configmaps", a.objects, config_map);
  PlanRunOptions run;
  run.parallelism = a.parallel;
  // Requests of each run, both clusters (what the server spends its time on).
  auto requests = [&](const RequestStats& s0, const RequestStats& d0) {
    RequestStats s = source.stats() - s0, d = dest.stats() - d0;
    return fmt::format("{} LISTs, {} GETs, {} writes, {} discovery", s.list + d.list, s.get + d.get,
                       s.writes() + d.writes(), s.discovery + d.discovery);
  };
  RequestStats s0 = source.stats(), d0 = dest.stats();
  auto t = Clock::now();
  must(run_plan(source, dest, one, Mode::Stage, run));
  const double single = seconds_since(t);
  const std::string single_requests = requests(s0, d0);
  s0 = source.stats();
  d0 = dest.stats();
  t = Clock::now();
  must(run_plan(source, dest, many, Mode::Stage, run));
  const double plan = seconds_since(t);
  const std::string plan_requests = requests(s0, d0);
  const int total = a.namespaces * a.objects;
  std::cout << "| first Stage, one namespace of " << total << " ConfigMaps | " << single
            << " s |\n| first Stage, plan of " << a.namespaces << " x " << a.objects
            << " ConfigMaps (" << a.parallel << " at a time) | " << plan << " s |\n"
            << "| plan / one namespace | " << plan / single << " |\n"
            << "| requests, one namespace | " << single_requests << " |\n"
            << "| requests, plan | " << plan_requests << " |\n";
  remove_all(source, dest, one);
  remove_all(source, dest, many);
}

double one_after_another(const Cluster& source, const Cluster& dest,
                         const std::vector<PlanNamespace>& pairs, Mode mode) {
  auto t = Clock::now();
  for (const auto& p : pairs) {
    Migration m(source, p.source, dest, p.destination, p.options);
    if (!m.run(mode).ok) throw Error(Errc::internal, "a sequential run failed");
  }
  return seconds_since(t);
}

void cutover_rto(const Cluster& source, const Cluster& dest, const Args& a) {
  auto pairs = make_pairs(source, "cut", a.namespaces, "deployments", a.deployments, deployment);
  PlanRunOptions run;
  run.parallelism = a.parallel;
  for (const auto& p : pairs)
    Migration(source, p.source, dest, p.source, options()).wait_ready(Side::Source);
  must(run_plan(source, dest, pairs, Mode::Stage, run));
  PlanReport cut = must(run_plan(source, dest, pairs, Mode::Cutover, run));
  // The baseline: the same Cutover back and forth one pair at a time, as the CLI did before.
  must(run_plan(source, dest, pairs, Mode::Failback, run));
  const double sequential = one_after_another(source, dest, pairs, Mode::Cutover);
  std::cout << "| Cutover, plan of " << a.namespaces << " x " << a.deployments
            << " Deployments (run_plan, " << a.parallel << " at a time) | " << cut.seconds
            << " s (every destination ready after " << cut.ready_seconds << " s) |\n"
            << "| the same Cutover one pair after another | " << sequential << " s |\n"
            << "| run_plan / one after another | " << cut.seconds / sequential << " |\n";
  remove_all(source, dest, pairs);
}

Args parse(int argc, char** argv) {
  Args a;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string f = argv[i], v = argv[i + 1];
    if (f == "--source") a.source = v;
    if (f == "--dest") a.dest = v;
    if (f == "--namespaces") a.namespaces = std::stoi(v);
    if (f == "--objects") a.objects = std::stoi(v);
    if (f == "--deployments") a.deployments = std::stoi(v);
    if (f == "--parallel") a.parallel = static_cast<std::size_t>(std::stoi(v));
  }
  return a;
}

}  // namespace

int main(int argc, char** argv) {
  Args a = parse(argc, argv);
  if (a.source.empty() || a.dest.empty()) {
    std::cerr << "usage: bench_plan --source KUBECONFIG --dest KUBECONFIG [--namespaces 100] "
                 "[--objects 100] [--deployments 2] [--parallel 8]\n";
    return 2;
  }
  try {
    Cluster source = Cluster::from_kubeconfig(a.source);
    Cluster dest = Cluster::from_kubeconfig(a.dest);
    std::cout << "| measurement | value |\n| --- | --- |\n";
    stage_ratio(source, dest, a);
    cutover_rto(source, dest, a);
    return 0;
  } catch (const Error& e) {
    std::cerr << "error: " << e.what() << "\n";
    return 1;
  }
}
