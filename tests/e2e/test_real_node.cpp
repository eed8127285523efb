// The real node of each test cluster (tests/cluster/up, docs/test-clusters.md "Real nodes"):
// registered with its label and taint, runs a real container when a Pod selects and tolerates
// it, and stays out of the way of everything else (which keeps landing on kwok's nodes).
#include <catch2/catch.hpp>

#include "drsync/cluster.hpp"
#include "drsync/object.hpp"
#include "e2e/harness.hpp"

using namespace drsync;

namespace {

bool has_taint(const Object& node, const test::RealNode& n) {
  const auto* taints = node.find("/spec/taints");
  if (taints == nullptr || !taints->IsArray()) return false;
  for (const auto& t : taints->GetArray()) {
    if (json_str(&t["key"]) == n.taint_key && json_str(&t["effect"]) == n.taint_effect &&
        t.HasMember("value") && json_str(&t["value"]) == n.taint_value)
      return true;
  }
  return false;
}

bool node_ready(const Object& node) {
  const auto* conds = node.find("/status/conditions");
  if (conds == nullptr || !conds->IsArray()) return false;
  for (const auto& c : conds->GetArray()) {
    if (json_str(&c["type"]) == "Ready") return json_str(&c["status"]) == "True";
  }
  return false;
}

}  // namespace

TEST_CASE("each cluster's real node is Ready, labelled and tainted", "[e2e][realnode]") {
  if (!test::require_real_nodes()) return;
  for (const char* name : {"source", "dest"}) {
    auto n = test::real_node(name);
    REQUIRE(n.has_value());
    const Cluster& c = std::string(name) == "source" ? test::source() : test::dest();
    Object node = c.get(c.resolve("nodes"), "", n->name);
    CHECK(node.label(n->label_key) == n->label_value);
    CHECK(has_taint(node, *n));
    CHECK(node_ready(node));
    CHECK(json_str(node.find("/status/nodeInfo/containerRuntimeVersion")).substr(0, 13) ==
          "containerd://");
  }
}

TEST_CASE("a Pod that tolerates the real node runs a real container there, others stay on kwok",
          "[e2e][realnode]") {
  if (!test::require_real_nodes()) return;
  auto n = test::real_node("source");
  REQUIRE(n.has_value());
  const Cluster& c = test::source();
  test::ScopedNamespace ns(c, "e2e-realnode");
  auto pods = c.resolve("pods");
  // The container exits with the checksum of what it wrote: only a real container can do that.
  Object real = Object::parse(
      R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":"real"},"spec":{)"
      R"("restartPolicy":"Never","terminationGracePeriodSeconds":1,"containers":[{"name":"c",)"
      R"("image":")" +
      n->tools_image +
      R"(","imagePullPolicy":"Never","command":["sh","-c",)"
      R"("echo drsync > /tmp/f && printf %s $(sha256sum /tmp/f | cut -c1-16) > /dev/termination-log"]}],)" +
      test::real_node_placement(*n) + "}}");
  c.create(pods, ns.name(), real);
  Object fake = Object::parse(
      R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":"fake"},"spec":{"containers":[)"
      R"({"name":"c","image":"registry.k8s.io/pause:3.10"}]}})");
  c.create(pods, ns.name(), fake);

  std::string phase;
  REQUIRE(test::wait_until(
      [&] {
        phase = std::string(json_str(c.get(pods, ns.name(), "real").find("/status/phase")));
        return phase == "Succeeded" || phase == "Failed";
      },
      std::chrono::seconds(90)));
  Object done = c.get(pods, ns.name(), "real");
  CHECK(phase == "Succeeded");
  CHECK(json_str(done.find("/spec/nodeName")) == n->name);
  // sha256("drsync\n")
  CHECK(json_str(done.find("/status/containerStatuses/0/state/terminated/message")) ==
        "e3a50c3e66f5e887");

  REQUIRE(test::wait_until(
      [&] { return !json_str(c.get(pods, ns.name(), "fake").find("/spec/nodeName")).empty(); }));
  CHECK(json_str(c.get(pods, ns.name(), "fake").find("/spec/nodeName")).substr(0, 10) ==
        "kwok-node-");
}
