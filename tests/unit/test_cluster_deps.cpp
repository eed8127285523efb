// The cluster-scoped dependencies of a namespace (ClusterRoleBindings of its ServiceAccounts and
// their ClusterRoles): names, subject rewrites, users, and the planner's decisions — pure, no
// server.
#include <catch2/catch.hpp>

#include <algorithm>

#include "drsync/object.hpp"
#include "drsync/sync.hpp"
#include "sync/cluster_deps.hpp"

using namespace drsync;
using namespace drsync::detail;

namespace {

Object binding(const std::string& name, const std::string& role, const std::string& sa_ns,
               const std::string& extra = "") {
  return Object::parse(
      R"({"apiVersion":"rbac.authorization.k8s.io/v1","kind":"ClusterRoleBinding","metadata":{"name":")" +
      name +
      R"(","uid":"u1","resourceVersion":"7"},"roleRef":{"apiGroup":"rbac.authorization.k8s.io","kind":"ClusterRole","name":")" +
      role + R"("},"subjects":[{"kind":"ServiceAccount","name":"server","namespace":")" + sa_ns +
      R"("},{"kind":"User","name":"alice"})" + extra + "]}");
}

Object role(const std::string& name, const std::string& labels = "{}") {
  return Object::parse(
      R"({"apiVersion":"rbac.authorization.k8s.io/v1","kind":"ClusterRole","metadata":{"name":")" +
      name + R"(","labels":)" + labels +
      R"(},"rules":[{"apiGroups":[""],"resources":["pods"],"verbs":["get"]}]})");
}

struct Fixture {
  ClusterListing listing;
  Fixture() {
    listing.listed = true;
    listing.roles.type.info = ResourceInfo{
        "rbac.authorization.k8s.io", "v1", "clusterroles", "ClusterRole", false, {}, {}, {}, {}};
    listing.bindings.type.info = ResourceInfo{"rbac.authorization.k8s.io",
                                              "v1",
                                              "clusterrolebindings",
                                              "ClusterRoleBinding",
                                              false,
                                              {},
                                              {},
                                              {},
                                              {}};
  }
  Plan plan(const std::string& src_ns, const std::string& dst_ns, bool prune = false) {
    Plan p;
    plan_cluster_objects(listing, ClusterPlanInput{src_ns, dst_ns, prune, nullptr}, p, problems);
    return p;
  }
  Problems problems;
};

const PlannedObject* find(const Plan& plan, const std::string& resource, const std::string& name) {
  auto it = std::find_if(plan.objects.begin(), plan.objects.end(), [&](const PlannedObject& p) {
    return p.type->info.resource == resource && p.name == name;
  });
  return it == plan.objects.end() ? nullptr : &*it;
}

}  // namespace

TEST_CASE("cluster copies get a distinct name per renamed namespace", "[unit][cluster]") {
  Object b = binding("argocd-server", "argocd-server", "argocd");
  CHECK(cluster_copy_name(b, "argocd", "argocd") == "argocd-server");
  CHECK(cluster_copy_name(b, "argocd", "argocd-dr") == "argocd-server-argocd-dr");
  CHECK(cluster_copy_name(b, "argocd", "argocd-dr2") == "argocd-server-argocd-dr2");
  // A copy copied back to its original namespace gets the original's name again.
  Object copy = binding("argocd-server-argocd-dr", "x", "argocd-dr");
  copy.set_annotation(kOriginalNameAnnotation, "argocd-server");
  copy.set_annotation(kOriginalNamespaceAnnotation, "argocd");
  CHECK(cluster_copy_name(copy, "argocd-dr", "argocd") == "argocd-server");
  CHECK(cluster_copy_name(copy, "argocd-dr", "other") == "argocd-server-other");
  // Never longer than a name may be, and still distinct.
  Object long_name = binding(std::string(250, 'a'), "x", "ns");
  std::string one = cluster_copy_name(long_name, "ns", "dr-one");
  std::string two = cluster_copy_name(long_name, "ns", "dr-two");
  CHECK(one.size() <= 253);
  CHECK(two.size() <= 253);
  CHECK(one != two);
}

TEST_CASE("only the namespace's ServiceAccount subjects move", "[unit][cluster]") {
  Object b = binding("b", "r", "app",
                     R"(,{"kind":"ServiceAccount","name":"mon","namespace":"monitoring"})");
  CHECK(binds_service_account_of(b, "app"));
  CHECK(binds_service_account_of(b, "monitoring"));
  CHECK_FALSE(binds_service_account_of(b, "other"));
  rewrite_subjects(b, "app", "app-dr");
  CHECK(json_str(b.find("/subjects/0/namespace")) == "app-dr");
  CHECK(b.find("/subjects/1/namespace") == nullptr);  // the User
  CHECK(json_str(b.find("/subjects/2/namespace")) == "monitoring");
}

TEST_CASE("bootstrap ClusterRoles are referenced, never copied", "[unit][cluster]") {
  CHECK(is_bootstrap_role(role("system:auth-delegator")));
  CHECK(is_bootstrap_role(role("view", R"({"kubernetes.io/bootstrapping":"rbac-defaults"})")));
  CHECK_FALSE(is_bootstrap_role(role("argocd-server")));

  Fixture f;
  f.listing.bindings.source.items.push_back(binding("app-view", "view", "app"));
  f.listing.roles.source.items.push_back(
      role("view", R"({"kubernetes.io/bootstrapping":"rbac-defaults"})"));
  Plan plan = f.plan("app", "app-dr");
  REQUIRE(plan.objects.size() == 1);
  const PlannedObject* b = find(plan, "clusterrolebindings", "app-view-app-dr");
  REQUIRE(b != nullptr);
  CHECK(json_str(b->desired.find("/roleRef/name")) == "view");
}

