// check_services after a Cutover: Services' ready endpoints (kwok Pods), the user's checks from
// the library host and from check Pods on the real node, a failed check that fails the Cutover
// and rolls it back, and no check Pod left behind.
#include <catch2/catch.hpp>

#include <fmt/format.h>

#include <algorithm>

#include "drsync/migration.hpp"
#include "e2e/harness.hpp"

using namespace drsync;

namespace {

const CheckResult* find_check(const MigrationReport& r, const std::string& name) {
  auto it = std::find_if(r.checks.begin(), r.checks.end(),
                         [&](const CheckResult& c) { return c.name == name; });
  return it == r.checks.end() ? nullptr : &*it;
}

long long replicas(const Cluster& c, const std::string& ns, const std::string& name) {
  return c.get(c.resolve("deployments"), ns, name).find("/spec/replicas")->GetInt64();
}

std::size_t check_pods(const Cluster& c, const std::string& ns) {
  ListOptions lo;
  lo.label_selector = "drsync.io/service-check";
  return c.list(c.resolve("pods"), ns, lo).items.size();
}

Object deployment(const std::string& name, const std::string& pod_spec) {
  return Object::parse(R"({"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":")" +
                       name + R"("},"spec":{"replicas":1,"selector":{"matchLabels":{"app":")" +
                       name + R"("}},"template":{"metadata":{"labels":{"app":")" + name +
                       R"("}},"spec":)" + pod_spec + "}}}");
}

Object service(const std::string& name, const std::string& type) {
  return Object::parse(R"({"apiVersion":"v1","kind":"Service","metadata":{"name":")" + name +
                       R"("},"spec":{"type":")" + type + R"(","selector":{"app":")" + name +
                       R"("},"ports":[{"port":8080,"targetPort":8080}]}})");
}

}  // namespace

TEST_CASE(
    "a Cutover checks that the destination's Services have ready endpoints, and rolls back "
    "when a check fails",
    "[e2e][checks]") {
  const Cluster& src = test::source();
  const Cluster& dst = test::dest();
  test::ScopedNamespace sns(src, "e2e-checks");
  test::ScopedNamespace dns(dst, "e2e-checks-dr");
  auto web = deployment("web", R"({"containers":[{"name":"c","image":"nginx"}]})");
  src.create(src.resolve("deployments"), sns.name(), web);
  src.create(src.resolve("services"), sns.name(), service("web", "ClusterIP"));
  REQUIRE(test::wait_workloads_ready(src, sns.name()));

  MigrationOptions o = test::fast_options();
  o.rollback_on_failure = true;
  ServiceCheck refused;
  refused.name = "closed-port";
  refused.address = "127.0.0.1:1";  // nothing listens: connection refused, every time
  refused.timeout = std::chrono::seconds(2);
  o.service_checks.checks = {refused};
  Migration m(src, sns.name(), dst, dns.name(), o);
  REQUIRE(m.stage().ok);

  MigrationReport failed = m.cutover();
  CHECK_FALSE(failed.ok);
  CHECK(failed.rolled_back);
  const CheckResult* endpoints = find_check(failed, "services/web");
  REQUIRE(endpoints != nullptr);
  CHECK(endpoints->ok);
  CHECK(endpoints->detail == "1 ready endpoint");
  const CheckResult* port = find_check(failed, "closed-port");
  REQUIRE(port != nullptr);
  CHECK_FALSE(port->ok);
  CHECK(port->from == "host");
  CHECK(port->detail.find("Failed to connect to 127.0.0.1 port 1") == 0);
  REQUIRE_FALSE(failed.errors.empty());
  CHECK(failed.errors.front().find("closed-port (127.0.0.1:1)") != std::string::npos);
  // Rolled back: the source runs again, the destination is stopped.
  CHECK(replicas(src, sns.name(), "web") == 1);
  CHECK(replicas(dst, dns.name(), "web") == 0);

  // Without the failing check, the same Cutover passes: the endpoint check alone.
  MigrationOptions ok_options = test::fast_options();
  Migration again(src, sns.name(), dst, dns.name(), ok_options);
  MigrationReport cut = again.cutover();
  REQUIRE(cut.ok);
  REQUIRE(cut.checks.size() == 1);
  CHECK(cut.checks[0].name == "services/web");
  CHECK(cut.checks[0].ok);
  CHECK(replicas(dst, dns.name(), "web") == 1);
}

