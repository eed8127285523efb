#include <catch2/catch.hpp>

#include <string>

#include "drsync/error.hpp"
#include "drsync/object.hpp"
#include "drsync/transform.hpp"
#include "drsync/yaml.hpp"

using namespace drsync;

namespace {

Object fixture(const std::string& rel, std::string_view kind, std::string_view name) {
  for (auto& o : load_yaml_file(std::string(DRSYNC_FIXTURES_DIR) + "/apps/" + rel)) {
    if (o.kind() == kind && o.name() == name) return o.clone();
  }
  FAIL("fixture " << rel << " has no " << kind << " " << name);
  return Object();
}

// Applies an RFC 6902 patch to `doc`; returns the result (or "unchanged" + the original).
std::string json_patch(const char* doc, const char* patch, bool expect_ok = true) {
  Object target = Object::parse(doc);
  Object p = Object::parse(patch);
  const std::string before = canonical_json(target.json());
  const bool ok = apply_json_patch(target.json(), p.json(), target.allocator());
  CHECK(ok == expect_ok);
  if (!ok) CHECK(canonical_json(target.json()) == before);  // atomic
  return canonical_json(target.json());
}

std::string canon(const char* json) {
  return canonical_json(Object::parse(json).json());
}

std::string merge(const char* doc, const char* patch) {
  Object target = Object::parse(doc);
  Object p = Object::parse(patch);
  apply_merge_patch(target.json(), p.json(), target.allocator());
  return canonical_json(target.json());
}

void strategic(Object& target, const char* patch_yaml) {
  Object p = parse_yaml(patch_yaml);
  const std::string kind(target.kind());
  apply_strategic_merge_patch(target.json(), p.json(), kind, target.allocator());
}

void require_malformed(const char* patch) {
  Object target = Object::parse(R"({"a":1})");
  Object p = Object::parse(patch);
  try {
    apply_json_patch(target.json(), p.json(), target.allocator());
    FAIL("expected Error(invalid_argument) for " << patch);
  } catch (const Error& e) {
    CHECK(e.code() == Errc::invalid_argument);
  }
  CHECK(canonical_json(target.json()) == R"({"a":1})");
}

}  // namespace

TEST_CASE("JSON patch: the RFC 6902 operations", "[patch]") {
  CHECK(json_patch(R"({"foo":"bar"})", R"([{"op":"add","path":"/baz","value":"qux"}])") ==
        canon(R"({"baz":"qux","foo":"bar"})"));
  CHECK(json_patch(R"({"foo":["bar","baz"]})", R"([{"op":"add","path":"/foo/1","value":"qux"}])") ==
        canon(R"({"foo":["bar","qux","baz"]})"));
  CHECK(
      json_patch(R"({"foo":["bar"]})", R"([{"op":"add","path":"/foo/-","value":["abc","def"]}])") ==
      canon(R"({"foo":["bar",["abc","def"]]})"));
  CHECK(json_patch(R"({"baz":"qux","foo":"bar"})", R"([{"op":"remove","path":"/baz"}])") ==
        canon(R"({"foo":"bar"})"));
  CHECK(json_patch(R"({"foo":["bar","qux","baz"]})", R"([{"op":"remove","path":"/foo/1"}])") ==
        canon(R"({"foo":["bar","baz"]})"));
  CHECK(json_patch(R"({"baz":"qux","foo":"bar"})",
                   R"([{"op":"replace","path":"/baz","value":"boo"}])") ==
        canon(R"({"baz":"boo","foo":"bar"})"));
  CHECK(json_patch(R"({"foo":{"bar":"baz","waldo":"fred"},"qux":{"corge":"grault"}})",
                   R"([{"op":"move","from":"/foo/waldo","path":"/qux/thud"}])") ==
        canon(R"({"foo":{"bar":"baz"},"qux":{"corge":"grault","thud":"fred"}})"));
  CHECK(json_patch(R"({"foo":["all","grass","cows","eat"]})",
                   R"([{"op":"move","from":"/foo/1","path":"/foo/3"}])") ==
        canon(R"({"foo":["all","cows","eat","grass"]})"));
  CHECK(json_patch(R"({"a":{"b":[1]}})", R"([{"op":"copy","from":"/a/b","path":"/c"}])") ==
        canon(R"({"a":{"b":[1]},"c":[1]})"));
  CHECK(json_patch(R"({"foo":"bar"})",
                   R"([{"op":"add","path":"/child","value":{"grandchild":{}}}])") ==
        canon(R"({"child":{"grandchild":{}},"foo":"bar"})"));
  // Unrecognised members of an operation are ignored.
  CHECK(json_patch(R"({"foo":"bar"})", R"([{"op":"add","path":"/baz","value":"qux","xyz":123}])") ==
        canon(R"({"baz":"qux","foo":"bar"})"));
  // The whole document.
  CHECK(json_patch(R"({"a":1})", R"([{"op":"replace","path":"","value":{"b":2}}])") ==
        canon(R"({"b":2})"));
}

