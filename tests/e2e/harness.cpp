#include "e2e/harness.hpp"

#include <sys/wait.h>
#include <unistd.h>

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>
#include <thread>

#include "drsync/error.hpp"
#include "drsync/yaml.hpp"

namespace drsync::test {

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  REQUIRE(in.good());
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

std::string clusters_dir() {
  const char* dir = std::getenv("DRSYNC_TEST_CLUSTERS");
  if (dir == nullptr || *dir == '\0') {
    FAIL(
        "DRSYNC_TEST_CLUSTERS is not set: run the e2e tests through ctest, which starts the "
        "clusters (tests/cluster/up)");
  }
  return dir;
}

std::string kubeconfig_path(const std::string& name) {
  return clusters_dir() + "/" + name + ".kubeconfig";
}

const Cluster& source() {
  static Cluster c = Cluster::from_kubeconfig(kubeconfig_path("source"));
  return c;
}

const Cluster& dest() {
  static Cluster c = Cluster::from_kubeconfig(kubeconfig_path("dest"));
  return c;
}

std::string unique_namespace(const std::string& prefix) {
  static std::atomic<int> counter{0};
  return prefix + "-" + std::to_string(getpid()) + "-" + std::to_string(++counter);
}

void create_namespace(const Cluster& c, const std::string& ns) {
  Object obj = Object::parse(R"({"apiVersion":"v1","kind":"Namespace","metadata":{}})");
  obj.set_name(ns);
  c.create(c.resolve("namespaces"), "", obj);
  // Pods need the namespace's default ServiceAccount (created by the controller-manager).
  auto sa = c.resolve("serviceaccounts");
  wait_until([&] { return c.try_get(sa, ns, "default").has_value(); }, std::chrono::seconds(30));
}

void delete_namespace(const Cluster& c, const std::string& ns) {
  try {
    c.remove(c.resolve("namespaces"), "", ns);
  } catch (const Error&) {
    // Already gone or cluster stopped: nothing to clean up.
  }
}

ScopedNamespace::ScopedNamespace(const Cluster& c, const std::string& prefix)
    : cluster_(c), name_(unique_namespace(prefix)) {
  create_namespace(c, name_);
}

ScopedNamespace::~ScopedNamespace() {
  delete_namespace(cluster_, name_);
}

Cluster service_account(const Cluster& admin, const std::string& ns, const std::string& name,
                        const std::string& role_kind, const std::string& role_name) {
  Object sa = Object::parse(R"({"apiVersion":"v1","kind":"ServiceAccount","metadata":{}})");
  sa.set_name(name);
  admin.create(admin.resolve("serviceaccounts"), ns, sa);
  Object rb = Object::parse(
      R"({"apiVersion":"rbac.authorization.k8s.io/v1","kind":"RoleBinding","metadata":{},
      "roleRef":{"apiGroup":"rbac.authorization.k8s.io","kind":"K","name":"R"},
      "subjects":[{"kind":"ServiceAccount","name":"N","namespace":"NS"}]})");
  rb.set_name(name);
  rb.find("/roleRef/kind")->SetString(role_kind.c_str(), rb.allocator());
  rb.find("/roleRef/name")->SetString(role_name.c_str(), rb.allocator());
  rb.find("/subjects/0/name")->SetString(name.c_str(), rb.allocator());
  rb.find("/subjects/0/namespace")->SetString(ns.c_str(), rb.allocator());
  admin.create(admin.resolve("rolebindings"), ns, rb);
  Object token = admin.request(Verb::Create)
                     .resource(admin.resolve("serviceaccounts"))
                     .in_namespace(ns)
                     .name(name)
                     .subresource("token")
                     .body(R"({"apiVersion":"authentication.k8s.io/v1","kind":"TokenRequest",
                              "spec":{"expirationSeconds":3600}})")
                     .object();
  RestConfig config = admin.config();
  config.client_cert_pem.clear();
  config.client_key_pem.clear();
  config.bearer_token = std::string(json_str(token.find("/status/token")));
  return Cluster(config);
}

std::vector<Object> fixture_app(const std::string& app) {
  namespace fs = std::filesystem;
  fs::path dir = fs::path(DRSYNC_FIXTURES_DIR) / "apps" / app;
  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator(dir)) {
    if (e.path().extension() == ".yaml" || e.path().extension() == ".yml")
      files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());
  std::vector<Object> crds, rest;
  for (const auto& f : files) {
    for (auto& o : load_yaml_file(f.string())) {
      (o.kind() == "CustomResourceDefinition" ? crds : rest).push_back(std::move(o));
    }
  }
  for (auto& o : rest) crds.push_back(std::move(o));
  return crds;
}

void apply_objects(const Cluster& c, const std::string& ns, std::vector<Object>& objects) {
  bool refreshed = false;
  for (auto& o : objects) {
    auto type = c.find_kind(o.api_version(), o.kind());
    if (!type && !refreshed) {
      // A CRD created just before: wait until discovery serves it.
      wait_until([&] {
        c.resources(true);
        return c.find_kind(o.api_version(), o.kind()).has_value();
      });
      refreshed = true;
      type = c.find_kind(o.api_version(), o.kind());
    }
    REQUIRE(type.has_value());
    if (type->namespaced) o.set_namespace(ns);
    try {
      c.create(*type, ns, o);
    } catch (const Error& e) {
      if (e.code() != Errc::already_exists) throw;
    }
  }
}