TEST_CASE("a renamed copy: binding and role renamed, subjects and roleRef follow",
          "[unit][cluster]") {
  Fixture f;
  f.listing.bindings.source.items.push_back(binding("argocd-server", "argocd-server", "argocd"));
  f.listing.bindings.source.items.push_back(binding("unrelated", "argocd-server", "elsewhere"));
  f.listing.roles.source.items.push_back(role("argocd-server"));
  Plan plan = f.plan("argocd", "argocd-dr");
  REQUIRE(plan.objects.size() == 2);
  const PlannedObject* r = find(plan, "clusterroles", "argocd-server-argocd-dr");
  const PlannedObject* b = find(plan, "clusterrolebindings", "argocd-server-argocd-dr");
  REQUIRE(r != nullptr);
  REQUIRE(b != nullptr);
  CHECK(r->action == Action::Create);
  CHECK(b->action == Action::Create);
  CHECK(json_str(b->desired.find("/roleRef/name")) == "argocd-server-argocd-dr");
  CHECK(json_str(b->desired.find("/subjects/0/namespace")) == "argocd-dr");
  CHECK(b->desired.label(kManagedByLabel) == kManagedByValue);
  CHECK(b->desired.annotation(kUsedByAnnotation) == "argocd-dr");
  CHECK(b->desired.annotation(kOriginalNameAnnotation) == "argocd-server");
  CHECK(b->desired.annotation(kOriginalNamespaceAnnotation) == "argocd");
  CHECK(b->desired.find("/metadata/uid") == nullptr);
  CHECK(b->desired.find("/metadata/resourceVersion") == nullptr);

  // Not renamed: the original names, no original-name annotations.
  Fixture same;
  same.listing.bindings.source.items.push_back(binding("argocd-server", "argocd-server", "argocd"));
  same.listing.roles.source.items.push_back(role("argocd-server"));
  Plan p2 = same.plan("argocd", "argocd");
  REQUIRE(find(p2, "clusterrolebindings", "argocd-server") != nullptr);
  CHECK_FALSE(find(p2, "clusterrolebindings", "argocd-server")
                  ->desired.has_annotation(kOriginalNameAnnotation));
}

TEST_CASE("an object drsync did not create is never written, its own copies are shared",
          "[unit][cluster]") {
  Fixture f;
  f.listing.bindings.source.items.push_back(binding("shared", "reader", "app"));
  f.listing.roles.source.items.push_back(role("reader"));
  f.listing.roles.dest.items.push_back(role("reader"));  // someone else's
  Plan first = f.plan("app", "app");
  const PlannedObject* r = find(first, "clusterroles", "reader");
  REQUIRE(r != nullptr);
  CHECK(r->action == Action::Skip);
  CHECK_FALSE(f.problems.warnings.empty());

  // Ours, used by another namespace, same content: an update that adds this namespace.
  Fixture g;
  g.listing.bindings.source.items.push_back(binding("shared", "reader", "app"));
  g.listing.roles.source.items.push_back(role("reader"));
  Plan made = g.plan("other", "other");  // no binding of "other": nothing
  CHECK(made.objects.empty());
  Plan mine = g.plan("app", "app");
  Object live = find(mine, "clusterroles", "reader")->desired.clone();
  live.set_annotation(kUsedByAnnotation, "team-b");
  Fixture h;
  h.listing.bindings.source.items.push_back(binding("shared", "reader", "app"));
  h.listing.roles.source.items.push_back(role("reader"));
  h.listing.roles.dest.items.push_back(std::move(live));
  Plan again = h.plan("app", "app");
  const PlannedObject* u = find(again, "clusterroles", "reader");
  REQUIRE(u != nullptr);
  CHECK(u->action == Action::Update);
  CHECK(u->desired.annotation(kUsedByAnnotation) == "app,team-b");
}

TEST_CASE("a prune releases a shared copy and deletes only the last user's", "[unit][cluster]") {
  auto ours = [](const std::string& name, const std::string& users) {
    Object r = role(name);
    r.set_label(kManagedByLabel, kManagedByValue);
    r.set_annotation(kUsedByAnnotation, users);
    return r;
  };
  Fixture f;  // the source no longer has any binding for "app"
  f.listing.roles.dest.items.push_back(ours("only-app", "app"));
  f.listing.roles.dest.items.push_back(ours("shared", "app,team-b"));
  f.listing.roles.dest.items.push_back(ours("not-ours-ns", "team-b"));
  f.listing.roles.dest.items.push_back(role("foreign"));
  CHECK(f.plan("app", "app", false).objects.empty());  // no prune asked
  Plan plan = f.plan("app", "app", true);
  REQUIRE(plan.objects.size() == 2);
  CHECK(find(plan, "clusterroles", "only-app")->action == Action::Prune);
  const PlannedObject* shared = find(plan, "clusterroles", "shared");
  CHECK(shared->action == Action::Update);
  CHECK(shared->releases);
  CHECK(shared->desired.annotation(kUsedByAnnotation) == "team-b");
  CHECK(find(plan, "clusterroles", "foreign") == nullptr);
  CHECK(find(plan, "clusterroles", "not-ours-ns") == nullptr);
}

TEST_CASE("users are a sorted set", "[unit][cluster]") {
  Object o = role("r");
  o.set_annotation(kUsedByAnnotation, "b,a,,b");
  CHECK(used_by(o) == std::set<std::string>{"a", "b"});
  Object d = role("r");
  set_used_by(d, &o, "c", true);
  CHECK(d.annotation(kUsedByAnnotation) == "a,b,c");
  set_used_by(d, &o, "a", false);
  CHECK(d.annotation(kUsedByAnnotation) == "b");
}
