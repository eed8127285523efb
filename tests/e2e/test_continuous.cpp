// ContinuousSync and the scheduled Stage against the real clusters: a burst of changes reaches
// the destination, a hand edit is repaired at the next resync, nothing is written after a
// Cutover (until a Failback), and a `* * * * *` schedule runs a Stage at each tick.
#include <fmt/format.h>

#include <catch2/catch.hpp>

#include <atomic>
#include <map>
#include <mutex>
#include <thread>

#include "drsync/continuous.hpp"
#include "drsync/migration.hpp"
#include "drsync/schedule.hpp"
#include "drsync/sync.hpp"
#include "e2e/harness.hpp"

using namespace drsync;
using namespace std::chrono_literals;

namespace {

const std::vector<std::string> kTypes = {"configmaps", "secrets", "services", "serviceaccounts",
                                         "deployments.apps"};

SyncOptions mixed_types(bool prune) {
  SyncOptions o;
  o.include_types = kTypes;
  o.cluster_resources = false;
  o.prune = prune;
  return o;
}

// The `i`th object of the burst: a mix of the five types.
Object burst_object(int i, const std::string& value) {
  const std::string name = fmt::format("obj-{:03}", i);
  switch (i % 5) {
    case 0:
    case 1:
      return Object::parse(fmt::format(
          R"({{"apiVersion":"v1","kind":"ConfigMap","metadata":{{"name":"{}"}},"data":{{"v":"{}"}}}})",
          name, value));
    case 2:
      return Object::parse(fmt::format(
          R"({{"apiVersion":"v1","kind":"Secret","metadata":{{"name":"{}"}},"stringData":{{"v":"{}"}}}})",
          name, value));
    case 3:
      return Object::parse(fmt::format(
          R"({{"apiVersion":"v1","kind":"Service","metadata":{{"name":"{}","labels":{{"v":"{}"}}}},"spec":{{"ports":[{{"port":80}}]}}}})",
          name, value));
    default:
      return Object::parse(fmt::format(
          R"({{"apiVersion":"apps/v1","kind":"Deployment","metadata":{{"name":"{}"}},"spec":{{"replicas":1,"selector":{{"matchLabels":{{"app":"{}"}}}},"template":{{"metadata":{{"labels":{{"app":"{}"}}}},"spec":{{"containers":[{{"name":"c","image":"busybox:{}"}}]}}}}}}}})",
          name, name, name, value));
  }
}

ResourceInfo type_of(const Cluster& c, const Object& o) {
  return c.resolve_kind(o.api_version(), o.kind());
}

// The value burst_object(i, value) carries, read back from a destination copy.
std::string value_in(const Object& o) {
  if (o.kind() == "ConfigMap") return std::string(json_str(o.find("/data/v")));
  if (o.kind() == "Secret") return std::string(json_str(o.find("/data/v")));  // base64
  if (o.kind() == "Service") return std::string(o.label("v"));
  return std::string(json_str(o.find("/spec/template/spec/containers/0/image")));
}

// Runs a ContinuousSync on its own thread; events are collected.
struct Runner {
  ContinuousSync sync;
  std::mutex mutex;
  std::vector<ContinuousEvent> events;
  std::atomic<int> stop_reason{-1};
  std::thread thread;

  Runner(const std::string& src_ns, const std::string& dst_ns, ContinuousOptions options,
         const Cluster& src = test::source(), const Cluster& dst = test::dest())
      : sync(src, src_ns, dst, dst_ns, with_events(std::move(options))) {
    thread = std::thread([this] { stop_reason = static_cast<int>(sync.run()); });
  }
  ~Runner() {
    sync.cancel();
    if (thread.joinable()) thread.join();
  }
  ContinuousOptions with_events(ContinuousOptions o) {
    o.on_event = [this](const ContinuousEvent& ev) {
      std::lock_guard lock(mutex);
      ContinuousEvent copy = ev;
      copy.result = nullptr;
      events.push_back(copy);
    };
    return o;
  }
  bool saw(ContinuousEventKind kind, std::string* message = nullptr) {
    std::lock_guard lock(mutex);
    for (const auto& e : events) {
      if (e.kind != kind) continue;
      if (message) *message = e.message;
      return true;
    }
    return false;
  }
  bool syncing() { return sync.stats().state == "syncing"; }
};

// Every object's resourceVersion in the destination namespace, by kind/name.
std::map<std::string, std::string> versions(const Cluster& c, const std::string& ns) {
  std::map<std::string, std::string> out;
  for (const auto& t : kTypes) {
    for (const auto& o : c.list(c.resolve(t), ns).items) {
      out[t + "/" + std::string(o.name())] = std::string(o.resource_version());
    }
  }
  return out;
}

struct DestNamespace {
  std::string name;
  ~DestNamespace() { test::delete_namespace(test::dest(), name); }
};

}  // namespace

