// One drsync::Cluster driven from 16 threads at once against the real source cluster: CRUD
// workers, a watch, copies destroyed while their requests are in flight, cancel_all() on queued
// and blocking calls, the last handle of a cluster destroyed with requests queued, and discovery
// refreshes with an observer installed. Run under scripts/test --sanitize address|thread it is
// the race and lifetime test of the REST layer; here it checks the outcomes (objects, counts,
// events, Errc::cancelled), not just that nothing crashed.
//
// Catch2's assertions are not thread-safe, so the threads record what went wrong (Failures) and
// the test's own thread asserts.
#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <exception>
#include <future>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "drsync/cluster.hpp"
#include "drsync/config.hpp"
#include "drsync/error.hpp"
#include "drsync/object.hpp"
#include "e2e/harness.hpp"

using namespace drsync;
using namespace std::chrono_literals;

namespace {

constexpr int kWorkers = 10;  // CRUD threads
constexpr int kObjectsPerWorker = 8;
constexpr int kCopyThreads = 2;  // destroy a copy of the shared Cluster with requests in flight
// + 1 watch, 1 cancel_all(), 1 last-handle and 1 discovery thread = 16.

class Failures {
 public:
  void add(std::string what) {
    std::lock_guard<std::mutex> lock(mutex_);
    list_.push_back(std::move(what));
  }
  void expect(bool ok, const std::string& what) {
    if (!ok) add(what);
  }
  std::vector<std::string> list() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return list_;
  }

 private:
  mutable std::mutex mutex_;
  std::vector<std::string> list_;
};

// Runs `body`, recording an exception as a failure of `who`.
template <typename F>
void guarded(Failures& failures, const std::string& who, F&& body) {
  try {
    body();
  } catch (const std::exception& e) {
    failures.add(who + ": " + e.what());
  }
}

Object configmap(const std::string& name, const std::string& run, const std::string& worker) {
  Object o = Object::parse(R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{},"data":{}})");
  o.set_name(name);
  o.set_label("stress", run);
  o.set_label("worker", worker);
  return o;
}

std::string value_of(const Object& o) {
  const rapidjson::Value* v = o.find("/data/v");
  return v && v->IsString() ? std::string(v->GetString(), v->GetStringLength()) : std::string();
}

std::string object_name(int worker, int i) {
  return "s-" + std::to_string(worker) + "-" + std::to_string(i);
}

// Creates, reads, patches and lists its objects, then deletes the even ones.
void crud_worker(const Cluster& c, const std::string& ns, const std::string& run, int worker,
                 Failures& failures) {
  const ResourceInfo cm = c.resolve("configmaps");
  const std::string who = "worker " + std::to_string(worker);
  for (int i = 0; i < kObjectsPerWorker; ++i) {
    const std::string name = object_name(worker, i);
    c.create(cm, ns, configmap(name, run, std::to_string(worker)));
    failures.expect(c.get(cm, ns, name).name() == name, who + ": get " + name);
    c.patch(cm, ns, name, PatchType::Merge, R"({"data":{"v":")" + std::to_string(i) + R"("}})");
    failures.expect(value_of(c.get(cm, ns, name)) == std::to_string(i), who + ": patched " + name);
  }
  ListOptions mine;
  mine.label_selector = "stress=" + run + ",worker=" + std::to_string(worker);
  mine.limit = 3;  // paged
  failures.expect(c.list(cm, ns, mine).items.size() == kObjectsPerWorker, who + ": list");
  for (int i = 0; i < kObjectsPerWorker; i += 2) c.remove(cm, ns, object_name(worker, i));
  for (int i = 0; i < kObjectsPerWorker; ++i) {
    bool exists = c.try_get(cm, ns, object_name(worker, i)).has_value();
    failures.expect(exists == (i % 2 == 1), who + ": after delete " + object_name(worker, i));
  }
}

