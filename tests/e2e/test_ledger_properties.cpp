// ReplicaLedger invariants as properties over random sequences of Stage / Cutover / Failback /
// forced re-Stage and user edits of the active side, on the real clusters:
//  * the active side runs exactly the user's counts, the passive side is stopped;
//  * a value drsync itself set (0, suspended) is never recorded as an original;
//  * DaemonSets (stopped by a nodeSelector key) follow the same rules;
//  * counts are carried forward across cycles, and a user's change of the active side is picked
//    up by the next Stage (or carried back by the next Failback).
#include <catch2/catch.hpp>

#include <map>
#include <random>

#include "drsync/error.hpp"
#include "drsync/ledger.hpp"
#include "drsync/migration.hpp"
#include "e2e/harness.hpp"

using namespace drsync;

namespace {

using Counts = std::map<std::string, std::string>;

Counts live(const Cluster& c, const std::string& ns, bool recorded_values = false) {
  ReplicaLedger ledger;
  Counts out;
  for (const char* type : {"deployments", "cronjobs", "daemonsets"}) {
    for (const auto& w : c.list(c.resolve(type), ns).items) {
      std::string key = std::string(w.kind()) + "/" + std::string(w.name());
      if (!recorded_values) {
        out[key] = ledger.live_value(w);
      } else if (auto r = ledger.recorded(w)) {
        out[key] = r->value;
      }
    }
  }
  return out;
}

// The value drsync stops a workload of this kind ("CronJob/nightly") with.
std::string stopped_value(const std::string& key) {
  return key.rfind("CronJob/", 0) == 0 || key.rfind("DaemonSet/", 0) == 0 ? "true" : "0";
}

Counts stopped(const Counts& c) {
  Counts out;
  for (const auto& [k, v] : c) out[k] = stopped_value(k);
  return out;
}

}  // namespace

TEST_CASE("ledger invariants hold over random DR sequences", "[e2e][migration][properties]") {
  const Cluster& src = test::source();
  const Cluster& dst = test::dest();
  const unsigned seeds[] = {1, 2, 3, 4, 5, 6, 7, 8};
  for (unsigned seed : seeds) {
    std::mt19937 rng(seed);
    test::ScopedNamespace ns(src, "prop-" + std::to_string(seed));
    std::string dns = ns.name() + "-dr";
    std::vector<Object> objs;
    for (const char* name : {"api", "worker"}) {
      Object d =
          Object::parse(R"({"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"N"},
        "spec":{"replicas":2,"selector":{"matchLabels":{"app":"N"}},"template":{"metadata":{"labels":{"app":"N"}},
        "spec":{"containers":[{"name":"c","image":"busybox"}]}}}})");
      d.set_name(name);
      d.find("/spec/selector/matchLabels/app")->SetString(name, d.allocator());
      d.find("/spec/template/metadata/labels/app")->SetString(name, d.allocator());
      objs.push_back(std::move(d));
    }
    objs.push_back(
        Object::parse(R"({"apiVersion":"batch/v1","kind":"CronJob","metadata":{"name":"nightly"},
      "spec":{"schedule":"0 3 * * *","suspend":false,"jobTemplate":{"spec":{"template":{"spec":{
      "restartPolicy":"Never","containers":[{"name":"c","image":"busybox"}]}}}}}})"));
    objs.push_back(
        Object::parse(R"({"apiVersion":"apps/v1","kind":"DaemonSet","metadata":{"name":"agent"},
      "spec":{"selector":{"matchLabels":{"app":"agent"}},"template":{"metadata":{"labels":{"app":"agent"}},
      "spec":{"nodeSelector":{"kubernetes.io/os":"linux"},"containers":[{"name":"c","image":"busybox"}]}}}})"));
    test::apply_objects(src, ns.name(), objs);
    Counts truth = live(src, ns.name());
    bool dest_active = false;
    bool staged = false;
    MigrationOptions options;
    options.poll_interval = std::chrono::milliseconds(100);
    options.wait_timeout = std::chrono::seconds(60);
    std::string history;
    for (int step = 0; step < 8; ++step) {
      int op = static_cast<int>(rng() % 5);
      if (!staged) op = 0;  // the first operation is always a Stage
      const Cluster& active = dest_active ? dst : src;
      const std::string& active_ns = dest_active ? dns : ns.name();
      Migration m(src, ns.name(), dst, dns, options);
      if (op == 0) {
        history += " stage";
        if (dest_active) {
          CHECK_THROWS_AS(m.stage(), Error);
        } else {
          REQUIRE(m.stage().ok);
          staged = true;
        }
      } else if (op == 1) {
        history += " cutover";
        REQUIRE(m.cutover().ok);
        dest_active = true;
      } else if (op == 2) {
        history += " failback";
        REQUIRE(m.failback().ok);
        dest_active = false;
      } else if (op == 3) {
        history += " forced-stage";
        MigrationOptions forced = options;
        forced.force = true;
        REQUIRE(Migration(src, ns.name(), dst, dns, forced).stage().ok);
      } else {
        // The user scales the active side.
        std::string name = rng() % 2 ? "api" : "worker";
        long long n = 1 + static_cast<long long>(rng() % 5);
        history += " edit(" + name + "=" + std::to_string(n) + ")";
        active.set_scale(active.resolve("deployments"), active_ns, name, n);
        truth["Deployment/" + name] = std::to_string(n);
      }
      INFO("seed " << seed << ":" << history);
      const Counts on_source = live(src, ns.name());
      const Counts on_dest = live(dst, dns);
      if (dest_active) {
        CHECK(on_dest == truth);
        CHECK(on_source == stopped(truth));
      } else {
        CHECK(on_source == truth);
        if (!on_dest.empty()) CHECK(on_dest == stopped(truth));
      }
      // Never record drsync's own stopped value as an original.
      for (const auto* side : {&src, &dst}) {
        const std::string& sns = side == &src ? ns.name() : dns;
        for (const auto& [k, v] : live(*side, sns, true)) {
          CHECK(v != stopped_value(k));
        }
      }
      // A Stage from the active source records exactly the user's counts on the copies.
      if (!dest_active && op == 0) CHECK(live(dst, dns, true) == truth);
    }
    test::delete_namespace(dst, dns);
  }
}
