// The REST client against the real test clusters: every verb on real objects, paging, watches
// (resume, 410 re-list), the typed errors the API server produces, TLS and authentication
// failures, server-side dry run, discovery and the request counters.
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <deque>
#include <exception>
#include <future>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "drsync/cluster.hpp"
#include "drsync/config.hpp"
#include "drsync/error.hpp"
#include "drsync/object.hpp"
#include "e2e/harness.hpp"
#include "expect_error.hpp"

using namespace drsync;
using test::expect_error;
using namespace std::chrono_literals;
using test::ScopedNamespace;
using test::source;
using test::wait_until;

namespace {

Object configmap(const std::string& name, const std::map<std::string, std::string>& data = {},
                 const std::map<std::string, std::string>& labels = {}) {
  Object o = Object::parse(R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{},"data":{}})");
  o.set_name(name);
  for (const auto& [k, v] : labels) o.set_label(k, v);
  auto& a = o.allocator();
  for (const auto& [k, v] : data) {
    o.json()["data"].AddMember(json_string(k, a), json_string(v, a), a);
  }
  return o;
}

std::string data_of(const Object& o, const std::string& key) {
  const rapidjson::Value* v = o.find("/data/" + key);
  return v && v->IsString() ? std::string(v->GetString(), v->GetStringLength()) : std::string();
}

Object deployment(const std::string& name, int replicas) {
  Object o = Object::parse(R"({"apiVersion":"apps/v1","kind":"Deployment","metadata":{},
    "spec":{"replicas":1,"selector":{"matchLabels":{"app":"web"}},
      "template":{"metadata":{"labels":{"app":"web"}},"spec":{"containers":[
        {"name":"app","image":"registry.example/app:1"},
        {"name":"sidecar","image":"registry.example/sidecar:1"}]}}}})");
  o.set_name(name);
  o.find("/spec/replicas")->SetInt(replicas);
  return o;
}

bool has_manager(const Object& o, const std::string& manager, const std::string& operation) {
  const rapidjson::Value* mf = o.find("/metadata/managedFields");
  if (mf == nullptr || !mf->IsArray()) return false;
  for (const auto& entry : mf->GetArray()) {
    if (json_str(json_get(entry, "manager")) == manager &&
        json_str(json_get(entry, "operation")) == operation) {
      return true;
    }
  }
  return false;
}

// Cluster::watch on a thread of its own, recording every event.
class WatchThread {
 public:
  struct Event {
    std::string type;
    std::string name;
    std::string value;  // data.v of ConfigMaps
  };

  WatchThread(const Cluster& c, ResourceInfo r, std::string ns, WatchOptions options) {
    thread_ = std::thread([this, &c, r = std::move(r), ns = std::move(ns),
                           options = std::move(options)] {
      try {
        c.watch(
            r, ns, options,
            [this](WatchEvent& ev) {
              std::lock_guard<std::mutex> lock(mutex_);
              events_.push_back({ev.type, std::string(ev.object.name()), data_of(ev.object, "v")});
              return true;
            },
            cancel_);
      } catch (...) {
        std::lock_guard<std::mutex> lock(mutex_);
        error_ = std::current_exception();
      }
      finished_ = true;
    });
  }
  ~WatchThread() { stop(); }

  // Cancels the watch and waits for it to return (the transfer notices within about 1 s).
  void stop() {
    cancel_.cancel();
    if (thread_.joinable()) thread_.join();
  }
  bool finished() const { return finished_; }
  void rethrow_error() {
    std::lock_guard<std::mutex> lock(mutex_);
    if (error_) std::rethrow_exception(error_);
  }
  std::vector<Event> events() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return events_;
  }
  std::size_t count(const std::string& type, const std::string& name) const {
    std::lock_guard<std::mutex> lock(mutex_);
    return static_cast<std::size_t>(
        std::count_if(events_.begin(), events_.end(),
                      [&](const Event& e) { return e.type == type && e.name == name; }));
  }
  bool wait_for(const std::string& type, const std::string& name,
                std::chrono::milliseconds timeout = 30s) const {
    return wait_until([&] { return count(type, name) > 0 || finished_; }, timeout) &&
           count(type, name) > 0;
  }

 private:
  mutable std::mutex mutex_;
  std::vector<Event> events_;
  std::exception_ptr error_;
  std::atomic<bool> finished_{false};
  CancelToken cancel_;
  std::thread thread_;
};

}  // namespace

