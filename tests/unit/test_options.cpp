// Options documents and DR plan files (include/drsync/options.hpp, docs/options.md).
#include <catch2/catch.hpp>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "drsync/error.hpp"
#include "drsync/options.hpp"

using namespace drsync;

namespace {

// The message of the Error(invalid_argument) that applying `doc` throws ("" if none).
std::string options_error(const std::string& doc, MigrationOptions o = {}) {
  try {
    apply_options_document(o, doc, "opts.yaml");
  } catch (const Error& e) {
    CHECK(e.code() == Errc::invalid_argument);
    return e.what();
  }
  return {};
}

std::string plan_error(const std::string& yaml) {
  try {
    parse_plan(yaml, "plan.yaml");
  } catch (const Error& e) {
    CHECK(e.code() == Errc::invalid_argument);
    return e.what();
  }
  return {};
}

// A fresh directory, removed with its content at the end of the test.
struct TempDir {
  std::filesystem::path path;
  TempDir() {
    char tmpl[] = "/tmp/drsync-options-XXXXXX";
    REQUIRE(mkdtemp(tmpl) != nullptr);
    path = tmpl;
  }
  ~TempDir() { std::filesystem::remove_all(path); }
  std::string write(const std::string& name, const std::string& text) const {
    std::filesystem::create_directories((path / name).parent_path());
    std::ofstream(path / name) << text;
    return (path / name).string();
  }
};

const char* kModifiers = R"(version: v1
resourceModifierRules:
- conditions: {groupResource: configmaps}
  mergePatches:
  - patchData: '{"data": {"k": "v"}}'
)";

const char* kPlanHead = R"(apiVersion: drsync.io/v1
kind: DRPlan
source: {kubeconfig: src.kubeconfig, context: prod}
destination: {kubeconfig: /etc/drsync/dr.kubeconfig}
)";

}  // namespace

TEST_CASE("an options document sets every field it names", "[options]") {
  MigrationOptions o;
  apply_options_document(o, R"(
includeTypes: [deployments, configmaps]
excludeTypes: [secrets]
includeJobs: true
includeCustomResources: false
copyCRDs: true
labelSelector: app=web
prune: true
unmanaged: adopt
immutable: recreate
storageClassMap: {standard: fast}
accessModeMap: {ReadWriteOnce: ReadWriteMany}
imageMap: {docker.io: mirror.local, quay.io: mirror.local/quay}
preserveNodePorts: true
scaleKinds:
- {group: rabbitmq.com, kind: RabbitmqCluster, path: /spec/replicas}
- {group: cassandra.datastax.com, kind: CassandraDatacenter, path: /spec/stopped, type: bool}
concurrency: 8
workloads: [web, statefulsets/db]
workloadSelector: tier=front
force: true
sourceUnavailable: true
waitTimeoutSeconds: 90
goneTimeoutSeconds: 30
rollbackOnFailure: true
reverseSync: true
journalFile: /var/lib/drsync/journal.json
)");
  const SyncOptions& s = o.sync;
  CHECK(s.include_types == std::vector<std::string>{"deployments", "configmaps"});
  CHECK(s.exclude_types == std::vector<std::string>{"secrets"});
  CHECK(s.include_jobs);
  CHECK_FALSE(s.include_custom_resources);
  CHECK(s.copy_crds);
  CHECK(s.label_selector == "app=web");
  CHECK(s.prune);
  CHECK(s.unmanaged == UnmanagedPolicy::Adopt);
  CHECK(s.immutable == ImmutablePolicy::Recreate);
  CHECK(s.storage_class_map == std::map<std::string, std::string>{{"standard", "fast"}});
  CHECK(s.access_mode_map.at("ReadWriteOnce") == "ReadWriteMany");
  REQUIRE(s.image_map.size() == 2);
  CHECK(s.image_map[0] == std::pair<std::string, std::string>{"docker.io", "mirror.local"});
  CHECK(s.preserve_node_ports);
  REQUIRE(s.custom_scale_kinds.size() == 2);
  CHECK(s.custom_scale_kinds[0].kind == "RabbitmqCluster");
  CHECK(s.custom_scale_kinds[0].type == ScaleType::Int);
  CHECK(s.custom_scale_kinds[0].stopped_value == "0");
  CHECK(s.custom_scale_kinds[1].type == ScaleType::Bool);
  CHECK(s.custom_scale_kinds[1].stopped_value == "true");
  CHECK(s.concurrency == 8);
  CHECK(o.subset.names == std::vector<std::string>{"web", "statefulsets/db"});
  CHECK(o.subset.label_selector == "tier=front");
  CHECK(o.force);
  CHECK(o.source_unavailable);
  CHECK(o.wait_timeout == std::chrono::seconds(90));
  CHECK(o.gone_timeout == std::chrono::seconds(30));
  CHECK(o.rollback_on_failure);
  CHECK(o.reverse_sync);
  CHECK(o.journal_file == "/var/lib/drsync/journal.json");
}

