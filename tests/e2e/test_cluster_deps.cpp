// Cluster-scoped dependencies of a DR copy on the real clusters: argo-cd's ClusterRoleBindings and
// ClusterRoles copied into renamed namespaces (subjects rewritten, no collision between two
// copies), objects drsync did not create left alone, prunes that keep what another namespace
// still uses, and an identity without the cluster-level rules getting a report instead of a
// failure.
#include <catch2/catch.hpp>

#include <algorithm>

#include "drsync/migration.hpp"
#include "drsync/sync.hpp"
#include "e2e/harness.hpp"

using namespace drsync;

namespace {

const ResourceInfo& crbs() {
  static const ResourceInfo r = test::source().resolve("clusterrolebindings");
  return r;
}
const ResourceInfo& crs() {
  static const ResourceInfo r = test::source().resolve("clusterroles");
  return r;
}

// argo-cd's RBAC fixture made unique for this run: cluster-scoped names suffixed, the bindings'
// subjects in `ns` (the fixture names namespace argocd, as argo-cd's install does).
std::vector<Object> argocd_rbac(const std::string& ns, const std::string& suffix) {
  std::vector<Object> objs = test::fixture_app("argo-cd-rbac");
  for (auto& o : objs) {
    if (o.kind() == "ClusterRole" || o.kind() == "ClusterRoleBinding")
      o.set_name(std::string(o.name()) + "-" + suffix);
    if (o.kind() != "ClusterRoleBinding") continue;
    std::string role = std::string(json_str(o.find("/roleRef/name"))) + "-" + suffix;
    o.find("/roleRef/name")->SetString(role.c_str(), o.allocator());
    o.find("/subjects/0/namespace")->SetString(ns.c_str(), o.allocator());
  }
  return objs;
}

void remove_cluster_objects(const Cluster& c, const std::string& suffix) {
  for (const ResourceInfo* r : {&crbs(), &crs()}) {
    for (const auto& o : c.list(*r, "").items) {
      std::string name(o.name());
      if (name.find(suffix) != std::string::npos) {
        try {
          c.remove(*r, "", name);
        } catch (const Error&) {
        }
      }
    }
  }
}

MigrationOptions fast() {
  MigrationOptions o;
  o.poll_interval = std::chrono::milliseconds(100);
  o.wait_timeout = std::chrono::seconds(60);
  return o;
}

bool has_line(const std::vector<std::string>& lines, const std::string& part) {
  return std::any_of(lines.begin(), lines.end(),
                     [&](const std::string& l) { return l.find(part) != std::string::npos; });
}

}  // namespace