TEST_CASE("every verb on real objects", "[e2e][rest]") {
  const Cluster& c = source();
  ScopedNamespace ns(c, "rest-verbs");
  const ResourceInfo cm = c.resolve("configmaps");

  // create / get / try_get
  Object created = c.create(cm, ns.name(), configmap("cm1", {{"a", "1"}}));
  CHECK(created.name() == "cm1");
  CHECK(created.namespace_() == ns.name());
  CHECK_FALSE(created.uid().empty());
  CHECK_FALSE(created.resource_version().empty());
  Object got = c.get(cm, ns.name(), "cm1");
  CHECK(got.uid() == created.uid());
  CHECK(data_of(got, "a") == "1");
  CHECK(c.try_get(cm, ns.name(), "cm1").has_value());
  CHECK_FALSE(c.try_get(cm, ns.name(), "no-such-configmap").has_value());
  CHECK(expect_error([&] { c.get(cm, ns.name(), "no-such-configmap"); }).code() == Errc::not_found);

  // update (PUT with the resourceVersion as precondition)
  got.json()["data"]["a"].SetString("2", got.allocator());
  Object updated = c.update(cm, ns.name(), got);
  CHECK(data_of(updated, "a") == "2");
  CHECK(updated.resource_version() != got.resource_version());

  // patch: JSON patch, merge patch
  Object jp = c.patch(cm, ns.name(), "cm1", PatchType::Json,
                      R"([{"op":"add","path":"/data/b","value":"json"},)"
                      R"({"op":"test","path":"/data/a","value":"2"}])");
  CHECK(data_of(jp, "b") == "json");
  Object mp = c.patch(cm, ns.name(), "cm1", PatchType::Merge, R"({"data":{"c":"merge","b":null}})");
  CHECK(data_of(mp, "c") == "merge");
  CHECK(mp.find("/data/b") == nullptr);  // null deletes in a merge patch
  CHECK(data_of(c.get(cm, ns.name(), "cm1"), "c") == "merge");
  // A failing JSON patch test operation is rejected and changes nothing.
  Error failed_test = expect_error([&] {
    c.patch(cm, ns.name(), "cm1", PatchType::Json,
            R"([{"op":"test","path":"/data/a","value":"x"}])");
  });
  CHECK(failed_test.http_status() >= 400);
  CHECK(failed_test.http_status() < 500);

  // strategic merge: containers merge by name (a merge patch would replace the whole list)
  const ResourceInfo deploy = c.resolve("deployments");
  c.create(deploy, ns.name(), deployment("web", 1));
  Object smp = c.patch(
      deploy, ns.name(), "web", PatchType::StrategicMerge,
      R"({"spec":{"template":{"spec":{"containers":[{"name":"app","image":"registry.example/app:2"}]}}}})");
  const rapidjson::Value* containers = smp.find("/spec/template/spec/containers");
  REQUIRE(containers != nullptr);
  REQUIRE(containers->Size() == 2);
  std::map<std::string, std::string> images;
  for (const auto& ctr : containers->GetArray()) {
    images[std::string(json_str(json_get(ctr, "name")))] =
        std::string(json_str(json_get(ctr, "image")));
  }
  CHECK(images["app"] == "registry.example/app:2");
  CHECK(images["sidecar"] == "registry.example/sidecar:1");

  // server-side apply: field managers, conflicts, force
  WriteOptions owner_a;
  owner_a.field_manager = "rest-e2e-a";
  Object applied = c.apply(cm, ns.name(), configmap("applied", {{"x", "from-a"}}), owner_a);
  CHECK(data_of(applied, "x") == "from-a");
  CHECK(has_manager(applied, "rest-e2e-a", "Apply"));
  WriteOptions owner_b;
  owner_b.field_manager = "rest-e2e-b";
  Error apply_conflict = expect_error([&] {
    c.apply(cm, ns.name(), configmap("applied", {{"x", "from-b"}}), owner_b);
  });
  CHECK(apply_conflict.code() == Errc::conflict);
  CHECK(apply_conflict.http_status() == 409);
  CHECK(std::string(apply_conflict.what()).find("rest-e2e-a") != std::string::npos);
  CHECK(data_of(c.get(cm, ns.name(), "applied"), "x") == "from-a");
  owner_b.force = true;
  Object forced = c.apply(cm, ns.name(), configmap("applied", {{"x", "from-b"}}), owner_b);
  CHECK(data_of(forced, "x") == "from-b");
  CHECK(has_manager(forced, "rest-e2e-b", "Apply"));
  // The same apply again is a no-op (apply is idempotent, hence retried like a PUT).
  Object again = c.apply(cm, ns.name(), configmap("applied", {{"x", "from-b"}}), owner_b);
  CHECK(again.resource_version() == forced.resource_version());
  // PatchType::Apply through patch() directly.
  Object via_patch = c.patch(
      cm, ns.name(), "applied", PatchType::Apply,
      R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"applied"},"data":{"x":"from-b","y":"1"}})",
      owner_b);
  CHECK(data_of(via_patch, "y") == "1");

  // list: every object, with the item types stamped from the list
  ObjectList listed = c.list(cm, ns.name());
  std::set<std::string> names;
  for (const auto& item : listed.items) {
    names.insert(std::string(item.name()));
    CHECK(item.kind() == "ConfigMap");
    CHECK(item.api_version() == "v1");
  }
  CHECK(names.count("cm1") == 1);
  CHECK(names.count("applied") == 1);
  CHECK_FALSE(listed.resource_version.empty());
  CHECK(listed.pages == 1);

  // scale subresource
  CHECK(c.get_scale(deploy, ns.name(), "web") == 1);
  Object scale = c.set_scale(deploy, ns.name(), "web", 3);
  CHECK(scale.kind() == "Scale");
  REQUIRE(scale.find("/spec/replicas") != nullptr);
  CHECK(scale.find("/spec/replicas")->GetInt() == 3);
  CHECK(c.get_scale(deploy, ns.name(), "web") == 3);
  CHECK(c.get(deploy, ns.name(), "web").find("/spec/replicas")->GetInt() == 3);

  // remove: a wrong uid precondition is a Conflict and deletes nothing
  DeleteOptions wrong_uid;
  wrong_uid.propagation_policy = "Background";
  wrong_uid.precondition_uid = "00000000-0000-0000-0000-000000000000";
  Error precondition = expect_error([&] { c.remove(cm, ns.name(), "cm1", wrong_uid); });
  CHECK(precondition.code() == Errc::conflict);
  CHECK(precondition.http_status() == 409);
  CHECK(c.try_get(cm, ns.name(), "cm1").has_value());
  DeleteOptions right_uid;
  right_uid.propagation_policy = "Foreground";
  right_uid.precondition_uid = std::string(created.uid());
  c.remove(cm, ns.name(), "cm1", right_uid);
  CHECK(wait_until([&] { return !c.try_get(cm, ns.name(), "cm1").has_value(); }, 30s));
  // Deleting the Deployment with Foreground propagation: it goes once its ReplicaSet has gone.
  DeleteOptions foreground;
  foreground.propagation_policy = "Foreground";
  c.remove(deploy, ns.name(), "web", foreground);
  CHECK(wait_until([&] { return !c.try_get(deploy, ns.name(), "web").has_value(); }, 60s));
  CHECK(expect_error([&] { c.remove(cm, ns.name(), "cm1"); }).code() == Errc::not_found);
}

