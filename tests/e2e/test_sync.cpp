// NamespaceSync against the real clusters: every fixture app is applied to the source, copied into
// a renamed namespace of the destination, and checked object by object.
#include <unistd.h>

#include <catch2/catch.hpp>

#include <map>
#include <set>

#include "drsync/error.hpp"
#include "drsync/ledger.hpp"
#include "drsync/sync.hpp"
#include "e2e/harness.hpp"

using namespace drsync;

namespace {

std::string key(const Object& o) {
  return std::string(o.kind()) + "/" + std::string(o.name());
}

// Source objects of the app, as applied (live), indexed by kind/name.
std::map<std::string, Object> live_objects(const Cluster& c, const std::string& ns,
                                           const std::vector<Object>& manifests) {
  std::map<std::string, Object> out;
  for (const auto& m : manifests) {
    if (m.kind() == "CustomResourceDefinition") continue;
    auto type = c.resolve_kind(m.api_version(), m.kind());
    out.emplace(key(m), c.get(type, ns, m.name()));
  }
  return out;
}

void prepare_app(const std::string& app, const std::string& ns, std::vector<Object>& manifests) {
  if (app == "wordpress-mysql") {
    Object secret = Object::parse(
        R"({"apiVersion":"v1","kind":"Secret","metadata":{"name":"mysql-pass"},"stringData":{"password":"s3cr3t-pw"}})");
    manifests.push_back(std::move(secret));
  }
  if (app == "custom-resources") {
    // The destination must serve the CRDs too.
    std::vector<Object> crds;
    for (const auto& m : manifests) {
      if (m.kind() == "CustomResourceDefinition") crds.push_back(m.clone());
    }
    test::apply_objects(test::dest(), ns, crds);
    test::wait_until([&] {
      test::dest().resources(true);
      return test::dest().find_kind("samplecontroller.k8s.io/v1alpha1", "Foo").has_value() &&
             test::dest().find_kind("stable.example.com/v1", "Shirt").has_value();
    });
  }
}

}  // namespace

TEST_CASE("sync copies every fixture app into a renamed namespace, workloads stopped",
          "[e2e][sync]") {
  const Cluster& src = test::source();
  const Cluster& dst = test::dest();
  auto app = GENERATE(as<std::string>{}, "guestbook", "mysql-stateful", "wordpress-mysql",
                      "zookeeper", "online-boutique", "cronjob-and-job", "custom-resources");
  DYNAMIC_SECTION(app) {
    test::ScopedNamespace source_ns(src, "sync-" + app.substr(0, 12));
    std::string dest_ns = source_ns.name() + "-dr";
    std::vector<Object> manifests = test::fixture_app(app);
    prepare_app(app, source_ns.name(), manifests);
    test::apply_objects(src, source_ns.name(), manifests);
    REQUIRE(test::wait_workloads_ready(src, source_ns.name()));
    auto live = live_objects(src, source_ns.name(), manifests);

    SyncOptions options;
    options.include_jobs = true;
    NamespaceSync sync(src, source_ns.name(), dst, dest_ns, options);
    SyncResult first = sync.run();
    INFO(first.to_json());
    REQUIRE(first.ok());
    REQUIRE(first.count(Action::Create) >= static_cast<int>(live.size()));
    // The destination namespace did not exist: none of its types was listed (at most the
    // cluster-scoped dependencies, ClusterRoles and ClusterRoleBindings).
    CHECK(first.dest_requests.list <= 2);

    ReplicaLedger ledger;
    for (const auto& [k, s] : live) {
      INFO(k);
      auto type = dst.resolve_kind(s.api_version(), s.kind());
      auto copy = dst.try_get(type, dest_ns, s.name());
      REQUIRE(copy.has_value());
      CHECK(copy->namespace_() == dest_ns);
      CHECK(copy->uid() != s.uid());
      CHECK(copy->label(kManagedByLabel) == kManagedByValue);
      CHECK(copy->label(kSourceIdLabel) == sync.source_id());
      CHECK(copy->has_annotation(kContentHashAnnotation));
      CHECK_FALSE(copy->has_annotation("kubectl.kubernetes.io/last-applied-configuration"));
      if (s.kind() == "Service") {
        std::string_view ip = json_str(s.find("/spec/clusterIP"));
        if (ip != "None")
          CHECK(json_str(copy->find("/spec/clusterIP")) != "");
        else
          CHECK(json_str(copy->find("/spec/clusterIP")) == "None");
      }
      if (s.kind() == "PersistentVolumeClaim") {
        std::string_view src_volume = json_str(s.find("/spec/volumeName"));
        if (!src_volume.empty()) CHECK(json_str(copy->find("/spec/volumeName")) != src_volume);
      }
      if (ledger.is_workload(s)) {
        CHECK(ledger.is_stopped(*copy));
        CHECK(ledger.recorded(*copy).has_value());
        CHECK(ledger.recorded(*copy)->value == ledger.live_value(s));
      }
      if (s.kind() == "CronJob") CHECK(copy->find("/spec/suspend")->GetBool());
    }
    // Never started in the DR copy: no Pod was ever created there.
    auto pods = dst.list(dst.resolve("pods"), dest_ns);
    CHECK(pods.items.empty());

    // A second sync issues only LISTs and no write.
    SyncResult second = sync.run();
    INFO(second.to_json());
    REQUIRE(second.ok());
    CHECK(second.dest_requests.writes() == 0);
    CHECK(second.source_requests.writes() == 0);
    CHECK(second.count(Action::Create) == 0);
    CHECK(second.count(Action::Update) == 0);
    CHECK(second.dest_requests.get == 0);
    CHECK(second.source_requests.get == 0);
    test::delete_namespace(dst, dest_ns);
  }
}