TEST_CASE(
    "service checks from the library host and from check Pods reach the application on "
    "the real node",
    "[e2e][checks][realnode]") {
  if (!test::require_real_nodes()) return;
  auto node = test::real_node("dest");
  REQUIRE(node.has_value());
  const Cluster& src = test::source();
  const Cluster& dst = test::dest();
  test::ScopedNamespace sns(src, "e2e-checks-real");
  test::ScopedNamespace dns(dst, "e2e-checks-real-dr");
  // busybox httpd serving /index.html on 8080, on the real node of each cluster.
  auto web = deployment(
      "web",
      R"({"terminationGracePeriodSeconds":1,"containers":[{"name":"c","image":")" +
          node->tools_image +
          R"(","imagePullPolicy":"Never","command":["sh","-c",)"
          R"("mkdir -p /www && echo ok > /www/index.html && exec httpd -f -p 8080 -h /www"]}],)" +
          test::real_node_placement(*node) + "}");
  src.create(src.resolve("deployments"), sns.name(), web);
  src.create(src.resolve("services"), sns.name(), service("web", "NodePort"));
  REQUIRE(test::wait_workloads_ready(src, sns.name()));
  REQUIRE(Migration(src, sns.name(), dst, dns.name(), test::fast_options()).stage().ok);
  Object svc = dst.get(dst.resolve("services"), dns.name(), "web");
  const std::string cluster_ip(json_str(svc.find("/spec/clusterIP")));
  const auto node_port = svc.find("/spec/ports/0/nodePort")->GetInt64();

  MigrationOptions o = test::fast_options();
  o.rollback_on_failure = true;
  o.service_checks.pod_image = node->tools_image;
  o.service_checks.pod_placement.node_selector = {{node->label_key, node->label_value}};
  o.service_checks.pod_placement.tolerations = {
      {node->taint_key, "Equal", node->taint_value, node->taint_effect}};
  auto check = [](std::string name, std::string url, std::string address, ServiceCheck::From from,
                  int expect = 0) {
    ServiceCheck c;
    c.name = std::move(name);
    c.url = std::move(url);
    c.address = std::move(address);
    c.from = from;
    c.expect_status = expect;
    c.timeout = std::chrono::seconds(20);
    return c;
  };
  const std::string in_cluster = "http://" + cluster_ip + ":8080/index.html";
  SECTION("a check that gets 404 fails the Cutover, which rolls back; no check Pod is left") {
    o.service_checks.checks = {check("missing-page", "http://" + cluster_ip + ":8080/missing", "",
                                     ServiceCheck::From::Pod, 200)};
    o.service_checks.checks[0].timeout = std::chrono::seconds(3);
    MigrationReport r = Migration(src, sns.name(), dst, dns.name(), o).cutover();
    CHECK_FALSE(r.ok);
    CHECK(r.rolled_back);
    const CheckResult* c = find_check(r, "missing-page");
    REQUIRE(c != nullptr);
    CHECK(c->from == "pod");
    CHECK(c->detail.find("HTTP 404, expected 200") == 0);
    CHECK(check_pods(dst, dns.name()) == 0);
    CHECK(replicas(src, sns.name(), "web") == 1);
  }
  SECTION("HTTP from the host to the NodePort, HTTP and TCP from a Pod to the ClusterIP") {
    o.service_checks.checks = {
        check("host-nodeport", fmt::format("http://{}:{}/index.html", node->ip, node_port), "",
              ServiceCheck::From::Host, 200),
        check("pod-http", in_cluster, "", ServiceCheck::From::Pod),
        check("pod-tcp", "", cluster_ip + ":8080", ServiceCheck::From::Pod)};
    MigrationReport r = Migration(src, sns.name(), dst, dns.name(), o).cutover();
    INFO(r.to_markdown());
    REQUIRE(r.ok);
    for (const char* name : {"services/web", "host-nodeport", "pod-http", "pod-tcp"}) {
      const CheckResult* c = find_check(r, name);
      REQUIRE(c != nullptr);
      CHECK(c->ok);
    }
    CHECK(find_check(r, "host-nodeport")->detail == "HTTP 200");
    CHECK(find_check(r, "pod-http")->detail.find("HTTP 200") == 0);
    CHECK(find_check(r, "pod-tcp")->detail.find("connected") == 0);
    CHECK(check_pods(dst, dns.name()) == 0);
    CHECK(r.to_markdown().find("## Service checks") != std::string::npos);
  }
}