// Copies the shared cluster, starts GETs through the copy, destroys the copy before they finish:
// the requests belong to the shared connection pool and must all succeed.
void copy_destroyer(const Cluster& c, const std::string& ns, int round_count, Failures& failures) {
  const ResourceInfo cm = c.resolve("configmaps");
  for (int round = 0; round < round_count; ++round) {
    std::vector<std::future<Response>> pending;
    {
      Cluster copy = c;
      for (int i = 0; i < 8; ++i) {
        pending.push_back(copy.request(Verb::List).resource(cm).in_namespace(ns).start());
      }
    }  // the copy is gone, its requests are in flight
    for (auto& f : pending) failures.expect(f.get().status == 200, "copy: GET after destruction");
  }
}

// A cluster of its own, one request a second (burst 1): what is queued behind the first request
// is certainly still queued when cancelled.
Cluster slow_cluster() {
  RestConfig config = load_kubeconfig(KubeconfigOptions{test::kubeconfig_path("source"), ""});
  config.qps = 1;
  config.burst = 1;
  return Cluster(config);
}

// Counts the futures that failed with Errc::cancelled; anything but success or that is a failure.
int count_cancelled(std::vector<std::future<Response>>& pending, const std::string& who,
                    Failures& failures) {
  int cancelled = 0;
  for (auto& f : pending) {
    try {
      failures.expect(f.get().status == 200, who + ": a request that ran failed");
    } catch (const Error& e) {
      if (e.code() == Errc::cancelled) {
        ++cancelled;
      } else {
        failures.add(who + ": " + e.what());
      }
    }
  }
  return cancelled;
}

std::vector<std::future<Response>> start_gets(const Cluster& c, int n) {
  std::vector<std::future<Response>> pending;
  for (int i = 0; i < n; ++i) pending.push_back(c.request(Verb::Get).path("/version").start());
  return pending;
}

// cancel_all() fails queued async requests and a blocking call of another thread with
// Errc::cancelled; the cluster still works afterwards. The blocking call is a 30 s watch stream
// that cannot finish first, so cancelling until it returns is certain to catch it whenever its
// thread gets to send it.
void cancel_queued(const std::string& ns, Failures& failures) {
  const std::string who = "cancel";
  Cluster victim = slow_cluster();
  auto pending = start_gets(victim, 6);
  std::promise<Errc> blocking;
  std::atomic<bool> returned{false};
  std::thread caller([&] {
    try {
      victim.request(Verb::Watch)
          .path("/api/v1/namespaces/" + ns + "/configmaps")
          .param("watch", "1")
          .param("timeoutSeconds", "30")
          .timeout(40s)
          .response();
      blocking.set_value(Errc::ok);
    } catch (const Error& e) {
      blocking.set_value(e.code());
    }
    returned = true;
  });
  std::this_thread::sleep_for(300ms);
  while (!returned) {
    victim.cancel_all();
    std::this_thread::sleep_for(50ms);
  }
  caller.join();
  failures.expect(blocking.get_future().get() == Errc::cancelled, who + ": blocking call");
  const int cancelled = count_cancelled(pending, who, failures);
  failures.expect(cancelled >= 4, who + ": " + std::to_string(cancelled) + " of 6 cancelled");
  failures.expect(!victim.server_version().empty(), who + ": cluster usable after cancel_all");
}

// The last handle of a cluster destroyed with requests queued: they fail with Errc::cancelled.
void destroy_last_handle(Failures& failures) {
  const std::string who = "last handle";
  std::vector<std::future<Response>> pending;
  {
    Cluster victim = slow_cluster();
    pending = start_gets(victim, 6);
  }
  const int cancelled = count_cancelled(pending, who, failures);
  failures.expect(cancelled >= 4, who + ": " + std::to_string(cancelled) + " of 6 cancelled");
}

// Refreshes discovery and reads the counters while everything else runs.
void discovery_loop(const Cluster& c, const std::atomic<bool>& done, Failures& failures) {
  std::uint64_t last_total = 0;
  for (int i = 0; i < 5 || !done; ++i) {
    failures.expect(!c.resources(i % 2 == 0).empty(), "discovery: no resources");
    failures.expect(c.resolve("cm").resource == "configmaps", "discovery: resolve cm");
    const std::uint64_t total = c.stats().total();
    failures.expect(total >= last_total, "discovery: request counters went backwards");
    last_total = total;
    std::this_thread::sleep_for(50ms);
  }
}