TEST_CASE("source edits propagate and prune removes what the source deleted", "[e2e][sync]") {
  const Cluster& src = test::source();
  const Cluster& dst = test::dest();
  test::ScopedNamespace source_ns(src, "sync-edits");
  std::string dest_ns = source_ns.name() + "-dr";
  auto manifests = test::fixture_app("guestbook");
  Object cm = Object::parse(
      R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"settings"},"data":{"mode":"a"}})");
  manifests.push_back(std::move(cm));
  test::apply_objects(src, source_ns.name(), manifests);

  SyncOptions options;
  options.prune = true;
  NamespaceSync sync(src, source_ns.name(), dst, dest_ns, options);
  REQUIRE(sync.run().ok());

  auto configmaps = src.resolve("configmaps");
  auto deployments = src.resolve("deployments");
  auto services = src.resolve("services");
  src.patch(configmaps, source_ns.name(), "settings", PatchType::Merge, R"({"data":{"mode":"b"}})");
  src.patch(
      deployments, source_ns.name(), "frontend", PatchType::StrategicMerge,
      R"({"spec":{"template":{"spec":{"containers":[{"name":"php-redis","image":"registry.example/gb-frontend:v9"}]}}}})");
  src.remove(services, source_ns.name(), "redis-follower");

  SyncResult r = sync.run();
  INFO(r.to_json());
  REQUIRE(r.ok());
  CHECK(r.count(Action::Update) == 2);
  CHECK(r.count(Action::Prune) == 1);
  CHECK(json_str(dst.get(configmaps, dest_ns, "settings").find("/data/mode")) == "b");
  Object fe = dst.get(deployments, dest_ns, "frontend");
  CHECK(json_str(fe.find("/spec/template/spec/containers/0/image")) ==
        "registry.example/gb-frontend:v9");
  CHECK(fe.find("/spec/replicas")->GetInt() == 0);
  CHECK_FALSE(dst.try_get(services, dest_ns, "redis-follower").has_value());
  CHECK(dst.try_get(services, dest_ns, "redis-leader").has_value());

  // Unmanaged objects are never pruned or overwritten by default.
  Object mine = Object::parse(
      R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"local-only"},"data":{"x":"1"}})");
  dst.create(configmaps, dest_ns, mine);
  Object clash = Object::parse(
      R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"clash"},"data":{"from":"dest"}})");
  dst.create(configmaps, dest_ns, clash);
  Object clash_src = Object::parse(
      R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"clash"},"data":{"from":"source"}})");
  src.create(configmaps, source_ns.name(), clash_src);
  r = sync.run();
  REQUIRE(r.ok());
  CHECK(dst.try_get(configmaps, dest_ns, "local-only").has_value());
  CHECK(json_str(dst.get(configmaps, dest_ns, "clash").find("/data/from")) == "dest");
  CHECK_FALSE(r.warnings.empty());
  test::delete_namespace(dst, dest_ns);
}