TEST_CASE("LIST pages through 1,200 ConfigMaps created concurrently", "[e2e][rest]") {
  Cluster c = Cluster::from_kubeconfig(test::kubeconfig_path("source"));
  ScopedNamespace ns(c, "rest-pages");
  const ResourceInfo cm = c.resolve("configmaps");
  std::vector<std::future<Response>> pending;
  for (int i = 0; i < 1200; ++i) {
    Request req;
    req.method = Method::Post;
    req.verb = Verb::Create;
    req.path = Cluster::path_for(cm, ns.name());
    req.body =
        configmap("page-" + std::to_string(i), {{"i", std::to_string(i)}}, {{"rest-page", "yes"}})
            .to_json();
    pending.push_back(c.send_async(std::move(req)));
  }
  int created = 0;
  for (auto& f : pending) {
    Response r = f.get();
    if (r.status == 201) {
      ++created;
    } else {
      INFO(r.status << " " << r.body);
      CHECK(r.status == 201);
    }
  }
  REQUIRE(created == 1200);

  c.reset_stats();
  ListOptions opts;
  opts.label_selector = "rest-page=yes";
  opts.limit = 500;
  ObjectList list = c.list(cm, ns.name(), opts);
  CHECK(list.items.size() == 1200);
  CHECK(list.pages == 3);
  CHECK(c.stats().list == 3);
  CHECK_FALSE(list.resource_version.empty());
  std::set<std::string> names;
  for (const auto& item : list.items) names.insert(std::string(item.name()));
  CHECK(names.size() == 1200);
  CHECK(names.count("page-0") == 1);
  CHECK(names.count("page-1199") == 1);

  // Without paging: one request, the same items.
  opts.limit = 0;
  ObjectList whole = c.list(cm, ns.name(), opts);
  CHECK(whole.items.size() == 1200);
  CHECK(whole.pages == 1);
}