TEST_CASE(
    "continuous sync: 200 objects created, modified and deleted at 50/s reach the "
    "destination, which then equals a full Stage",
    "[e2e][continuous]") {
  const Cluster& src = test::source();
  const Cluster& dst = test::dest();
  test::ScopedNamespace source_ns(src, "cont-burst");
  DestNamespace dest_ns{source_ns.name() + "-dr"};
  ContinuousOptions options;
  options.sync = mixed_types(true);
  Runner runner(source_ns.name(), dest_ns.name, options);
  REQUIRE(test::wait_until([&] { return runner.syncing(); }));

  // 200 creates, 100 updates, 50 deletes, paced at ~50 changes/s.
  std::map<int, std::string> expected;  // index -> value; absent: deleted
  const auto started = std::chrono::steady_clock::now();
  int sent = 0;
  auto pace = [&] { std::this_thread::sleep_until(started + ++sent * 20ms); };
  for (int i = 0; i < 200; ++i, pace()) {
    Object o = burst_object(i, "1");
    src.create(type_of(src, o), source_ns.name(), o);
    expected[i] = "1";
  }
  for (int i = 0; i < 200; i += 2, pace()) {
    Object o = burst_object(i, "2");
    auto type = type_of(src, o);
    Object live = src.get(type, source_ns.name(), o.name());
    o.metadata().AddMember("resourceVersion", json_string(live.resource_version(), o.allocator()),
                           o.allocator());
    src.update(type, source_ns.name(), o);
    expected[i] = "2";
  }
  for (int i = 1; i < 200; i += 4, pace()) {
    Object o = burst_object(i, "");
    src.remove(type_of(src, o), source_ns.name(), o.name());
    expected.erase(i);
  }
  INFO(sent << " changes in "
            << std::chrono::duration_cast<std::chrono::milliseconds>(
                   std::chrono::steady_clock::now() - started)
                   .count()
            << " ms");

  auto arrived = [&] {
    for (int i = 0; i < 200; ++i) {
      Object want = burst_object(i, expected.count(i) ? expected[i] : "");
      auto live = dst.try_get(type_of(dst, want), dest_ns.name, want.name());
      if (!expected.count(i)) {
        if (live) return false;
        continue;
      }
      if (!live) return false;
      std::string v = value_in(*live);
      if (want.kind() == "Secret" ? v != (expected[i] == "1" ? "MQ==" : "Mg==")
                                  : v.find(expected[i]) == std::string::npos) {
        return false;
      }
    }
    return true;
  };
  REQUIRE(test::wait_until(arrived, 60s));
  ContinuousStats stats = runner.sync.stats();
  INFO(stats.to_json());
  CHECK(stats.resyncs == 1);  // everything came through the watches
  CHECK(stats.created >= 200);
  CHECK(stats.pruned == 50);
  CHECK(stats.errors == 0);
  CHECK(stats.lag_p50 > 0us);
  CHECK(stats.lag_p99 < 10s);

  // What a full Stage would do now: nothing.
  NamespaceSync full(src, source_ns.name(), dst, dest_ns.name, [] {
    SyncOptions o = mixed_types(true);
    o.repair_drift = true;
    return o;
  }());
  SyncResult plan = full.plan();
  INFO(plan.to_json());
  CHECK(plan.ok());
  CHECK(plan.count(Action::Create) == 0);
  CHECK(plan.count(Action::Update) == 0);
  CHECK(plan.count(Action::Prune) == 0);
  CHECK(plan.count(Action::Unchanged) >= 150);

  runner.sync.cancel();
  runner.thread.join();
  CHECK(runner.stop_reason.load() == static_cast<int>(StopReason::Cancelled));
  CHECK(runner.sync.stats().state == "stopped");
}