TEST_CASE("argo-cd's ClusterRoleBindings follow two renamed copies without colliding",
          "[e2e][sync][cluster]") {
  const Cluster& src = test::source();
  const Cluster& dst = test::dest();
  test::ScopedNamespace ns(src, "argocd");
  const std::string suffix = ns.name();
  auto objs = argocd_rbac(ns.name(), suffix);
  test::apply_objects(src, ns.name(), objs);
  const std::string server = "argocd-server-" + suffix;
  const std::string controller = "argocd-application-controller-" + suffix;
  const std::string d1 = ns.name() + "-dr1", d2 = ns.name() + "-dr2";

  for (const std::string& d : {d1, d2}) {
    MigrationReport r = Migration(src, ns.name(), dst, d, fast()).stage();
    INFO(r.to_json());
    REQUIRE(r.ok);
  }
  for (const std::string& d : {d1, d2}) {
    for (const std::string& name : {server, controller}) {
      auto b = dst.try_get(crbs(), "", name + "-" + d);
      REQUIRE(b.has_value());
      CHECK(json_str(b->find("/subjects/0/namespace")) == d);
      CHECK(json_str(b->find("/subjects/0/name")) ==
            name.substr(0, name.size() - suffix.size() - 1));
      CHECK(json_str(b->find("/roleRef/name")) == name + "-" + d);
      CHECK(b->label(kManagedByLabel) == kManagedByValue);
      CHECK(b->annotation(kUsedByAnnotation) == d);
      auto role = dst.try_get(crs(), "", name + "-" + d);
      REQUIRE(role.has_value());
      CHECK(role->find("/rules")->Size() == src.get(crs(), "", name).find("/rules")->Size());
    }
  }
  // The source's own objects are untouched.
  CHECK(json_str(src.get(crbs(), "", server).find("/subjects/0/namespace")) == ns.name());

  // A name a third copy would take, held by someone else: never written.
  const std::string d3 = ns.name() + "-dr3";
  Object foreign = Object::parse(
      R"({"apiVersion":"rbac.authorization.k8s.io/v1","kind":"ClusterRole","metadata":{},"rules":[]})");
  foreign.set_name(server + "-" + d3);
  dst.create(crs(), "", foreign);
  MigrationReport third = Migration(src, ns.name(), dst, d3, fast()).stage();
  INFO(third.to_json());
  REQUIRE(third.ok);
  CHECK(has_line(third.warnings, server + "-" + d3));
  Object still = dst.get(crs(), "", server + "-" + d3);
  CHECK_FALSE(still.has_label(kManagedByLabel));
  CHECK(still.find("/rules")->Size() == 0);

  // The server's binding leaves the source: a prune of d1 removes d1's copies of it (binding and
  // role), d2's stay, the foreign role stays.
  src.remove(crbs(), "", server);
  MigrationOptions pruning = fast();
  pruning.sync.prune = true;
  for (const std::string& d : {d1, d3}) {
    MigrationReport pruned = Migration(src, ns.name(), dst, d, pruning).stage();
    INFO(pruned.to_json());
    REQUIRE(pruned.ok);
  }
  CHECK_FALSE(dst.try_get(crbs(), "", server + "-" + d1).has_value());
  CHECK_FALSE(dst.try_get(crs(), "", server + "-" + d1).has_value());
  CHECK(dst.try_get(crbs(), "", controller + "-" + d1).has_value());
  CHECK(dst.try_get(crbs(), "", server + "-" + d2).has_value());
  CHECK(dst.try_get(crs(), "", server + "-" + d2).has_value());
  CHECK(dst.try_get(crs(), "", server + "-" + d3).has_value());

  for (const std::string& d : {d1, d2, d3}) test::delete_namespace(dst, d);
  remove_cluster_objects(src, suffix);
  remove_cluster_objects(dst, suffix);
}

TEST_CASE("a ClusterRole two namespaces use is pruned only with its last user",
          "[e2e][sync][cluster]") {
  const Cluster& src = test::source();
  const Cluster& dst = test::dest();
  test::ScopedNamespace a(src, "shared-a");
  test::ScopedNamespace b(src, "shared-b");
  const std::string suffix = a.name();
  // One binding, one role, ServiceAccounts of both namespaces; each namespace keeps its name.
  Object role = Object::parse(
      R"({"apiVersion":"rbac.authorization.k8s.io/v1","kind":"ClusterRole","metadata":{},
      "rules":[{"apiGroups":[""],"resources":["pods"],"verbs":["get"]}]})");
  role.set_name("reader-" + suffix);
  src.create(crs(), "", role);
  Object binding = Object::parse(
      R"({"apiVersion":"rbac.authorization.k8s.io/v1","kind":"ClusterRoleBinding","metadata":{},
      "roleRef":{"apiGroup":"rbac.authorization.k8s.io","kind":"ClusterRole","name":"R"},
      "subjects":[{"kind":"ServiceAccount","name":"app","namespace":"A"},
                  {"kind":"ServiceAccount","name":"app","namespace":"B"}]})");
  binding.set_name("reader-" + suffix);
  binding.find("/roleRef/name")->SetString(("reader-" + suffix).c_str(), binding.allocator());
  binding.find("/subjects/0/namespace")->SetString(a.name().c_str(), binding.allocator());
  binding.find("/subjects/1/namespace")->SetString(b.name().c_str(), binding.allocator());
  src.create(crbs(), "", binding);

  SyncOptions options;
  options.prune = true;
  for (const auto* n : {&a, &b}) {
    SyncResult r = NamespaceSync(src, n->name(), dst, n->name(), options).run();
    INFO(r.to_json());
    REQUIRE(r.ok());
  }
  auto users = [&](const ResourceInfo& r) {
    auto o = dst.try_get(r, "", "reader-" + suffix);
    return o ? std::string(o->annotation(kUsedByAnnotation)) : std::string("<gone>");
  };
  const std::string both = std::min(a.name(), b.name()) + "," + std::max(a.name(), b.name());
  CHECK(users(crs()) == both);
  CHECK(users(crbs()) == both);
  // A repeated sync writes nothing.
  SyncResult again = NamespaceSync(src, a.name(), dst, a.name(), options).run();
  CHECK(again.dest_requests.writes() == 0);

  src.remove(crbs(), "", "reader-" + suffix);
  SyncResult first = NamespaceSync(src, a.name(), dst, a.name(), options).run();
  INFO(first.to_json());
  REQUIRE(first.ok());
  CHECK(users(crs()) == b.name());  // b still needs them
  CHECK(users(crbs()) == b.name());
  SyncResult last = NamespaceSync(src, b.name(), dst, b.name(), options).run();
  REQUIRE(last.ok());
  CHECK(users(crs()) == "<gone>");
  CHECK(users(crbs()) == "<gone>");
  for (const auto* n : {&a, &b}) test::delete_namespace(dst, n->name());
  remove_cluster_objects(src, suffix);
}