TEST_CASE("watch delivers create, modify and delete events", "[e2e][rest]") {
  const Cluster& c = source();
  ScopedNamespace ns(c, "rest-watch");
  const ResourceInfo cm = c.resolve("configmaps");
  c.create(cm, ns.name(), configmap("before", {{"v", "0"}}));
  ObjectList initial = c.list(cm, ns.name());
  WatchOptions opts;
  opts.resource_version = initial.resource_version;  // only what happens from now on
  WatchThread w(c, cm, ns.name(), opts);

  c.create(cm, ns.name(), configmap("w1", {{"v", "1"}}));
  c.patch(cm, ns.name(), "w1", PatchType::Merge, R"({"data":{"v":"2"}})");
  c.remove(cm, ns.name(), "w1");
  CHECK(w.wait_for("DELETED", "w1"));
  w.stop();
  w.rethrow_error();
  auto events = w.events();
  std::vector<std::string> sequence;
  for (const auto& e : events) {
    if (e.name == "w1") sequence.push_back(e.type + ":" + e.value);
  }
  CHECK(sequence == std::vector<std::string>{"ADDED:1", "MODIFIED:2", "DELETED:2"});
  CHECK(w.count("ADDED", "before") == 0);  // existed before the watch's resourceVersion
}

TEST_CASE("watch without a resourceVersion lists first, then follows", "[e2e][rest]") {
  const Cluster& c = source();
  ScopedNamespace ns(c, "rest-watch-list");
  const ResourceInfo cm = c.resolve("configmaps");
  c.create(cm, ns.name(), configmap("existing", {{"v", "0"}}, {{"w", "yes"}}));
  WatchOptions opts;
  opts.label_selector = "w=yes";
  WatchThread w(c, cm, ns.name(), opts);
  CHECK(w.wait_for("ADDED", "existing"));
  c.create(cm, ns.name(), configmap("later", {{"v", "1"}}, {{"w", "yes"}}));
  c.create(cm, ns.name(), configmap("unlabelled", {{"v", "1"}}));
  CHECK(w.wait_for("ADDED", "later"));
  w.stop();
  w.rethrow_error();
  CHECK(w.count("ADDED", "existing") == 1);
  CHECK(w.count("ADDED", "unlabelled") == 0);
}

TEST_CASE("watch resumes after the server ends it", "[e2e][rest]") {
  Cluster c = Cluster::from_kubeconfig(test::kubeconfig_path("source"));
  ScopedNamespace ns(c, "rest-watch-resume");
  const ResourceInfo cm = c.resolve("configmaps");
  WatchOptions opts;
  opts.resource_version = c.list(cm, ns.name()).resource_version;
  opts.timeout = 1s;  // the server closes each watch after 1 s
  c.reset_stats();
  WatchThread w(c, cm, ns.name(), opts);
  std::this_thread::sleep_for(2500ms);
  CHECK_FALSE(w.finished());
  c.create(cm, ns.name(), configmap("late", {{"v", "1"}}));
  CHECK(w.wait_for("ADDED", "late", 20s));
  std::this_thread::sleep_for(2500ms);  // more resumed watches: still delivered only once
  w.stop();
  w.rethrow_error();
  CHECK(w.count("ADDED", "late") == 1);
  CHECK(w.events().size() == 1);
  CHECK(c.stats().watch >= 4);  // re-established about once a second
  CHECK(c.stats().list == 0);   // resumed from the last version, not re-listed
}

