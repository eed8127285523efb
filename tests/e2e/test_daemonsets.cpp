// DaemonSets in the DR copy: stopped by a nodeSelector no node carries (0 Pods after Stage, kwok
// nodes count), running on every node after Cutover, stopped again after Failback — exactly,
// their own nodeSelector untouched.
#include <catch2/catch.hpp>

#include "drsync/ledger.hpp"
#include "drsync/migration.hpp"
#include "e2e/harness.hpp"

using namespace drsync;

namespace {

std::size_t nodes(const Cluster& c) {
  ListOptions o;
  o.label_selector = "type=kwok";
  return c.list(c.resolve("nodes"), "", o).items.size();
}

std::size_t daemon_pods(const Cluster& c, const std::string& ns, const std::string& ds) {
  std::size_t n = 0;
  for (const auto& pod : c.list(c.resolve("pods"), ns).items) {
    const rapidjson::Value* owners = pod.find("/metadata/ownerReferences");
    if (!owners || !owners->IsArray()) continue;
    for (const auto& o : owners->GetArray()) {
      if (json_str(json_get(o, "kind")) == "DaemonSet" && json_str(json_get(o, "name")) == ds) ++n;
    }
  }
  return n;
}

// The DaemonSet controller has seen the current template, and the Pods are what it wants.
bool settled(const Cluster& c, const std::string& ns, const std::string& ds, std::size_t want) {
  return test::wait_until(
      [&] {
        Object d = c.get(c.resolve("daemonsets"), ns, ds);
        const auto* gen = d.find("/metadata/generation");
        const auto* seen = d.find("/status/observedGeneration");
        const auto* desired = d.find("/status/desiredNumberScheduled");
        if (!gen || !seen || !desired || seen->GetInt64() < gen->GetInt64()) return false;
        return desired->GetInt64() == static_cast<std::int64_t>(want) &&
               daemon_pods(c, ns, ds) == want;
      },
      std::chrono::seconds(60));
}

bool has_stop_key(const Object& ds) {
  return ds.find("/spec/template/spec/nodeSelector/drsync.io~1stopped") != nullptr;
}

}  // namespace

TEST_CASE("a DaemonSet has no Pods in the DR copy until Cutover, and none again after Failback",
          "[e2e][migration][daemonset]") {
  const Cluster& src = test::source();
  const Cluster& dst = test::dest();
  const std::string ds = "fluentd-elasticsearch";
  test::ScopedNamespace ns(src, "mig-ds");
  const std::string dns = ns.name() + "-dr";
  auto manifests = test::fixture_app("fluentd-daemonset");
  test::apply_objects(src, ns.name(), manifests);
  const std::size_t src_nodes = nodes(src), dst_nodes = nodes(dst);
  REQUIRE(src_nodes > 0);
  REQUIRE(dst_nodes > 0);
  REQUIRE(settled(src, ns.name(), ds, src_nodes));

  MigrationOptions options;
  options.poll_interval = std::chrono::milliseconds(100);
  options.wait_timeout = std::chrono::seconds(120);
  Migration m(src, ns.name(), dst, dns, options);
  auto daemonsets = dst.resolve("daemonsets");

  MigrationReport staged = m.stage();
  INFO(staged.to_json());
  REQUIRE(staged.ok);
  CHECK(settled(dst, dns, ds, 0));
  Object copy = dst.get(daemonsets, dns, ds);
  CHECK(has_stop_key(copy));
  CHECK(ReplicaLedger().recorded(copy).has_value());
  CHECK(settled(src, ns.name(), ds, src_nodes));  // the source runs on

  MigrationReport cut = m.cutover();
  INFO(cut.to_markdown());
  REQUIRE(cut.ok);
  CHECK(settled(dst, dns, ds, dst_nodes));
  CHECK(settled(src, ns.name(), ds, 0));
  CHECK_FALSE(has_stop_key(dst.get(daemonsets, dns, ds)));
  bool reported = false;
  for (const auto& line : cut.readiness) reported |= line.find("daemonsets.apps/" + ds) == 0;
  CHECK(reported);

  MigrationReport back = m.failback();
  INFO(back.to_markdown());
  REQUIRE(back.ok);
  CHECK(settled(src, ns.name(), ds, src_nodes));
  CHECK(settled(dst, dns, ds, 0));
  Object original = src.get(src.resolve("daemonsets"), ns.name(), ds);
  CHECK_FALSE(has_stop_key(original));
  CHECK_FALSE(original.has_annotation(kOriginalValueAnnotation));  // active again: no record
  // The fixture's own template is as it was (tolerations kept, no nodeSelector added).
  const auto* selector = original.find("/spec/template/spec/nodeSelector");
  CHECK((selector == nullptr || selector->ObjectEmpty()));
  CHECK(original.find("/spec/template/spec/tolerations/0/key") != nullptr);

  // A second Stage keeps the copy stopped.
  REQUIRE(m.stage().ok);
  CHECK(settled(dst, dns, ds, 0));
  test::delete_namespace(dst, dns);
}