TEST_CASE("continuous sync repairs a hand edit in the destination at the next resync",
          "[e2e][continuous]") {
  const Cluster& src = test::source();
  const Cluster& dst = test::dest();
  test::ScopedNamespace source_ns(src, "cont-drift");
  DestNamespace dest_ns{source_ns.name() + "-dr"};
  for (int i : {0, 4}) {
    Object o = burst_object(i, "1");
    src.create(type_of(src, o), source_ns.name(), o);
  }
  // The source Deployment's status settles first: a status change is a watch event, which would
  // repair the hand edit below through the watch path instead of the resync this test is about.
  const ResourceInfo source_deploys = src.resolve("deployments.apps");
  REQUIRE(test::wait_until(
      [&] {
        Object d = src.get(source_deploys, source_ns.name(), "obj-004");
        const auto* available = d.find("/status/availableReplicas");
        return available && available->IsInt() && available->GetInt() == 1;
      },
      60s));
  ContinuousOptions options;
  options.sync = mixed_types(false);
  options.resync_interval = 2s;
  Runner runner(source_ns.name(), dest_ns.name, options);
  REQUIRE(test::wait_until([&] { return runner.syncing(); }));

  const ResourceInfo cms = dst.resolve("configmaps");
  const ResourceInfo deploys = dst.resolve("deployments.apps");
  Object cm = dst.get(cms, dest_ns.name, "obj-000");
  cm.json()["data"]["v"].SetString("edited by hand", cm.allocator());
  dst.update(cms, dest_ns.name, cm);
  dst.patch(deploys, dest_ns.name, "obj-004", PatchType::StrategicMerge,
            R"({"spec":{"template":{"spec":{"containers":[{"name":"c","image":"nginx:hand"}]}}}})");
  const auto resyncs_before = runner.sync.stats().resyncs;

  REQUIRE(test::wait_until(
      [&] {
        return value_in(dst.get(cms, dest_ns.name, "obj-000")) == "1" &&
               value_in(dst.get(deploys, dest_ns.name, "obj-004")) == "busybox:1";
      },
      30s));
  ContinuousStats stats = runner.sync.stats();
  INFO(stats.to_json());
  CHECK(stats.resyncs > resyncs_before);
  CHECK(stats.updated == 0);  // not the watches: the source did not change
  CHECK(stats.errors == 0);
}

TEST_CASE("continuous sync stops writing after a Cutover, says why, and resumes after Failback",
          "[e2e][continuous]") {
  const Cluster& src = test::source();
  const Cluster& dst = test::dest();
  test::ScopedNamespace source_ns(src, "cont-cut");
  DestNamespace dest_ns{source_ns.name() + "-dr"};
  for (int i : {0, 2, 3, 4}) {
    Object o = burst_object(i, "1");
    src.create(type_of(src, o), source_ns.name(), o);
  }
  REQUIRE(test::wait_workloads_ready(src, source_ns.name()));
  ContinuousOptions options;
  options.sync = mixed_types(true);
  options.state_poll = 500ms;
  Runner runner(source_ns.name(), dest_ns.name, options);
  REQUIRE(test::wait_until([&] { return runner.syncing(); }));

  MigrationOptions mo = test::fast_options();
  mo.sync = mixed_types(false);
  Migration cut(src, source_ns.name(), dst, dest_ns.name, mo);
  MigrationReport cutover = cut.cutover();
  INFO(cutover.to_json());
  REQUIRE(cutover.ok);
  std::string why;
  REQUIRE(test::wait_until([&] { return runner.saw(ContinuousEventKind::Suspended, &why); }, 30s));
  CHECK_THAT(why, Catch::Matchers::Contains("active"));
  CHECK(runner.sync.stats().state == "suspended");
  CHECK(runner.sync.stats().suspended_reason == why);

  // Changes in the (fenced) source: nothing reaches the active destination.
  const auto before = versions(dst, dest_ns.name);
  const ResourceInfo cms = src.resolve("configmaps");
  src.patch(cms, source_ns.name(), "obj-000", PatchType::Merge, R"({"data":{"v":"after"}})");
  Object late = burst_object(5, "late");
  src.create(cms, source_ns.name(), late);
  std::this_thread::sleep_for(3s);
  CHECK(versions(dst, dest_ns.name) == before);
  CHECK_FALSE(dst.try_get(cms, dest_ns.name, late.name()));
  CHECK_FALSE(runner.saw(ContinuousEventKind::Resumed));

  // After a Failback, it resumes with a full sync.
  MigrationReport failback = Migration(src, source_ns.name(), dst, dest_ns.name, mo).failback();
  INFO(failback.to_json());
  REQUIRE(failback.ok);
  REQUIRE(test::wait_until([&] { return runner.saw(ContinuousEventKind::Resumed); }, 30s));
  REQUIRE(test::wait_until([&] { return dst.try_get(cms, dest_ns.name, late.name()).has_value(); },
                           30s));
}

