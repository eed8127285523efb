// REST client benchmark against a real cluster:
//   bench_rest --kubeconfig PATH [--namespace NS] [--count 400] [--list-count 5000]
//              [--server-pids PID,PID,...]
// Measures, in a namespace of its own (created, then deleted):
//   1. create throughput (ConfigMaps) with 1, 4, 16 and 64 requests in flight (send_async),
//   2. GET throughput of the same objects at the same concurrencies,
//   3. LIST of --list-count ConfigMaps: Cluster::list wall time (paged by 500, and unpaged) and
//      the client CPU time spent parsing the response (CLOCK_PROCESS_CPUTIME_ID around parsing
//      only, with no request in flight),
// and prints the results as Markdown tables. With --server-pids (the API server's and etcd's
// processes, when they run on this machine) it also reports the CPU they used per request, which
// tells a saturated server from a slow client.
#include <rapidjson/document.h>
#include <time.h>
#include <unistd.h>
#include <drsync/cluster.hpp>
#include <drsync/error.hpp>
#include <drsync/object.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <functional>
#include <future>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

using namespace drsync;
using Clock = std::chrono::steady_clock;

namespace {

double seconds_since(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

double cpu_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0.0 : v[v.size() / 2];
}

// A ConfigMap of a realistic small size (~0.5 KiB of data).
std::string configmap_json(const std::string& name, const std::string& label) {
  return R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":")" + name +
         R"(","labels":{"app":"bench-rest","set":")" + label +
         R"("},"annotations":{"owner":"team-platform"}},"data":{"key":"value-)" + name +
         R"(","config.yaml":"server:\n  port: 8080\n  threads: 16\nlog:\n  level: info\n)"
         R"(  format: json\nfeatures:\n  - a\n  - b\n  - c\n","endpoint":"https://api.internal.example.com/v2/)" +
         name + R"("}})";
}

// CPU seconds (user + system) used so far by the processes `pids` (Linux /proc).
double server_cpu_seconds(const std::vector<int>& pids) {
  double total = 0;
  for (int pid : pids) {
    std::FILE* f = std::fopen(("/proc/" + std::to_string(pid) + "/stat").c_str(), "r");
    if (f == nullptr) throw Error(Errc::invalid_argument, "no process " + std::to_string(pid));
    char buf[4096] = {0};
    size_t n = std::fread(buf, 1, sizeof buf - 1, f);
    std::fclose(f);
    // Fields after the parenthesised command name: state is field 3, utime 14, stime 15.
    const char* p = std::strrchr(buf, ')');
    if (p == nullptr || n == 0) continue;
    unsigned long long utime = 0, stime = 0;
    std::sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", &utime, &stime);
    total += static_cast<double>(utime + stime) / static_cast<double>(sysconf(_SC_CLK_TCK));
  }
  return total;
}

struct Measure {
  double wall = 0, client_cpu = 0, server_cpu = 0;
};

// Sends every request with at most `window` in flight. Throws on a failure.
Measure run_window(const Cluster& c, std::vector<Request> requests, int window, long expect,
                   const std::vector<int>& server_pids) {
  double s0 = server_pids.empty() ? 0 : server_cpu_seconds(server_pids);
  double c0 = cpu_seconds();
  auto t0 = Clock::now();
  std::deque<std::future<Response>> in_flight;
  auto drain_one = [&] {
    Response r = in_flight.front().get();
    in_flight.pop_front();
    if (r.status != expect) Cluster::check(r, "benchmark request");
  };
  for (auto& req : requests) {
    if (static_cast<int>(in_flight.size()) >= window) drain_one();
    in_flight.push_back(c.send_async(std::move(req)));
  }
  while (!in_flight.empty()) drain_one();
  Measure m;
  m.wall = seconds_since(t0);
  m.client_cpu = cpu_seconds() - c0;
  m.server_cpu = server_pids.empty() ? 0 : server_cpu_seconds(server_pids) - s0;
  return m;
}

// Runs `f` and returns the process CPU seconds it took.
double cpu_of(const std::function<void()>& f) {
  double c0 = cpu_seconds();
  f();
  return cpu_seconds() - c0;
}

void usage() {
  std::cerr << "usage: bench_rest --kubeconfig PATH [--namespace NS] [--count N] "
               "[--list-count N] [--server-pids PID,PID,...]\n";
}

}  // namespace