TEST_CASE("fields an options document does not name keep their values", "[options]") {
  MigrationOptions o;
  o.sync.prune = true;
  o.wait_timeout = std::chrono::seconds(42);
  o.sync.image_map = {{"a", "b"}};
  apply_options_document(o, R"({"includeJobs": true})");  // JSON is a YAML document too
  CHECK(o.sync.include_jobs);
  CHECK(o.sync.prune);
  CHECK(o.wait_timeout == std::chrono::seconds(42));
  CHECK(o.sync.image_map.size() == 1);
  CHECK(o.sync.include_custom_resources);  // the library default

  apply_options_document(o, "");  // an empty document changes nothing
  CHECK(o.sync.prune);
}

TEST_CASE("an unknown key is an error naming its path", "[options]") {
  CHECK(options_error("prunee: true").find("opts.yaml.prunee: unknown field") != std::string::npos);
  std::string nested = options_error("scaleKinds:\n- {kind: X, path: /spec/n, stoped: 1}\n");
  CHECK(nested.find("opts.yaml.scaleKinds[0].stoped: unknown field") != std::string::npos);
  CHECK(plan_error(std::string(kPlanHead) + "namespaces:\n- {source: a, options: {prunne: true}}\n")
            .find("plan.yaml.namespaces[0].options.prunne: unknown field") != std::string::npos);
  CHECK(plan_error(std::string(kPlanHead) + "namespaces: [{source: a, dest: b}]\n")
            .find("plan.yaml.namespaces[0].dest: unknown field") != std::string::npos);
  CHECK(plan_error(std::string(kPlanHead) + "namespaces: [{source: a}]\nextra: 1\n")
            .find("plan.yaml.extra: unknown field") != std::string::npos);
  CHECK(
      plan_error(std::string(kPlanHead) + "defaults: {waitTimeout: 5}\nnamespaces: [{source: a}]\n")
          .find("plan.yaml.defaults.waitTimeout: unknown field") != std::string::npos);
}

TEST_CASE("a value of the wrong type is an error naming the key", "[options]") {
  CHECK(options_error("prune: yes").find("opts.yaml.prune: must be true or false") !=
        std::string::npos);  // YAML 1.2: `yes` is a string
  CHECK(options_error("prune: 'true'").find("prune: must be true or false") != std::string::npos);
  CHECK(options_error("includeTypes: deployments").find("includeTypes: must be a list") !=
        std::string::npos);
  CHECK(options_error("includeTypes: [deployments, 3]").find("includeTypes: must be a list") !=
        std::string::npos);
  CHECK(options_error("concurrency: 1.5").find("concurrency: must be an integer") !=
        std::string::npos);
  CHECK(options_error("waitTimeoutSeconds: 5m").find("waitTimeoutSeconds: must be an integer") !=
        std::string::npos);
  CHECK(options_error("labelSelector: [a]").find("labelSelector: must be a string") !=
        std::string::npos);
  CHECK(options_error("storageClassMap: [a]").find("storageClassMap: must be a mapping") !=
        std::string::npos);
  CHECK(options_error("storageClassMap: {standard: 1}").find("storageClassMap.standard: must be") !=
        std::string::npos);
  CHECK(options_error("unmanaged: maybe").find("unmanaged: must be skip, adopt or fail") !=
        std::string::npos);
  CHECK(options_error("immutable: replace").find("immutable: must be fail or recreate") !=
        std::string::npos);
  CHECK(options_error("scaleKinds: [{kind: X, path: /spec/n, type: float}]")
            .find("scaleKinds[0].type: must be int, bool or string") != std::string::npos);
  CHECK(options_error("scaleKinds: [{kind: X}]").find("kind and path are required") !=
        std::string::npos);
  CHECK(options_error("[1, 2]").find("must be a mapping") != std::string::npos);
  CHECK(options_error("prune: [").find("opts.yaml") != std::string::npos);  // malformed YAML
}