TEST_CASE("continuous sync with stop_when_fenced returns Fenced", "[e2e][continuous]") {
  const Cluster& src = test::source();
  const Cluster& dst = test::dest();
  test::ScopedNamespace source_ns(src, "cont-fenced");
  DestNamespace dest_ns{source_ns.name() + "-dr"};
  test::create_namespace(dst, dest_ns.name);
  // The role a Cutover's unfence step records.
  Object state = Object::parse(
      R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"drsync-state"},"data":{"role":"active"}})");
  dst.create(dst.resolve("configmaps"), dest_ns.name, state);
  ContinuousOptions options;
  options.sync = mixed_types(false);
  options.stop_when_fenced = true;
  ContinuousSync sync(src, source_ns.name(), dst, dest_ns.name, options);
  CHECK(sync.run() == StopReason::Fenced);
  CHECK_THAT(sync.stats().suspended_reason, Catch::Matchers::Contains("active side"));
  CHECK(sync.stats().resyncs == 0);
}

TEST_CASE("a * * * * * schedule runs a Stage at each tick (injected clock)", "[e2e][schedule]") {
  const Cluster& src = test::source();
  const Cluster& dst = test::dest();
  test::ScopedNamespace source_ns(src, "sched");
  DestNamespace dest_ns{source_ns.name() + "-dr"};
  const ResourceInfo cms = src.resolve("configmaps");
  // The clock: each sleep jumps to the tick, after a change in the source.
  std::chrono::system_clock::time_point now = std::chrono::system_clock::now();
  int sleeps = 0;
  ScheduleClock clock;
  clock.now = [&] { return now; };
  clock.sleep_until = [&](std::chrono::system_clock::time_point until, const CancelToken&) {
    Object o = burst_object(5 * sleeps++, "tick");
    src.create(cms, source_ns.name(), o);
    now = until;
  };
  MigrationOptions mo = test::fast_options();
  mo.sync = mixed_types(false);
  CancelToken cancel;
  std::vector<SysSeconds> ticks;
  run_scheduled(
      Schedule("* * * * *"),
      [&](SysSeconds tick) {
        ticks.push_back(tick);
        MigrationReport r = Migration(src, source_ns.name(), dst, dest_ns.name, mo).stage();
        INFO(r.to_json());
        REQUIRE(r.ok);
        // This tick's Stage copied what the source held at this tick, not the next one's.
        CHECK(dst.try_get(cms, dest_ns.name, fmt::format("obj-{:03}", 5 * (sleeps - 1))));
        CHECK_FALSE(dst.try_get(cms, dest_ns.name, fmt::format("obj-{:03}", 5 * sleeps)));
        if (ticks.size() == 3) cancel.cancel();
      },
      cancel, clock);
  REQUIRE(ticks.size() == 3);
  CHECK(ticks[1] - ticks[0] == std::chrono::minutes(1));
  CHECK(ticks[2] - ticks[1] == std::chrono::minutes(1));
}

TEST_CASE("continuous sync carries on after the source API server restarts",
          "[e2e][continuous][restart]") {
  test::PrivateClusters clusters;
  Cluster src = Cluster::from_kubeconfig(clusters.kubeconfig("source"));
  Cluster dst = Cluster::from_kubeconfig(clusters.kubeconfig("dest"));
  test::ScopedNamespace source_ns(src, "cont-restart");
  const std::string dest_ns = source_ns.name() + "-dr";
  const ResourceInfo cms = src.resolve("configmaps");
  src.create(cms, source_ns.name(), burst_object(0, "1"));
  ContinuousOptions options;
  options.sync = mixed_types(true);
  Runner runner(source_ns.name(), dest_ns, options, src, dst);
  REQUIRE(test::wait_until([&] { return runner.syncing(); }));
  REQUIRE(dst.try_get(cms, dest_ns, "obj-000"));

  clusters.stop("source");
  std::this_thread::sleep_for(3s);
  clusters.start("source");
  // Changes after the restart still arrive: the watches reconnected (or re-listed on 410).
  REQUIRE(test::wait_until(
      [&] {
        try {
          src.patch(cms, source_ns.name(), "obj-000", PatchType::Merge, R"({"data":{"v":"2"}})");
          return true;
        } catch (const Error&) {
          return false;
        }
      },
      60s));
  src.create(cms, source_ns.name(), burst_object(5, "after"));
  ContinuousStats stats;
  REQUIRE(test::wait_until(
      [&] {
        stats = runner.sync.stats();
        auto moved = dst.try_get(cms, dest_ns, "obj-000");
        return dst.try_get(cms, dest_ns, "obj-005").has_value() && moved && value_in(*moved) == "2";
      },
      90s));
  INFO(stats.to_json());
  CHECK(stats.state == "syncing");
  CHECK(stats.errors == 0);
}
