// Taking over DR copies other tools made: Stork's and DR-Syncer's records are read, activate and
// deactivate act on one cluster with no source, and a workload with no record anywhere makes the
// run fail naming it (never a silent no-op).
#include <catch2/catch.hpp>

#include <algorithm>

#include "drsync/error.hpp"
#include "drsync/migration.hpp"
#include "e2e/harness.hpp"

using namespace drsync;

namespace {

Object stopped_deployment(const std::string& name, const std::string& annotations,
                          const std::string& labels = "{}") {
  return Object::parse(R"({"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":")" +
                       name + R"(","annotations":)" + annotations + R"(,"labels":)" + labels +
                       R"(},"spec":{"replicas":0,"selector":{"matchLabels":{"app":")" + name +
                       R"("}},"template":{"metadata":{"labels":{"app":")" + name +
                       R"("}},"spec":{"containers":[{"name":"c","image":"nginx"}]}}}})");
}

std::map<std::string, std::string> replicas(const Cluster& c, const std::string& ns) {
  std::map<std::string, std::string> out;
  for (const auto& d : c.list(c.resolve("deployments"), ns).items) {
    const auto* r = d.find("/spec/replicas");
    out[std::string(d.name())] = r ? std::to_string(r->GetInt()) : "";
  }
  return out;
}

// A namespace as Stork and DR-Syncer leave their DR copies: stopped, the count in their records.
std::vector<Object> peer_copies() {
  std::vector<Object> out;
  out.push_back(
      stopped_deployment("stork", R"({"stork.libopenstorage.org/migrationReplicas":"3"})"));
  out.push_back(
      stopped_deployment("portworx", R"({"stork.openstorage.org/migrationReplicas":"2"})"));
  out.push_back(stopped_deployment("drsyncer", R"({"dr-syncer.io/original-replicas":"4"})"));
  out.push_back(stopped_deployment("override", "{}", R"({"dr-syncer.io/scale-override":"1"})"));
  return out;
}

std::vector<Object> two(Object a, Object b) {
  std::vector<Object> out;
  out.push_back(std::move(a));
  out.push_back(std::move(b));
  return out;
}

}  // namespace

TEST_CASE("activate starts Stork- and DR-Syncer-made copies at their recorded counts",
          "[e2e][takeover]") {
  const Cluster& dst = test::dest();
  test::ScopedNamespace ns(dst, "takeover");
  auto objects = peer_copies();
  test::apply_objects(dst, ns.name(), objects);

  auto stopped = Migration::stopped_namespaces(dst, test::fast_options());
  CHECK(std::find(stopped.begin(), stopped.end(), ns.name()) != stopped.end());

  Migration m = Migration::single(dst, ns.name(), test::fast_options());
  MigrationReport up = m.activate();
  INFO(up.to_markdown());
  REQUIRE(up.ok);
  const std::map<std::string, std::string> expected{
      {"stork", "3"}, {"portworx", "2"}, {"drsyncer", "4"}, {"override", "1"}};
  CHECK(replicas(dst, ns.name()) == expected);
  CHECK(m.status().dest_role == "active");
  auto after = Migration::stopped_namespaces(dst, test::fast_options());
  CHECK(std::find(after.begin(), after.end(), ns.name()) == after.end());

  // Deactivate then activate is exact.
  MigrationReport down = m.deactivate();
  INFO(down.to_markdown());
  REQUIRE(down.ok);
  for (const auto& [name, count] : replicas(dst, ns.name())) CHECK(count == "0");
  CHECK(m.status().dest_role == "passive");
  REQUIRE(m.activate().ok);
  CHECK(replicas(dst, ns.name()) == expected);
}

TEST_CASE("a stopped workload with no record fails the run, naming it and the keys looked for",
          "[e2e][takeover]") {
  const Cluster& dst = test::dest();
  test::ScopedNamespace ns(dst, "norecord");
  std::vector<Object> objects =
      two(stopped_deployment("known", R"({"stork.libopenstorage.org/migrationReplicas":"2"})"),
          stopped_deployment("unknown", "{}"));
  test::apply_objects(dst, ns.name(), objects);

  MigrationReport r = Migration::single(dst, ns.name(), test::fast_options()).activate();
  REQUIRE_FALSE(r.ok);
  REQUIRE_FALSE(r.errors.empty());
  CHECK(r.errors.front().find("deployments.apps/unknown") != std::string::npos);
  CHECK(r.errors.front().find("stork.openstorage.org/migrationReplicas") != std::string::npos);
  CHECK(r.errors.front().find("deployments.apps/known") == std::string::npos);
  auto now = replicas(dst, ns.name());
  CHECK(now["known"] == "2");  // what could start did
  CHECK(now["unknown"] == "0");

  MigrationOptions leave = test::fast_options();
  leave.leave_unrecorded_stopped = true;
  MigrationReport left = Migration::single(dst, ns.name(), leave).activate();
  INFO(left.to_markdown());
  CHECK(left.ok);
  CHECK(std::any_of(left.warnings.begin(), left.warnings.end(), [](const std::string& w) {
    return w.find("deployments.apps/unknown") != std::string::npos;
  }));

  MigrationOptions counted = test::fast_options();
  counted.scale_overrides = {{"deployments/unknown", "2"}};
  REQUIRE(Migration::single(dst, ns.name(), counted).activate().ok);
  CHECK(replicas(dst, ns.name())["unknown"] == "2");
}

TEST_CASE("a Cutover with the source unavailable fails on a copy with no record",
          "[e2e][takeover]") {
  const Cluster& src = test::source();
  const Cluster& dst = test::dest();
  test::ScopedNamespace ns(dst, "cut-norecord");
  std::vector<Object> objects =
      two(stopped_deployment("px", R"({"stork.openstorage.org/migrationReplicas":"3"})"),
          stopped_deployment("bare", "{}"));
  test::apply_objects(dst, ns.name(), objects);
  MigrationOptions o = test::fast_options();
  o.source_unavailable = true;
  MigrationReport r = Migration(src, "absent", dst, ns.name(), o).cutover();
  INFO(r.to_markdown());
  CHECK_FALSE(r.ok);
  CHECK(replicas(dst, ns.name())["px"] == "3");
  REQUIRE_FALSE(r.errors.empty());
  CHECK(r.errors.front().find("deployments.apps/bare") != std::string::npos);
}