TEST_CASE("numbers out of range are errors, not wrapped or negative (fuzz findings)", "[options]") {
  CHECK(options_error("concurrency: 0").find("concurrency: must be between 1 and 1024") !=
        std::string::npos);
  CHECK(options_error("concurrency: -4").find("concurrency: must be between") != std::string::npos);
  CHECK(options_error("concurrency: 4294967297").find("concurrency: must be between") !=
        std::string::npos);  // was truncated to int: 1
  CHECK(options_error("waitTimeoutSeconds: -1").find("waitTimeoutSeconds: must be between 0") !=
        std::string::npos);
  CHECK(options_error("goneTimeoutSeconds: 99999999999").find("goneTimeoutSeconds: must be") !=
        std::string::npos);
}

TEST_CASE("a plan with two pairs: defaults, per-pair overrides, destination name", "[options]") {
  DrPlan plan = parse_plan(std::string(kPlanHead) + R"(metadata: {name: shop-dr}
defaults:
  prune: true
  waitTimeoutSeconds: 120
  imageMap: {docker.io: mirror.local}
namespaces:
- source: shop
  destination: shop-dr
- source: payments
  options:
    prune: false
    imageMap: {quay.io: mirror.local/quay}
    workloads: [api]
)",
                           "plan.yaml", "/plans");
  CHECK(plan.name == "shop-dr");
  CHECK(plan.source.kubeconfig == "/plans/src.kubeconfig");
  CHECK(plan.source.context == "prod");
  CHECK(plan.destination.kubeconfig == "/etc/drsync/dr.kubeconfig");
  CHECK(plan.destination.context.empty());
  REQUIRE(plan.namespaces.size() == 2);

  const PlanNamespace& shop = plan.namespaces[0];
  CHECK(shop.source == "shop");
  CHECK(shop.destination == "shop-dr");
  CHECK(shop.options.sync.prune);
  CHECK(shop.options.wait_timeout == std::chrono::seconds(120));
  REQUIRE(shop.options.sync.image_map.size() == 1);
  CHECK(shop.options.sync.image_map[0].first == "docker.io");
  CHECK(shop.options.subset.empty());

  const PlanNamespace& payments = plan.namespaces[1];
  CHECK(payments.destination == "payments");  // defaults to the source's name
  CHECK_FALSE(payments.options.sync.prune);
  CHECK(payments.options.wait_timeout == std::chrono::seconds(120));  // from the defaults
  REQUIRE(payments.options.sync.image_map.size() == 1);  // a map given replaces the default's
  CHECK(payments.options.sync.image_map[0].first == "quay.io");
  CHECK(payments.options.subset.names == std::vector<std::string>{"api"});
}

TEST_CASE("a malformed plan is an error saying what is wrong", "[options]") {
  CHECK(plan_error("apiVersion: v1\nkind: DRPlan\n").find("apiVersion: drsync.io/v1") !=
        std::string::npos);
  CHECK(plan_error("apiVersion: drsync.io/v1\nkind: Plan\n").find("kind: DRPlan") !=
        std::string::npos);
  CHECK(plan_error(
            "apiVersion: drsync.io/v1\nkind: DRPlan\ndestination: {}\nnamespaces: [{source: a}]\n")
            .find("plan.yaml.source: is required") != std::string::npos);
  CHECK(plan_error(std::string(kPlanHead)).find("namespaces: must list at least one") !=
        std::string::npos);
  CHECK(plan_error(std::string(kPlanHead) + "namespaces: []\n").find("at least one") !=
        std::string::npos);
  CHECK(plan_error(std::string(kPlanHead) + "namespaces: [{destination: b}]\n")
            .find("namespaces[0].source: is required") != std::string::npos);
  CHECK(plan_error(std::string(kPlanHead) + "namespaces: [{source: a}]\nmetadata: {labels: {}}\n")
            .find("metadata.labels: unknown field") != std::string::npos);
}