namespace {

// KEY=VALUE lines of $DRSYNC_TEST_CLUSTERS/env (written by tests/cluster/up).
std::map<std::string, std::string> cluster_env() {
  std::map<std::string, std::string> env;
  std::ifstream in(clusters_dir() + "/env");
  std::string line;
  while (std::getline(in, line)) {
    auto eq = line.find('=');
    if (eq != std::string::npos) env[line.substr(0, eq)] = line.substr(eq + 1);
  }
  return env;
}

// "key=value:effect" or "key=value" split at '=' and ':'.
void split_taint(const std::string& s, std::string& key, std::string& value, std::string* effect) {
  auto eq = s.find('=');
  auto colon = s.rfind(':');
  key = s.substr(0, eq);
  if (effect != nullptr && colon != std::string::npos && colon > eq) {
    value = s.substr(eq + 1, colon - eq - 1);
    *effect = s.substr(colon + 1);
  } else {
    value = eq == std::string::npos ? "" : s.substr(eq + 1);
  }
}

}  // namespace

std::optional<RealNode> real_node(const std::string& cluster) {
  auto env = cluster_env();
  if (env["REAL_NODES"] != "1") return std::nullopt;
  std::string prefix = cluster == "source" ? "SOURCE" : "DEST";
  RealNode n;
  n.cluster = cluster;
  n.name = env[prefix + "_REAL_NODE"];
  n.ip = env[prefix + "_REAL_NODE_IP"];
  if (n.name.empty()) return std::nullopt;
  split_taint(env["REAL_NODE_LABEL"], n.label_key, n.label_value, nullptr);
  split_taint(env["REAL_NODE_TAINT"], n.taint_key, n.taint_value, &n.taint_effect);
  n.tools_image = env["TOOLS_IMAGE"];
  return n;
}

std::string real_nodes_unavailable_reason() {
  auto env = cluster_env();
  if (env.count("REAL_NODES") == 0)
    return "the clusters' env file has no REAL_NODES line (started by an older tests/cluster/up?)";
  return env["REAL_NODES_REASON"];
}

bool require_real_nodes() {
  if (real_node("source") && real_node("dest")) return true;
  std::string why = "real nodes unavailable: " + real_nodes_unavailable_reason();
  std::cout << "SKIPPED: " << why << std::endl;
  if (Catch::getCurrentContext().getConfig()->getTestsOrTags().size() == 1) std::exit(77);
  WARN(why);
  return false;
}

std::string real_node_placement(const RealNode& node) {
  return fmt::format(
      R"("nodeSelector":{{"{}":"{}"}},"tolerations":[{{"key":"{}","operator":"Equal",)"
      R"("value":"{}","effect":"{}"}}])",
      node.label_key, node.label_value, node.taint_key, node.taint_value, node.taint_effect);
}

int run_command(const std::string& command) {
  int status = std::system(command.c_str());
  if (status == -1) return -1;
  if (WIFSIGNALED(status)) return -WTERMSIG(status);
  return WEXITSTATUS(status);
}

PrivateClusters::PrivateClusters() {
  char tmpl[] = "/tmp/drsync-private-XXXXXX";
  char* made = mkdtemp(tmpl);
  REQUIRE(made != nullptr);
  dir_ = made;
  std::filesystem::remove(dir_);  // up creates it
  int rc = run_command(std::string(DRSYNC_TESTS_DIR) + "/cluster/up --real-nodes off --dir " +
                       dir_ + " > " + dir_ + ".up.log 2>&1");
  if (rc != 0) run_command("cat " + dir_ + ".up.log >&2");
  REQUIRE(rc == 0);
}

PrivateClusters::~PrivateClusters() {
  run_command(std::string(DRSYNC_TESTS_DIR) + "/cluster/down --dir " + dir_ + " > /dev/null 2>&1");
  std::filesystem::remove(dir_ + ".up.log");
}

void PrivateClusters::stop(const std::string& which) const {
  REQUIRE(run_command(std::string(DRSYNC_TESTS_DIR) + "/cluster/stop " + dir_ + " " + which) == 0);
}

void PrivateClusters::start(const std::string& which) const {
  REQUIRE(run_command(std::string(DRSYNC_TESTS_DIR) + "/cluster/start " + dir_ + " " + which +
                      " > /dev/null") == 0);
}

bool wait_workloads_ready(const Cluster& c, const std::string& ns,
                          std::chrono::milliseconds timeout) {
  auto ready = [&] {
    for (const char* type : {"deployments", "statefulsets"}) {
      const char* field = std::string_view(type) == "deployments" ? "/status/availableReplicas"
                                                                  : "/status/readyReplicas";
      for (const auto& w : c.list(c.resolve(type), ns).items) {
        const rapidjson::Value* want = w.find("/spec/replicas");
        const rapidjson::Value* have = w.find(field);
        long long wanted = want && want->IsInt64() ? want->GetInt64() : 1;
        long long got = have && have->IsInt64() ? have->GetInt64() : 0;
        if (got < wanted) return false;
      }
    }
    return true;
  };
  return wait_until(ready, timeout);
}

bool wait_until(const std::function<bool()>& condition, std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    if (condition()) return true;
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
}

MigrationOptions fast_options() {
  MigrationOptions o;
  o.poll_interval = std::chrono::milliseconds(100);
  o.wait_timeout = std::chrono::seconds(120);
  o.gone_timeout = std::chrono::seconds(60);
  return o;
}

}  // namespace drsync::test