TEST_CASE("JSON patch: pointers unescape ~1 and ~0", "[patch]") {
  CHECK(json_patch(R"({"/":9,"~1":10})", R"([{"op":"test","path":"/~01","value":10}])") ==
        canon(R"({"/":9,"~1":10})"));
  CHECK(json_patch(R"({"metadata":{"annotations":{"a/b":"x"}}})",
                   R"([{"op":"replace","path":"/metadata/annotations/a~1b","value":"y"}])") ==
        canon(R"({"metadata":{"annotations":{"a/b":"y"}}})"));
}

TEST_CASE("JSON patch: a failing test or a missing path leaves the target unchanged", "[patch]") {
  const char* doc = R"({"baz":"qux","foo":["a",2,"c"]})";
  CHECK(json_patch(doc, R"([{"op":"test","path":"/baz","value":"qux"},
                            {"op":"test","path":"/foo/1","value":2},
                            {"op":"replace","path":"/baz","value":"ok"}])") ==
        canon(R"({"baz":"ok","foo":["a",2,"c"]})"));
  // Operations before the failing test must not stick.
  json_patch(doc, R"([{"op":"replace","path":"/baz","value":"changed"},
                      {"op":"remove","path":"/foo/0"},
                      {"op":"test","path":"/baz","value":"bar"}])",
             false);
  json_patch(R"({"/":9,"~1":10})", R"([{"op":"test","path":"/~01","value":"10"}])", false);
  json_patch(doc,
             R"([{"op":"add","path":"/x","value":1},{"op":"add","path":"/baz/bat","value":"q"}])",
             false);
  json_patch(doc, R"([{"op":"remove","path":"/nope"}])", false);
  json_patch(doc, R"([{"op":"replace","path":"/foo/3","value":1}])", false);
  json_patch(doc, R"([{"op":"add","path":"/foo/4","value":1}])", false);
  json_patch(doc, R"([{"op":"move","from":"/foo","path":"/foo/0"}])", false);
}

TEST_CASE("JSON patch: a malformed patch throws invalid_argument", "[patch]") {
  require_malformed(R"({"op":"add","path":"/a","value":1})");  // not an array
  require_malformed(R"([{"op":"upsert","path":"/a","value":1}])");
  require_malformed(R"([{"path":"/a","value":1}])");
  require_malformed(R"([{"op":"add","value":1}])");
  require_malformed(R"([{"op":"add","path":"/a"}])");
  require_malformed(R"([{"op":"test","path":"/a"}])");
  require_malformed(R"([{"op":"move","path":"/a"}])");
  require_malformed(R"([{"op":"remove","path":"a"}])");
  require_malformed(R"([{"op":"remove","path":"/a~2"}])");
  // Malformed anywhere means nothing is applied, even the valid operations before it.
  require_malformed(R"([{"op":"replace","path":"/a","value":2},{"op":"bogus","path":"/a"}])");
}