struct WatchLog {
  std::mutex mutex;
  std::set<std::string> added, deleted;
  bool has_all(std::size_t added_count, std::size_t deleted_count) {
    std::lock_guard<std::mutex> lock(mutex);
    return added.size() == added_count && deleted.size() == deleted_count;
  }
};

void watch_namespace(const Cluster& c, const std::string& ns, const std::string& run, WatchLog& log,
                     const CancelToken& cancel) {
  WatchOptions options;
  options.label_selector = "stress=" + run;
  c.watch(
      c.resolve("configmaps"), ns, options,
      [&](WatchEvent& ev) {
        std::lock_guard<std::mutex> lock(log.mutex);
        if (ev.type == "ADDED") log.added.insert(std::string(ev.object.name()));
        if (ev.type == "DELETED") log.deleted.insert(std::string(ev.object.name()));
        return true;
      },
      cancel);
}

}  // namespace

TEST_CASE("one Cluster from 16 threads: requests, watch, cancel, destruction", "[e2e][stress]") {
  std::atomic<std::uint64_t> observed{0};  // outlives the cluster whose observer counts here
  // A Cluster of this test's own, so cancel_all() and the observer touch nothing else.
  const Cluster c = Cluster::from_kubeconfig(test::kubeconfig_path("source"));
  test::ScopedNamespace ns(c, "stress");
  const std::string run =
      std::to_string(std::chrono::steady_clock::now().time_since_epoch().count());
  const ResourceInfo cm = c.resolve("configmaps");
  const RequestStats before = c.stats();
  c.set_observer([&](const Request&, const Response&) { ++observed; });

  // The watch has listed once it reports the marker: every later change reaches it.
  c.create(cm, ns.name(), configmap("s-marker", run, "marker"));
  Failures failures;
  WatchLog log;
  CancelToken stop_watch;
  std::atomic<bool> done{false};
  std::vector<std::thread> threads;
  threads.emplace_back([&] {
    guarded(failures, "watch", [&] { watch_namespace(c, ns.name(), run, log, stop_watch); });
  });
  CHECK(test::wait_until([&] { return log.has_all(1, 0) || !failures.list().empty(); }, 30s));
  for (int w = 0; w < kWorkers; ++w) {
    threads.emplace_back([&, w] {
      guarded(failures, "worker", [&] { crud_worker(c, ns.name(), run, w, failures); });
    });
  }
  for (int t = 0; t < kCopyThreads; ++t) {
    threads.emplace_back(
        [&] { guarded(failures, "copy", [&] { copy_destroyer(c, ns.name(), 10, failures); }); });
  }
  threads.emplace_back(
      [&] { guarded(failures, "cancel", [&] { cancel_queued(ns.name(), failures); }); });
  threads.emplace_back(
      [&] { guarded(failures, "last handle", [&] { destroy_last_handle(failures); }); });
  threads.emplace_back(
      [&] { guarded(failures, "discovery", [&] { discovery_loop(c, done, failures); }); });
  const std::size_t thread_count = threads.size();

  // Joins everything but the watch and discovery (the first and last threads).
  for (std::size_t i = 1; i + 1 < threads.size(); ++i) threads[i].join();
  const std::size_t all = kWorkers * kObjectsPerWorker;
  CHECK(test::wait_until([&] { return log.has_all(all + 1, all / 2); }, 60s));
  const auto cancel_start = std::chrono::steady_clock::now();
  stop_watch.cancel();
  done = true;
  threads.front().join();
  threads.back().join();
  CHECK(std::chrono::steady_clock::now() - cancel_start < 10s);  // the watch noticed the cancel
  c.set_observer({});

  CHECK(thread_count == 16);
  for (const auto& f : failures.list()) FAIL_CHECK(f);
  ListOptions everything;
  everything.label_selector = "stress=" + run;
  CHECK(c.list(cm, ns.name(), everything).items.size() == all / 2 + 1);
  const RequestStats used = c.stats() - before;
  CHECK(used.create >= all + 1);
  CHECK(used.patch >= all);
  CHECK(used.remove >= all / 2);
  CHECK(used.watch >= 1);
  CHECK(observed.load() >= all * 4);  // create, get, patch, get per object at least
}