// The real API server (v1.32, watch cache on) answers a watch from resourceVersion "1" with the
// current objects rather than 410 Gone, even after an etcd compaction, so the 410 -> re-list path
// itself is tested against the stub server (unit test "a watch answered 410 Gone re-lists and
// continues"); here the watch from a very old version must still deliver every object once and
// then follow live changes.
TEST_CASE("watch from a very old resourceVersion delivers the current objects and continues",
          "[e2e][rest]") {
  Cluster c = Cluster::from_kubeconfig(test::kubeconfig_path("source"));
  ScopedNamespace ns(c, "rest-watch-410");
  const ResourceInfo cm = c.resolve("configmaps");
  for (const char* name : {"r1", "r2", "r3"}) {
    c.create(cm, ns.name(), configmap(name, {{"v", "0"}}, {{"relist", "yes"}}));
  }
  WatchOptions opts;
  opts.resource_version = "1";  // far older than anything the server keeps
  opts.label_selector = "relist=yes";
  c.reset_stats();
  WatchThread w(c, cm, ns.name(), opts);
  auto seen = [&](const char* name) { return w.count("RELISTED", name) + w.count("ADDED", name); };
  CHECK(wait_until([&] { return (seen("r1") && seen("r2") && seen("r3")) || w.finished(); }, 30s));
  c.create(cm, ns.name(), configmap("r4", {{"v", "1"}}, {{"relist", "yes"}}));
  c.patch(cm, ns.name(), "r1", PatchType::Merge, R"({"data":{"v":"9"}})");
  CHECK(w.wait_for("ADDED", "r4"));
  CHECK(w.wait_for("MODIFIED", "r1"));
  w.stop();
  w.rethrow_error();
  auto events = w.events();
  REQUIRE(events.size() >= 5);
  std::set<std::string> first;
  for (size_t i = 0; i < 3; ++i) {
    CHECK((events[i].type == "RELISTED" || events[i].type == "ADDED"));
    first.insert(events[i].name);
  }
  CHECK(first == std::set<std::string>{"r1", "r2", "r3"});
  CHECK(w.count("ADDED", "r4") == 1);
}

TEST_CASE("a stale update is a 409 Conflict", "[e2e][rest]") {
  const Cluster& c = source();
  ScopedNamespace ns(c, "rest-conflict");
  const ResourceInfo cm = c.resolve("configmaps");
  Object first = c.create(cm, ns.name(), configmap("shared", {{"v", "1"}}));
  Object stale = first.clone();
  first.json()["data"]["v"].SetString("2", first.allocator());
  c.update(cm, ns.name(), first);
  stale.json()["data"]["v"].SetString("3", stale.allocator());
  Error e = expect_error([&] { c.update(cm, ns.name(), stale); });
  CHECK(e.code() == Errc::conflict);
  CHECK(e.http_status() == 409);
  CHECK(e.reason() == "Conflict");
  CHECK(std::string(e.what()).find("shared") != std::string::npos);
  CHECK(data_of(c.get(cm, ns.name(), "shared"), "v") == "2");

  // Creating it again is AlreadyExists, a different 409.
  Error exists = expect_error([&] { c.create(cm, ns.name(), configmap("shared")); });
  CHECK(exists.code() == Errc::already_exists);
  CHECK(exists.reason() == "AlreadyExists");
}

TEST_CASE("an invalid object is 422 Invalid with field causes", "[e2e][rest]") {
  const Cluster& c = source();
  ScopedNamespace ns(c, "rest-invalid");
  const ResourceInfo cm = c.resolve("configmaps");
  Error e = expect_error([&] { c.create(cm, ns.name(), configmap("Bad_Name")); });
  CHECK(e.code() == Errc::invalid);
  CHECK(e.http_status() == 422);
  CHECK(e.reason() == "Invalid");
  REQUIRE_FALSE(e.causes().empty());
  bool name_cause = false;
  for (const auto& cause : e.causes()) {
    name_cause |= cause.field == "metadata.name" && cause.reason == "FieldValueInvalid";
  }
  CHECK(name_cause);
  CHECK(std::string(e.what()).find("Bad_Name") != std::string::npos);
}