TEST_CASE("merge patch: the RFC 7386 examples", "[patch]") {
  CHECK(merge(R"({"a":"b"})", R"({"a":"c"})") == canon(R"({"a":"c"})"));
  CHECK(merge(R"({"a":"b"})", R"({"b":"c"})") == canon(R"({"a":"b","b":"c"})"));
  CHECK(merge(R"({"a":"b"})", R"({"a":null})") == canon(R"({})"));
  CHECK(merge(R"({"a":"b","b":"c"})", R"({"a":null})") == canon(R"({"b":"c"})"));
  CHECK(merge(R"({"a":["b"]})", R"({"a":"c"})") == canon(R"({"a":"c"})"));
  CHECK(merge(R"({"a":"c"})", R"({"a":["b"]})") == canon(R"({"a":["b"]})"));
  CHECK(merge(R"({"a":{"b":"c"}})", R"({"a":{"b":"d","c":null}})") == canon(R"({"a":{"b":"d"}})"));
  CHECK(merge(R"({"a":[{"b":"c"}]})", R"({"a":[1]})") == canon(R"({"a":[1]})"));
  CHECK(merge(R"(["a","b"])", R"(["c","d"])") == canon(R"(["c","d"])"));
  CHECK(merge(R"({"a":"b"})", R"(["c"])") == canon(R"(["c"])"));
  CHECK(merge(R"({"a":"foo"})", "null") == "null");
  CHECK(merge(R"({"a":"foo"})", R"("bar")") == R"("bar")");
  CHECK(merge(R"({"e":null})", R"({"a":1})") == canon(R"({"a":1,"e":null})"));
  CHECK(merge(R"([1,2])", R"({"a":"b","c":null})") == canon(R"({"a":"b"})"));
  CHECK(merge(R"({})", R"({"a":{"bb":{"ccc":null}}})") == canon(R"({"a":{"bb":{}}})"));
}

TEST_CASE("strategic merge: containers merge by name in a real Deployment", "[patch]") {
  Object dep = fixture("guestbook/frontend-deployment.yaml", "Deployment", "frontend");
  strategic(dep, R"(
spec:
  template:
    spec:
      containers:
      - name: php-redis
        image: registry.dr.example.com/gb-frontend:v5
        env:
        - name: GET_HOSTS_FROM
          value: env
        - name: EXTRA
          value: "1"
        ports:
        - containerPort: 8080
      - name: sidecar
        image: busybox:1.36
)");
  const auto& containers = *dep.find("/spec/template/spec/containers");
  REQUIRE(containers.Size() == 2);
  CHECK(json_str(dep.find("/spec/template/spec/containers/0/name")) == "php-redis");
  CHECK(json_str(dep.find("/spec/template/spec/containers/0/image")) ==
        "registry.dr.example.com/gb-frontend:v5");
  // Fields the patch does not name are kept (resources), lists merge by their keys.
  CHECK(json_str(dep.find("/spec/template/spec/containers/0/resources/requests/cpu")) == "100m");
  CHECK(dep.find("/spec/template/spec/containers/0/env")->Size() == 2);
  CHECK(json_str(dep.find("/spec/template/spec/containers/0/env/0/value")) == "env");
  CHECK(json_str(dep.find("/spec/template/spec/containers/0/env/1/name")) == "EXTRA");
  CHECK(dep.find("/spec/template/spec/containers/0/ports")->Size() == 2);
  CHECK(json_str(dep.find("/spec/template/spec/containers/1/name")) == "sidecar");
  CHECK(dep.find("/spec/replicas")->GetInt() == 3);
}

