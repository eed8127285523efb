#include <catch2/catch.hpp>

#include <string>

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

}  // namespace

TEST_CASE("canonical_json sorts object keys in byte order and keeps array order", "[hash]") {
  Object o = Object::parse(R"({"b":1,"a":{"z":[3,1,2],"B":true,"_":null},"A":"x\"y","é":2.5})");
  CHECK(canonical_json(o.json()) ==
        R"({"A":"x\"y","a":{"B":true,"_":null,"z":[3,1,2]},"b":1,"é":2.5})");
}

TEST_CASE("content_hash is SHA-256 hex of the canonical JSON", "[hash]") {
  // sha256("{}")
  CHECK(content_hash(Object::parse("{}").json()) ==
        "44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a");
  const std::string h = content_hash(Object::parse(R"({"kind":"ConfigMap"})").json());
  CHECK(h.size() == 64);
  CHECK(h.find_first_not_of("0123456789abcdef") == std::string::npos);
}

TEST_CASE("content_hash ignores key order and sees every value", "[hash]") {
  Object a = Object::parse(
      R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c","labels":{"x":"1","y":"2"}},
          "data":{"k1":"v1","k2":"v2"}})");
  Object b = Object::parse(
      R"({"data":{"k2":"v2","k1":"v1"},"metadata":{"labels":{"y":"2","x":"1"},"name":"c"},
          "kind":"ConfigMap","apiVersion":"v1"})");
  CHECK(content_hash(a.json()) == content_hash(b.json()));
  CHECK(canonical_json(a.json()) == canonical_json(b.json()));

  Object c = b.clone();
  c.find("/data/k2")->SetString("v3");
  CHECK(content_hash(c.json()) != content_hash(a.json()));
  Object d = a.clone();
  d.find("/data")->AddMember("k3", "", d.allocator());
  CHECK(content_hash(d.json()) != content_hash(a.json()));
}

TEST_CASE("content_hash of a real Deployment survives a YAML -> JSON round trip", "[hash]") {
  Object dep = fixture("online-boutique/kubernetes-manifests.yaml", "Deployment", "frontend");
  const std::string h = content_hash(dep.json());
  Object again = Object::parse(dep.to_pretty_json());
  CHECK(content_hash(again.json()) == h);
  again.find("/spec/template/spec/containers/0/ports/0/containerPort")->SetInt(8081);
  CHECK(content_hash(again.json()) != h);
}

TEST_CASE("stamping the content-hash annotation does not change the hash", "[hash]") {
  SECTION("object without annotations") {
    Object svc = fixture("guestbook/frontend-service.yaml", "Service", "frontend");
    const std::string h = content_hash(svc.json());
    svc.set_annotation("drsync.io/content-hash", h);
    CHECK(content_hash(svc.json()) == h);
    // ... but the annotation does show in canonical_json, which diffs use.
    CHECK(canonical_json(svc.json()).find("drsync.io/content-hash") != std::string::npos);
  }
  SECTION("object with other annotations") {
    Object dep = fixture("online-boutique/kubernetes-manifests.yaml", "Deployment", "frontend");
    dep.set_annotation("team", "shop");
    const std::string h = content_hash(dep.json());
    dep.set_annotation("drsync.io/content-hash", h);
    CHECK(content_hash(dep.json()) == h);
    dep.set_annotation("team", "cart");
    CHECK(content_hash(dep.json()) != h);
  }
  SECTION("only metadata.annotations is special") {
    Object a = Object::parse(R"({"spec":{"annotations":{"drsync.io/content-hash":"x"}}})");
    Object b = Object::parse(R"({"spec":{"annotations":{}}})");
    CHECK(content_hash(a.json()) != content_hash(b.json()));
  }
}