TEST_CASE("the restricted user is forbidden cluster-wide but works in a granted namespace",
          "[e2e][rest]") {
  const Cluster& admin = source();
  ScopedNamespace granted(admin, "rest-granted");
  ScopedNamespace other(admin, "rest-not-granted");
  // Grant the restricted user the built-in "edit" role in `granted` only.
  Object binding = Object::parse(R"({"apiVersion":"rbac.authorization.k8s.io/v1",
    "kind":"RoleBinding","metadata":{"name":"rest-e2e-edit"},
    "roleRef":{"apiGroup":"rbac.authorization.k8s.io","kind":"ClusterRole","name":"edit"},
    "subjects":[{"apiGroup":"rbac.authorization.k8s.io","kind":"User","name":"drsync-restricted"}]})");
  admin.create(admin.resolve("rolebindings"), granted.name(), binding);

  Cluster restricted = Cluster::from_kubeconfig(test::kubeconfig_path("source-restricted"));
  CHECK_FALSE(restricted.config().bearer_token.empty());
  const ResourceInfo cm = restricted.resolve("configmaps");  // discovery is open to all users

  Error forbidden = expect_error([&] { restricted.list(restricted.resolve("namespaces"), ""); });
  CHECK(forbidden.code() == Errc::forbidden);
  CHECK(forbidden.http_status() == 403);
  CHECK(forbidden.reason() == "Forbidden");
  CHECK(std::string(forbidden.what()).find(restricted.config().bearer_token) == std::string::npos);

  // RBAC changes reach the authorizer's cache within moments.
  REQUIRE(wait_until(
      [&] {
        try {
          restricted.list(cm, granted.name());
          return true;
        } catch (const Error& e) {
          if (e.code() != Errc::forbidden) throw;
          return false;
        }
      },
      30s));
  Object made = restricted.create(cm, granted.name(), configmap("by-restricted", {{"v", "1"}}));
  CHECK(made.namespace_() == granted.name());
  CHECK(data_of(restricted.get(cm, granted.name(), "by-restricted"), "v") == "1");
  restricted.patch(cm, granted.name(), "by-restricted", PatchType::Merge, R"({"data":{"v":"2"}})");
  CHECK(data_of(admin.get(cm, granted.name(), "by-restricted"), "v") == "2");
  restricted.remove(cm, granted.name(), "by-restricted");
  CHECK_FALSE(admin.try_get(cm, granted.name(), "by-restricted").has_value());

  Error elsewhere =
      expect_error([&] { restricted.create(cm, other.name(), configmap("by-restricted")); });
  CHECK(elsewhere.code() == Errc::forbidden);
  CHECK_FALSE(admin.try_get(cm, other.name(), "by-restricted").has_value());
}

TEST_CASE("a server certificate from another CA is refused", "[e2e][rest]") {
  RestConfig src = load_kubeconfig({test::kubeconfig_path("source"), ""});
  RestConfig dst = load_kubeconfig({test::kubeconfig_path("dest"), ""});
  REQUIRE_FALSE(src.ca_pem.empty());
  REQUIRE(src.ca_pem != dst.ca_pem);
  {
    Cluster good(src);  // the control: the right CA works
    CHECK_FALSE(good.server_version().empty());
  }
  src.ca_pem = dst.ca_pem;
  Cluster c(src);
  auto t0 = std::chrono::steady_clock::now();
  Error e = expect_error([&] { c.server_version(); });
  CHECK(e.code() == Errc::tls);
  CHECK(std::string(e.what()).find(src.server) != std::string::npos);
  CHECK(std::chrono::steady_clock::now() - t0 < 5s);  // not retried
  CHECK(c.stats().retries == 0);
}

TEST_CASE("an invalid bearer token is 401 Unauthorized", "[e2e][rest]") {
  RestConfig src = load_kubeconfig({test::kubeconfig_path("source"), ""});
  RestConfig cfg;
  cfg.server = src.server;
  cfg.ca_pem = src.ca_pem;
  cfg.bearer_token = "not-a-valid-token";
  Cluster c(cfg);
  ResourceInfo namespaces{"", "v1", "namespaces", "Namespace", false, {}, {}, {}, {}};
  Error e = expect_error([&] { c.list(namespaces, ""); });
  CHECK(e.code() == Errc::unauthorized);
  CHECK(e.http_status() == 401);
  CHECK(std::string(e.what()).find("not-a-valid-token") == std::string::npos);
}