TEST_CASE("an immutable change fails by default and succeeds with recreate", "[e2e][sync]") {
  const Cluster& src = test::source();
  const Cluster& dst = test::dest();
  test::ScopedNamespace source_ns(src, "sync-immutable");
  std::string dest_ns = source_ns.name() + "-dr";
  auto make = [](const char* app) {
    Object d =
        Object::parse(R"({"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"api"},
      "spec":{"replicas":2,"selector":{"matchLabels":{"app":"APP"}},
      "template":{"metadata":{"labels":{"app":"APP"}},"spec":{"containers":[{"name":"c","image":"nginx:1.25"}]}}}})");
    d.find("/spec/selector/matchLabels/app")->SetString(app, d.allocator());
    d.find("/spec/template/metadata/labels/app")->SetString(app, d.allocator());
    return d;
  };
  auto deployments = src.resolve("deployments");
  src.create(deployments, source_ns.name(), make("v1"));
  NamespaceSync sync(src, source_ns.name(), dst, dest_ns);
  REQUIRE(sync.run().ok());

  // Change the selector in the source (delete + create there, as Kubernetes requires).
  src.remove(deployments, source_ns.name(), "api");
  test::wait_until([&] { return !src.try_get(deployments, source_ns.name(), "api").has_value(); });
  src.create(deployments, source_ns.name(), make("v2"));

  SyncResult failed = sync.run();
  REQUIRE_FALSE(failed.ok());
  REQUIRE(failed.errors.size() == 1);
  CHECK(failed.errors[0].find("spec.selector") != std::string::npos);
  CHECK(failed.count(Action::Error) == 1);

  SyncOptions recreate;
  recreate.immutable = ImmutablePolicy::Recreate;
  NamespaceSync sync2(src, source_ns.name(), dst, dest_ns, recreate);
  SyncResult ok = sync2.run();
  INFO(ok.to_json());
  REQUIRE(ok.ok());
  Object copy = dst.get(deployments, dest_ns, "api");
  CHECK(json_str(copy.find("/spec/selector/matchLabels/app")) == "v2");
  CHECK(copy.find("/spec/replicas")->GetInt() == 0);
  test::delete_namespace(dst, dest_ns);
}

TEST_CASE("plan and dry run write nothing and plan diffs mask Secret data", "[e2e][sync]") {
  const Cluster& src = test::source();
  const Cluster& dst = test::dest();
  test::ScopedNamespace source_ns(src, "sync-plan");
  std::string dest_ns = source_ns.name() + "-dr";
  test::create_namespace(dst, dest_ns);
  std::vector<Object> objs;
  objs.push_back(Object::parse(
      R"({"apiVersion":"v1","kind":"Secret","metadata":{"name":"db"},"stringData":{"password":"hunter2-very-secret"}})"));
  objs.push_back(Object::parse(
      R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"cfg"},"data":{"k":"v"}})"));
  test::apply_objects(src, source_ns.name(), objs);

  NamespaceSync sync(src, source_ns.name(), dst, dest_ns);
  SyncResult plan = sync.plan();
  REQUIRE(plan.ok());
  CHECK(plan.count(Action::Create) == 2);
  CHECK(plan.dest_requests.writes() == 0);
  std::string json = plan.to_json();
  CHECK(json.find("hunter2") == std::string::npos);
  CHECK(json.find("aHVudGVyMi") == std::string::npos);  // base64 of the password
  CHECK(json.find("<redacted>") != std::string::npos);

  SyncOptions dry;
  dry.dry_run = true;
  NamespaceSync dry_sync(src, source_ns.name(), dst, dest_ns, dry);
  SyncResult d = dry_sync.run();
  INFO(d.to_json());
  REQUIRE(d.ok());
  CHECK(d.count(Action::Create) == 2);
  CHECK_FALSE(dst.try_get(dst.resolve("secrets"), dest_ns, "db").has_value());
  CHECK_FALSE(dst.try_get(dst.resolve("configmaps"), dest_ns, "cfg").has_value());
  test::delete_namespace(dst, dest_ns);
}

