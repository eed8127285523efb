// Migration::preflight on the real clusters: a StorageClass the destination lacks and a
// ResourceQuota the recorded counts exceed are named with their fix; they stop a Stage (no write)
// unless forced; storageClassMap clears the first.
#include <catch2/catch.hpp>

#include <algorithm>

#include "drsync/migration.hpp"
#include "e2e/harness.hpp"

using namespace drsync;

namespace {

const PreflightFinding* finding(const PreflightReport& r, const std::string& check,
                                const std::string& object) {
  auto it = std::find_if(r.findings.begin(), r.findings.end(), [&](const PreflightFinding& f) {
    return f.check == check && f.object == object;
  });
  return it == r.findings.end() ? nullptr : &*it;
}

}  // namespace

TEST_CASE("preflight names a missing StorageClass and a too small quota, and stops a Stage",
          "[e2e][migration][preflight]") {
  const Cluster& src = test::source();
  const Cluster& dst = test::dest();
  test::ScopedNamespace ns(src, "pre");
  test::ScopedNamespace dns(dst, "pre-dr");
  const std::string fast = "fast-" + ns.name();
  std::vector<Object> objs;
  objs.push_back(Object::parse(R"({"apiVersion":"v1","kind":"PersistentVolumeClaim",
    "metadata":{"name":"data"},"spec":{"accessModes":["ReadWriteOnce"],"storageClassName":"SC",
    "resources":{"requests":{"storage":"1Gi"}}}})"));
  objs.back().find("/spec/storageClassName")->SetString(fast.c_str(), objs.back().allocator());
  objs.push_back(
      Object::parse(R"({"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web"},
    "spec":{"replicas":3,"selector":{"matchLabels":{"app":"web"}},"template":{"metadata":{"labels":{"app":"web"}},
    "spec":{"containers":[{"name":"c","image":"busybox","resources":{"requests":{"cpu":"500m","memory":"64Mi"}}}]}}}})"));
  test::apply_objects(src, ns.name(), objs);
  std::vector<Object> quota;
  quota.push_back(
      Object::parse(R"({"apiVersion":"v1","kind":"ResourceQuota","metadata":{"name":"compute"},
    "spec":{"hard":{"pods":"2","requests.cpu":"1","requests.memory":"1Gi"}}})"));
  test::apply_objects(dst, dns.name(), quota);

  MigrationOptions options;
  options.poll_interval = std::chrono::milliseconds(100);
  Migration m(src, ns.name(), dst, dns.name(), options);
  PreflightReport r = m.preflight();
  INFO(r.to_json());
  CHECK_FALSE(r.ok());
  const PreflightFinding* sc = finding(r, "storage-class", "persistentvolumeclaims/data");
  REQUIRE(sc != nullptr);
  CHECK(sc->severity == Severity::Error);
  CHECK(sc->message.find(fast) != std::string::npos);
  CHECK(sc->fix.find("storageClassMap") != std::string::npos);
  const PreflightFinding* q = finding(r, "resource-quota", "resourcequotas/compute");
  REQUIRE(q != nullptr);
  CHECK(q->severity == Severity::Error);
  CHECK(r.to_json().find("requests.cpu") != std::string::npos);
  CHECK(r.to_json().find("1500m") != std::string::npos);
  CHECK(r.to_json().find("allows 2 pods") != std::string::npos);
  CHECK(r.to_json().find("requests.memory") == std::string::npos);  // 192Mi fits in 1Gi

  // Stage stops before writing anything.
  MigrationReport staged = m.stage();
  INFO(staged.to_json());
  CHECK_FALSE(staged.ok);
  REQUIRE(staged.preflight.has_value());
  CHECK_FALSE(staged.errors.empty());
  CHECK_FALSE(dst.try_get(dst.resolve("deployments"), dns.name(), "web").has_value());
  CHECK(staged.to_json().find("\"preflight\"") != std::string::npos);

  // The dry-run plan shows the same findings.
  StepPlan plan = m.plan(Mode::Stage, true);
  REQUIRE(plan.preflight.has_value());
  CHECK_FALSE(plan.preflight->ok());

  // A map to a class the destination has clears the StorageClass error; force runs it anyway.
  MigrationOptions mapped = options;
  mapped.sync.storage_class_map[fast] = "standard";
  mapped.force = true;
  Migration forced(src, ns.name(), dst, dns.name(), mapped);
  PreflightReport r2 = forced.preflight();
  CHECK(finding(r2, "storage-class", "persistentvolumeclaims/data") == nullptr);
  CHECK(finding(r2, "resource-quota", "resourcequotas/compute") != nullptr);
  MigrationReport done = forced.stage();
  INFO(done.to_json());
  CHECK(done.ok);
  CHECK(dst.try_get(dst.resolve("deployments"), dns.name(), "web").has_value());
}