TEST_CASE("relative paths resolve against the plan's folder", "[options]") {
  TempDir dir;
  dir.write("rules/modifiers.yaml", kModifiers);
  std::string path = dir.write("plans/dr.yaml", R"(apiVersion: drsync.io/v1
kind: DRPlan
source: {kubeconfig: ../kube/source.kubeconfig}
destination: {kubeconfig: dest.kubeconfig}
defaults: {resourceModifiers: ../rules/modifiers.yaml, journalFile: state/journal.json}
namespaces: [{source: web}]
)");
  DrPlan plan = load_plan(path);
  auto normal = [](const std::string& p) { return std::filesystem::path(p).lexically_normal(); };
  CHECK(normal(plan.source.kubeconfig) == dir.path / "kube/source.kubeconfig");
  CHECK(normal(plan.destination.kubeconfig) == dir.path / "plans/dest.kubeconfig");
  REQUIRE(plan.namespaces.size() == 1);
  const MigrationOptions& o = plan.namespaces[0].options;
  REQUIRE(o.sync.modifiers != nullptr);
  CHECK(o.sync.modifiers->size() == 1);
  CHECK(normal(o.journal_file) == dir.path / "plans/state/journal.json");

  SECTION("an options document resolves against the base directory it is given") {
    MigrationOptions opts;
    apply_options_document(opts, "resourceModifiers: rules/modifiers.yaml", "opts",
                           dir.path.string());
    REQUIRE(opts.sync.modifiers != nullptr);
    CHECK(opts.sync.modifiers->size() == 1);
  }
  SECTION("a missing modifiers file is an error naming it") {
    MigrationOptions opts;
    try {
      apply_options_document(opts, "resourceModifiers: nope.yaml", "opts", dir.path.string());
      FAIL("no error");
    } catch (const Error& e) {
      CHECK(std::string(e.what()).find("nope.yaml") != std::string::npos);
    }
  }
  SECTION("a plan file that does not exist") {
    try {
      load_plan((dir.path / "missing.yaml").string());
      FAIL("no error");
    } catch (const Error& e) {
      CHECK(e.code() == Errc::invalid_argument);
      CHECK(std::string(e.what()).find("missing.yaml") != std::string::npos);
    }
  }
}

TEST_CASE("migrateData and the data mover's settings", "[options]") {
  MigrationOptions o;
  apply_options_document(o, R"(
migrateData: true
reverseMigrateData: true
dataMover:
  image: registry.example.com/mover:1
  serviceType: LoadBalancer
  address: dr-gw.example.com
  parallelism: 4
  rsyncArgs: [--compress]
  bandwidthLimitKiB: 10240
  exclude: [cache/, "*.tmp"]
  timeoutSeconds: 600
  verify: sample
  nodeSelector: {pool: data}
  tolerations: [{key: dedicated, operator: Exists}]
)");
  CHECK(o.migrate_data);
  CHECK(o.reverse_migrate_data);
  const auto& d = o.data_mover;
  CHECK(d.image == "registry.example.com/mover:1");
  CHECK(d.service_type == "LoadBalancer");
  CHECK(d.address == "dr-gw.example.com");
  CHECK(d.parallelism == 4);
  CHECK(d.rsync_args == std::vector<std::string>{"--compress"});
  CHECK(d.bandwidth_limit_kib == 10240);
  CHECK(d.exclude.size() == 2);
  CHECK(d.timeout == std::chrono::seconds(600));
  CHECK(d.verify == DataMoverOptions::Verify::Sample);
  CHECK(d.placement.node_selector.at("pool") == "data");
  CHECK(d.placement.tolerations.at(0).op == "Exists");
  CHECK(options_error("dataMover: {serviceType: Ingress}") ==
        "opts.yaml.dataMover.serviceType: must be NodePort, LoadBalancer or ClusterIP");
  CHECK(options_error("dataMover: {verify: maybe}") ==
        "opts.yaml.dataMover.verify: must be none, sample or full");
  CHECK(options_error("dataMover: {parallelism: 0}") ==
        "opts.yaml.dataMover.parallelism: must be between 1 and 64");
  CHECK(options_error("dataMover: {imag: x}") == "opts.yaml.dataMover.imag: unknown field");
}