TEST_CASE("server-side dry run writes nothing", "[e2e][rest]") {
  const Cluster& c = source();
  ScopedNamespace ns(c, "rest-dryrun");
  const ResourceInfo cm = c.resolve("configmaps");
  WriteOptions dry;
  dry.dry_run = true;
  Object would = c.create(cm, ns.name(), configmap("dry", {{"v", "1"}}), dry);
  CHECK(would.name() == "dry");
  CHECK(data_of(would, "v") == "1");
  CHECK_FALSE(c.try_get(cm, ns.name(), "dry").has_value());
  // Still validated: an invalid object is refused even in a dry run.
  CHECK(expect_error([&] { c.create(cm, ns.name(), configmap("Bad_Name"), dry); }).code() ==
        Errc::invalid);

  c.create(cm, ns.name(), configmap("real", {{"v", "1"}}));
  Object patched = c.patch(cm, ns.name(), "real", PatchType::Merge, R"({"data":{"v":"2"}})", dry);
  CHECK(data_of(patched, "v") == "2");
  CHECK(data_of(c.get(cm, ns.name(), "real"), "v") == "1");
  DeleteOptions dry_delete;
  dry_delete.dry_run = true;
  c.remove(cm, ns.name(), "real", dry_delete);
  CHECK(c.try_get(cm, ns.name(), "real").has_value());
}

TEST_CASE("discovery resolves every spelling of a type, and a CRD after a refresh", "[e2e][rest]") {
  Cluster c = Cluster::from_kubeconfig(test::kubeconfig_path("source"));
  ScopedNamespace ns(c, "rest-discovery");
  for (const char* spelling :
       {"deployments", "deployments.apps", "deploy", "Deployment", "apps/v1/deployments"}) {
    INFO(spelling);
    ResourceInfo r = c.resolve(spelling);
    CHECK(r.group == "apps");
    CHECK(r.version == "v1");
    CHECK(r.resource == "deployments");
    CHECK(r.kind == "Deployment");
    CHECK(r.namespaced);
    CHECK(r.has_verb("list"));
    CHECK(r.has_subresource("scale"));
  }
  ResourceInfo ns_type = c.resolve("namespaces");
  CHECK_FALSE(ns_type.namespaced);
  CHECK(ns_type.group.empty());
  CHECK(expect_error([&] { c.resolve("nosuchthings"); }).code() == Errc::not_found);

  const std::string group = "e2e-" + std::to_string(getpid()) + ".rest.drsync.test";
  Object crd = Object::parse(R"({"apiVersion":"apiextensions.k8s.io/v1",
    "kind":"CustomResourceDefinition","metadata":{},
    "spec":{"group":"","scope":"Namespaced",
      "names":{"plural":"restwidgets","singular":"restwidget","kind":"RestWidget",
               "shortNames":["rwidget"]},
      "versions":[{"name":"v1","served":true,"storage":true,"schema":{"openAPIV3Schema":{
        "type":"object","properties":{"spec":{"type":"object",
          "properties":{"size":{"type":"integer"}}}}}}}]}})");
  crd.set_name("restwidgets." + group);
  crd.find("/spec/group")->SetString(group.c_str(), crd.allocator());
  const ResourceInfo crds = c.resolve("customresourcedefinitions.apiextensions.k8s.io");
  CHECK(expect_error([&] { c.resolve("restwidgets." + group); }).code() == Errc::not_found);
  c.create(crds, "", crd);
  struct RemoveCrd {
    const Cluster& c;
    const ResourceInfo& crds;
    std::string name;
    ~RemoveCrd() {
      try {
        c.remove(crds, "", name);
      } catch (const Error&) {
      }
    }
  } cleanup{c, crds, "restwidgets." + group};

  REQUIRE(wait_until(
      [&] {
        for (const auto& r : c.resources(true)) {
          if (r.group == group && r.resource == "restwidgets") return true;
        }
        return false;
      },
      60s));
  for (const std::string& spelling : {"restwidgets." + group, std::string("RestWidget"),
                                      std::string("rwidget"), group + "/v1/restwidgets"}) {
    INFO(spelling);
    ResourceInfo r = c.resolve(spelling);
    CHECK(r.group == group);
    CHECK(r.version == "v1");
    CHECK(r.kind == "RestWidget");
    CHECK(r.namespaced);
  }
  ResourceInfo widgets = c.resolve_kind(group + "/v1", "RestWidget");
  Object widget =
      Object::parse(R"({"kind":"RestWidget","metadata":{"name":"w"},"spec":{"size":3}})");
  widget.json().AddMember("apiVersion", json_string(group + "/v1", widget.allocator()),
                          widget.allocator());
  // The CRD is served once established; creating may 404 for a moment before that.
  REQUIRE(wait_until(
      [&] {
        try {
          c.create(widgets, ns.name(), widget);
          return true;
        } catch (const Error& e) {
          if (e.code() != Errc::not_found) throw;
          return false;
        }
      },
      30s));
  CHECK(c.get(widgets, ns.name(), "w").find("/spec/size")->GetInt() == 3);
}