namespace {

// A Cluster acting as ServiceAccount `name` of `ns`, which may do anything inside `ns` (the
// built-in ClusterRole admin, bound in the namespace) and nothing cluster-wide.
Cluster namespace_admin(const Cluster& admin, const std::string& ns, const std::string& name) {
  return test::service_account(admin, ns, name, "ClusterRole", "admin");
}

}  // namespace

TEST_CASE("without the cluster-level rules a Stage reports what it could not copy",
          "[e2e][migration][cluster][rbac]") {
  const Cluster& src = test::source();
  const Cluster& dst = test::dest();
  test::ScopedNamespace ns(src, "nsonly");
  test::ScopedNamespace dns(dst, "nsonly-dr");
  auto objs = argocd_rbac(ns.name(), ns.name());
  test::apply_objects(src, ns.name(), objs);
  Cluster limited_src = namespace_admin(src, ns.name(), "drsync");
  Cluster limited_dst = namespace_admin(dst, dns.name(), "drsync");
  CHECK_THROWS_AS(limited_src.list(crbs(), ""), Error);

  MigrationReport r = Migration(limited_src, ns.name(), limited_dst, dns.name(), fast()).stage();
  INFO(r.to_json());
  REQUIRE(r.ok);
  REQUIRE(r.sync.has_value());
  REQUIRE(r.sync->not_copied.size() == 1);
  CHECK(r.sync->not_copied[0].find("ClusterRoleBindings") != std::string::npos);
  CHECK(r.sync->not_copied[0].find("docs/rbac.md") != std::string::npos);
  CHECK(r.to_json().find("notCopied") != std::string::npos);
  // The namespace itself is copied.
  CHECK(dst.try_get(dst.resolve("serviceaccounts"), dns.name(), "argocd-server").has_value());
  CHECK_FALSE(dst.try_get(crbs(), "", "argocd-server-" + ns.name() + "-" + dns.name()).has_value());
  remove_cluster_objects(src, ns.name());
}

TEST_CASE("the restricted identity with the documented ClusterRole copies cluster dependencies",
          "[e2e][sync][cluster][rbac]") {
  const Cluster& src = test::source();
  const Cluster& dst = test::dest();
  const std::string ns = test::unique_namespace("granted");
  REQUIRE(test::run_command(std::string(DRSYNC_TESTS_DIR) + "/cluster/grant " +
                            test::clusters_dir() + " " + ns + " > /dev/null") == 0);
  auto objs = argocd_rbac(ns, ns);
  test::apply_objects(src, ns, objs);
  Cluster rsrc = Cluster::from_kubeconfig(test::kubeconfig_path("source-restricted"));
  Cluster rdst = Cluster::from_kubeconfig(test::kubeconfig_path("dest-restricted"));
  SyncResult r = NamespaceSync(rsrc, ns, rdst, ns).run();
  INFO(r.to_json());
  REQUIRE(r.ok());
  CHECK(r.not_copied.empty());
  for (const char* name : {"argocd-server", "argocd-application-controller"}) {
    const std::string copy = std::string(name) + "-" + ns;  // the namespace keeps its name
    auto b = dst.try_get(crbs(), "", copy);
    REQUIRE(b.has_value());
    CHECK(json_str(b->find("/subjects/0/namespace")) == ns);
    CHECK(dst.try_get(crs(), "", copy).has_value());
  }
  test::delete_namespace(src, ns);
  test::delete_namespace(dst, ns);
  remove_cluster_objects(src, ns);
  remove_cluster_objects(dst, ns);
}