TEST_CASE("the restricted kubeconfigs can sync with the documented Role", "[e2e][sync][rbac]") {
  Cluster src = Cluster::from_kubeconfig(test::kubeconfig_path("source-restricted"));
  Cluster dst = Cluster::from_kubeconfig(test::kubeconfig_path("dest-restricted"));
  const std::string ns = "drsync-restricted";
  std::vector<Object> objs = test::fixture_app("guestbook");
  test::apply_objects(test::source(), ns, objs);
  SyncOptions options;
  options.include_custom_resources = false;
  NamespaceSync sync(src, ns, dst, ns, options);
  SyncResult r = sync.run();
  INFO(r.to_json());
  REQUIRE(r.ok());
  CHECK(dst.try_get(dst.resolve("deployments"), ns, "frontend").has_value());
  SyncResult again = sync.run();
  REQUIRE(again.ok());
  CHECK(again.dest_requests.writes() == 0);
}

TEST_CASE("custom resources without a CRD in the destination: listed, or copied when asked",
          "[e2e][sync]") {
  const Cluster& src = test::source();
  const Cluster& dst = test::dest();
  std::string group = "t" + std::to_string(getpid()) + ".drsync.example.com";
  Object crd =
      Object::parse(R"({"apiVersion":"apiextensions.k8s.io/v1","kind":"CustomResourceDefinition",
    "metadata":{},"spec":{"group":"G","scope":"Namespaced",
    "names":{"plural":"widgets","singular":"widget","kind":"Widget"},
    "versions":[{"name":"v1","served":true,"storage":true,
      "schema":{"openAPIV3Schema":{"type":"object","x-kubernetes-preserve-unknown-fields":true}}}]}})");
  crd.set_name("widgets." + group);
  crd.find("/spec/group")->SetString(group.c_str(), crd.allocator());
  auto crds = src.resolve("customresourcedefinitions");
  src.create(crds, "", crd);
  test::ScopedNamespace ns(src, "sync-crd");
  std::string dest_ns = ns.name() + "-dr";
  REQUIRE(test::wait_until([&] {
    src.resources(true);
    return src.find_kind(group + "/v1", "Widget").has_value();
  }));
  Object widget = Object::parse(R"({"kind":"Widget","metadata":{"name":"w1"},"spec":{"size":3}})");
  widget.json().AddMember("apiVersion", json_string(group + "/v1", widget.allocator()),
                          widget.allocator());
  src.create(src.resolve_kind(group + "/v1", "Widget"), ns.name(), widget);

  try {
    NamespaceSync(src, ns.name(), dst, dest_ns).run();
    FAIL("a custom resource without its CRD in the destination must be an error");
  } catch (const Error& e) {
    CHECK(e.code() == Errc::not_found);
    CHECK(std::string(e.what()).find("widgets." + group) != std::string::npos);
  }
  SyncOptions copy;
  copy.copy_crds = true;
  SyncResult r = NamespaceSync(src, ns.name(), dst, dest_ns, copy).run();
  INFO(r.to_json());
  REQUIRE(r.ok());
  dst.resources(true);
  auto widgets = dst.resolve_kind(group + "/v1", "Widget");
  auto copied = dst.try_get(widgets, dest_ns, "w1");
  REQUIRE(copied.has_value());
  CHECK(copied->find("/spec/size")->GetInt() == 3);
  src.remove(crds, "", "widgets." + group);
  dst.remove(crds, "", "widgets." + group);
  test::delete_namespace(dst, dest_ns);
}