TEST_CASE("concurrent requests over HTTP/2 complete without stalls", "[e2e][rest]") {
  // libcurl 7.88 can leave a multiplexed stream's finished response unnoticed until the event
  // loop's next poll timeout; the transport must not turn that into a 1 s stall.
  Cluster c = Cluster::from_kubeconfig(test::kubeconfig_path("source"));
  ScopedNamespace ns(c, "rest-h2");
  const ResourceInfo cm = c.resolve("configmaps");
  c.create(cm, ns.name(), configmap("target", {{"v", "1"}}));
  using Clock = std::chrono::steady_clock;
  for (int window : {4, 16}) {
    std::deque<std::pair<Clock::time_point, std::future<Response>>> in_flight;
    std::chrono::milliseconds worst{0};
    int ok = 0;
    auto finish_one = [&] {
      Response r = in_flight.front().second.get();
      worst = std::max(worst, std::chrono::duration_cast<std::chrono::milliseconds>(
                                  Clock::now() - in_flight.front().first));
      ok += r.status == 200 ? 1 : 0;
      in_flight.pop_front();
    };
    for (int i = 0; i < 2000; ++i) {
      if (static_cast<int>(in_flight.size()) >= window) finish_one();
      Request req;
      req.path = Cluster::path_for(cm, ns.name(), "target");
      in_flight.emplace_back(Clock::now(), c.send_async(std::move(req)));
    }
    while (!in_flight.empty()) finish_one();
    INFO("window " << window << ": slowest request " << worst.count() << " ms");
    CHECK(ok == 2000);
    CHECK(worst < 900ms);
  }
}

TEST_CASE("request counters count LISTs and writes", "[e2e][rest]") {
  Cluster c = Cluster::from_kubeconfig(test::kubeconfig_path("source"));
  ScopedNamespace ns(c, "rest-stats");
  const ResourceInfo cm = c.resolve("configmaps");
  c.reset_stats();
  CHECK(c.stats().total() == 0);

  for (int i = 0; i < 5; ++i) {
    c.create(cm, ns.name(), configmap("s" + std::to_string(i), {}, {{"stats", "yes"}}));
  }
  ListOptions paged;
  paged.label_selector = "stats=yes";
  paged.limit = 2;
  ObjectList list = c.list(cm, ns.name(), paged);
  CHECK(list.items.size() == 5);
  CHECK(list.pages == 3);
  Object s0 = c.get(cm, ns.name(), "s0");
  s0.set_label("touched", "yes");
  c.update(cm, ns.name(), s0);
  c.patch(cm, ns.name(), "s1", PatchType::Merge, R"({"data":{"p":"1"}})");
  c.remove(cm, ns.name(), "s2");
  CHECK_FALSE(c.try_get(cm, ns.name(), "s2").has_value());

  RequestStats s = c.stats();
  CHECK(s.create == 5);
  CHECK(s.list == 3);  // one per page
  CHECK(s.get == 2);
  CHECK(s.update == 1);
  CHECK(s.patch == 1);
  CHECK(s.remove == 1);
  CHECK(s.writes() == 8);
  CHECK(s.discovery == 0);  // resolved from the cache
  CHECK(s.retries == 0);
  CHECK(s.total() == 13);

  c.resources(true);
  CHECK(c.stats().discovery >= 2);
  c.reset_stats();
  CHECK(c.stats().total() == 0);
}