int main(int argc, char** argv) {
  std::string kubeconfig;
  std::string ns = "drsync-bench-rest-" + std::to_string(getpid());
  int count = 400;
  int list_count = 5000;
  std::vector<int> server_pids;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) {
        usage();
        std::exit(2);
      }
      return argv[++i];
    };
    if (a == "--kubeconfig") {
      kubeconfig = value();
    } else if (a == "--namespace") {
      ns = value();
    } else if (a == "--count") {
      count = std::atoi(value().c_str());
    } else if (a == "--list-count") {
      list_count = std::atoi(value().c_str());
    } else if (a == "--server-pids") {
      std::string v = value();
      for (size_t pos = 0; pos < v.size();) {
        size_t comma = v.find(',', pos);
        if (comma == std::string::npos) comma = v.size();
        server_pids.push_back(std::atoi(v.substr(pos, comma - pos).c_str()));
        pos = comma + 1;
      }
    } else {
      usage();
      return 2;
    }
  }
  if (kubeconfig.empty() || count <= 0 || list_count <= 0) {
    usage();
    return 2;
  }

  try {
    Cluster c = Cluster::from_kubeconfig(kubeconfig);
    const ResourceInfo cm = c.resolve("configmaps");
    const ResourceInfo namespaces = c.resolve("namespaces");
    Object nso = Object::parse(R"({"apiVersion":"v1","kind":"Namespace","metadata":{}})");
    nso.set_name(ns);
    c.create(namespaces, "", nso);
    struct DeleteNamespace {
      const Cluster& c;
      const ResourceInfo& type;
      std::string name;
      ~DeleteNamespace() {
        try {
          c.remove(type, "", name);
        } catch (const Error& e) {
          std::cerr << "warning: could not delete namespace " << name << ": " << e.what() << "\n";
        }
      }
    } cleanup{c, namespaces, ns};

    std::cout << "# bench_rest\n\nserver " << c.server() << " (" << c.server_version()
              << "), namespace " << ns << ", " << count << " objects per run\n\n";

    const std::vector<int> windows = {1, 4, 16, 64};
    struct Row {
      int window;
      Measure create, get;
    };
    std::vector<Row> rows;
    for (int w : windows) {
      std::vector<Request> creates, gets;
      for (int i = 0; i < count; ++i) {
        std::string name = "c" + std::to_string(w) + "-" + std::to_string(i);
        Request post;
        post.method = Method::Post;
        post.verb = Verb::Create;
        post.path = Cluster::path_for(cm, ns);
        post.body = configmap_json(name, "w" + std::to_string(w));
        creates.push_back(std::move(post));
        Request get;
        get.verb = Verb::Get;
        get.path = Cluster::path_for(cm, ns, name);
        gets.push_back(std::move(get));
      }
      Measure create = run_window(c, std::move(creates), w, 201, server_pids);
      Measure get = run_window(c, std::move(gets), w, 200, server_pids);
      rows.push_back({w, create, get});
      std::cerr << "concurrency " << w << ": create " << create.wall << " s, get " << get.wall
                << " s\n";
    }
    for (bool creates : {true, false}) {
      const char* what = creates ? "creates" : "GETs";
      double sequential = count / (creates ? rows[0].create.wall : rows[0].get.wall);
      std::printf("| in flight | %s/s | vs sequential | client CPU per request |", what);
      if (!server_pids.empty()) std::printf(" server CPU per request | server cores busy |");
      std::printf("\n|---:|---:|---:|---:|%s\n", server_pids.empty() ? "" : "---:|---:|");
      for (const auto& r : rows) {
        const Measure& m = creates ? r.create : r.get;
        double rate = count / m.wall;
        std::printf("| %d | %.0f | %.1fx | %.0f us |", r.window, rate, rate / sequential,
                    m.client_cpu / count * 1e6);
        if (!server_pids.empty()) {
          std::printf(" %.0f us | %.2f |", m.server_cpu / count * 1e6, m.server_cpu / m.wall);
        }
        std::printf("\n");
      }
      std::printf("\n");
    }

    // LIST: list_count ConfigMaps labelled set=list.
    std::vector<Request> list_creates;
    for (int i = 0; i < list_count; ++i) {
      Request post;
      post.method = Method::Post;
      post.verb = Verb::Create;
      post.path = Cluster::path_for(cm, ns);
      post.body = configmap_json("l-" + std::to_string(i), "list");
      list_creates.push_back(std::move(post));
    }
    Measure fill = run_window(c, std::move(list_creates), 64, 201, server_pids);
    std::cerr << "created " << list_count << " ConfigMaps for LIST in " << fill.wall << " s\n";

    ListOptions paged;
    paged.label_selector = "set=list";
    paged.limit = 500;
    ListOptions unpaged = paged;
    unpaged.limit = 0;
    const int reps = 5;
    std::vector<double> paged_wall, paged_cpu, unpaged_wall, unpaged_cpu;
    size_t items = 0;
    int pages = 0;
    for (int rep = 0; rep < reps; ++rep) {
      for (bool page : {true, false}) {
        auto t0 = Clock::now();
        double c0 = cpu_seconds();
        ObjectList l = c.list(cm, ns, page ? paged : unpaged);
        double cpu = cpu_seconds() - c0;
        double wall = seconds_since(t0);
        if (static_cast<int>(l.items.size()) != list_count) {
          throw Error(Errc::internal, "LIST returned " + std::to_string(l.items.size()) +
                                          " items, expected " + std::to_string(list_count));
        }
        (page ? paged_wall : unpaged_wall).push_back(wall);
        (page ? paged_cpu : unpaged_cpu).push_back(cpu);
        if (page) {
          items = l.items.size();
          pages = l.pages;
        }
      }
    }

    // Parse CPU, isolated: fetch the raw body once, then time parsing only (nothing in flight).
    Request raw;
    raw.verb = Verb::List;
    raw.path = Cluster::path_for(cm, ns);
    raw.query = {{"labelSelector", "set=list"}};
    Response body = c.send(raw);
    Cluster::check(body, "raw LIST");
    std::vector<double> parse_object, parse_list_doc;
    for (int rep = 0; rep < reps; ++rep) {
      parse_object.push_back(cpu_of([&] {
        Object o = Object::parse(body.body);
        if (o.find("/items/0") == nullptr) throw Error(Errc::internal, "no items");
      }));
      // What Cluster::list does per page: a shared Document, one Object view per item.
      parse_list_doc.push_back(cpu_of([&] {
        auto doc = std::make_shared<rapidjson::Document>();
        doc->Parse(body.body.data(), body.body.size());
        std::vector<Object> views;
        auto& arr = (*doc)["items"];
        views.reserve(arr.Size());
        for (auto& item : arr.GetArray()) views.emplace_back(doc, &item);
        if (static_cast<int>(views.size()) != list_count) throw Error(Errc::internal, "count");
      }));
    }

    std::printf("| LIST of %zu ConfigMaps (%.1f MiB JSON) | median of %d |\n", items,
                static_cast<double>(body.body.size()) / (1024.0 * 1024.0), reps);
    std::printf("|---|---:|\n");
    std::printf("| Cluster::list, limit 500 (%d pages): wall | %.0f ms |\n", pages,
                median(paged_wall) * 1e3);
    std::printf("| Cluster::list, limit 500: client CPU (curl + TLS + parse) | %.0f ms |\n",
                median(paged_cpu) * 1e3);
    std::printf("| Cluster::list, unpaged: wall | %.0f ms |\n", median(unpaged_wall) * 1e3);
    std::printf("| Cluster::list, unpaged: client CPU (curl + TLS + parse) | %.0f ms |\n",
                median(unpaged_cpu) * 1e3);
    std::printf("| parse CPU only: Object::parse of the whole body | %.0f ms |\n",
                median(parse_object) * 1e3);
    std::printf("| parse CPU only: list Document + %d item views | %.0f ms |\n", list_count,
                median(parse_list_doc) * 1e3);

    RequestStats s = c.stats();
    std::printf("\nrequests: %llu creates, %llu GETs, %llu LISTs, %llu retries\n",
                static_cast<unsigned long long>(s.create), static_cast<unsigned long long>(s.get),
                static_cast<unsigned long long>(s.list),
                static_cast<unsigned long long>(s.retries));
    return 0;
  } catch (const Error& e) {
    std::cerr << "bench_rest: " << e.what() << "\n";
    return 1;
  }
}