TEST_CASE("strategic merge: directives and lists without a merge key", "[patch]") {
  Object dep = fixture("wordpress-mysql/mysql-deployment.yaml", "Deployment", "wordpress-mysql");
  Object tolerations =
      Object::parse(R"([{"key":"a","operator":"Exists"},{"key":"b","operator":"Exists"}])");
  dep.find("/spec/template/spec")
      ->AddMember("tolerations", rapidjson::Value(tolerations.json(), dep.allocator()),
                  dep.allocator());
  strategic(dep, R"(
metadata:
  labels:
    app: null
    tier: db
  finalizers: [example.com/x]
spec:
  strategy: {$patch: replace, type: RollingUpdate}
  template:
    spec:
      tolerations:
      - key: c
        operator: Exists
      volumes:
      - name: mysql-persistent-storage
        $patch: delete
      - name: scratch
        emptyDir: {}
      containers:
      - name: mysql
        volumeMounts:
        - mountPath: /var/lib/mysql
          $patch: delete
        - mountPath: /tmp
          name: scratch
)");
  CHECK_FALSE(dep.has_label("app"));
  CHECK(dep.label("tier") == "db");
  CHECK(canonical_json(*dep.find("/spec/strategy")) == R"({"type":"RollingUpdate"})");
  CHECK(canonical_json(*dep.find("/spec/template/spec/tolerations")) ==
        R"([{"key":"c","operator":"Exists"}])");
  CHECK(canonical_json(*dep.find("/spec/template/spec/volumes")) ==
        R"([{"emptyDir":{},"name":"scratch"}])");
  CHECK(canonical_json(*dep.find("/spec/template/spec/containers/0/volumeMounts")) ==
        R"([{"mountPath":"/tmp","name":"scratch"}])");

  // Primitive set merge and $deleteFromPrimitiveList on metadata.finalizers.
  strategic(dep, R"({"metadata":{"finalizers":["example.com/y","example.com/x"]}})");
  CHECK(canonical_json(*dep.find("/metadata/finalizers")) ==
        R"(["example.com/x","example.com/y"])");
  strategic(dep, R"({"metadata":{"$deleteFromPrimitiveList/finalizers":["example.com/x"]}})");
  CHECK(canonical_json(*dep.find("/metadata/finalizers")) == R"(["example.com/y"])");

  // {$patch: replace} in a keyed list replaces the whole list.
  strategic(dep, R"(
spec:
  template:
    spec:
      containers:
      - $patch: replace
      - name: only
        image: nginx:1.25
)");
  CHECK(canonical_json(*dep.find("/spec/template/spec/containers")) ==
        R"([{"image":"nginx:1.25","name":"only"}])");
}

TEST_CASE("strategic merge: Service ports by port, CronJob pod template, other kinds", "[patch]") {
  Object svc = fixture("mysql-stateful/mysql-services.yaml", "Service", "mysql-read");
  strategic(svc,
            R"({"spec":{"ports":[{"port":3306,"name":"sql"},{"port":9104,"name":"metrics"}]}})");
  CHECK(canonical_json(*svc.find("/spec/ports")) ==
        R"([{"name":"sql","port":3306},{"name":"metrics","port":9104}])");

  Object cj = fixture("cronjob-and-job/cronjob.yaml", "CronJob", "hello");
  strategic(cj, R"(
spec:
  jobTemplate:
    spec:
      template:
        spec:
          containers:
          - name: hello
            image: busybox:1.36
)");
  CHECK(json_str(cj.find("/spec/jobTemplate/spec/template/spec/containers/0/image")) ==
        "busybox:1.36");
  CHECK(cj.find("/spec/jobTemplate/spec/template/spec/containers/0/command")->Size() == 3);

  // A kind without a known schema: maps merge, lists are replaced.
  Object shirt = Object::parse(R"({"apiVersion":"stable.example.com/v1","kind":"Shirt",
      "spec":{"sizes":[{"name":"s"},{"name":"m"}],"color":"blue"}})");
  strategic(shirt, R"({"spec":{"sizes":[{"name":"l"}]}})");
  CHECK(canonical_json(*shirt.find("/spec")) == R"({"color":"blue","sizes":[{"name":"l"}]})");
}

TEST_CASE("strategic merge: an element without its merge key throws, target unchanged", "[patch]") {
  Object dep = fixture("guestbook/frontend-deployment.yaml", "Deployment", "frontend");
  const std::string before = canonical_json(dep.json());
  try {
    strategic(dep, R"({"spec":{"replicas":1,"template":{"spec":{"containers":[{"image":"x"}]}}}})");
    FAIL("expected Error(invalid_argument)");
  } catch (const Error& e) {
    CHECK(e.code() == Errc::invalid_argument);
    CHECK_THAT(e.what(), Catch::Contains("merge key \"name\""));
  }
  CHECK(canonical_json(dep.json()) == before);
}
