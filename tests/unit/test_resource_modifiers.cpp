#include <catch2/catch.hpp>

#include <cstdio>
#include <fstream>
#include <string>

#include <unistd.h>

#include "drsync/error.hpp"
#include "drsync/object.hpp"
#include "drsync/transform.hpp"
#include "drsync/yaml.hpp"
#include "transform/glob.hpp"

using namespace drsync;

namespace {

Object fixture(const std::string& rel, std::string_view kind, std::string_view name) {
  for (auto& o : load_yaml_file(std::string(DRSYNC_FIXTURES_DIR) + "/apps/" + rel)) {
    if (o.kind() == kind && o.name() == name) return o.clone();
  }
  FAIL("fixture " << rel << " has no " << kind << " " << name);
  return Object();
}

void merge(Object& o, const char* json) {
  Object p = Object::parse(json);
  apply_merge_patch(o.json(), p.json(), o.allocator());
}

std::string str(const Object& o, const char* pointer) {
  return std::string(json_str(o.find(pointer)));
}

// The message of the Error(invalid_argument) that parsing `yaml` throws.
std::string parse_error(const std::string& yaml) {
  try {
    ResourceModifiers::parse(yaml, "modifiers.yaml");
  } catch (const Error& e) {
    CHECK(e.code() == Errc::invalid_argument);
    return e.what();
  }
  FAIL("expected a parse error for:\n" << yaml);
  return {};
}

const char* kValidRule = R"(
- conditions:
    groupResource: pods
  mergePatches:
  - patchData: '{"metadata":{"labels":{"a":"b"}}}'
)";

}  // namespace

TEST_CASE("modifiers: Velero's template rule on a real PVC", "[modifiers]") {
  // Velero docs: PVCs named ^mysql.* in namespaces bar/foo labelled foo=bar get storage class
  // "premium" and lose label "test".
  const ResourceModifiers mods = ResourceModifiers::parse(R"(
version: v1
resourceModifierRules:
- conditions:
    groupResource: persistentvolumeclaims
    resourceNameRegex: "^mysql.*$"
    namespaces:
    - bar
    - foo
    labelSelector:
      matchLabels:
        foo: bar
  patches:
  - operation: replace
    path: "/spec/storageClassName"
    value: "premium"
  - operation: remove
    path: "/metadata/labels/test"
)");
  CHECK(mods.size() == 1);
  Object pvc =
      fixture("wordpress-mysql/mysql-deployment.yaml", "PersistentVolumeClaim", "mysql-pv-claim");
  merge(
      pvc,
      R"({"metadata":{"labels":{"foo":"bar","test":"x"}},"spec":{"storageClassName":"standard"}})");

  Object other_ns = pvc.clone();
  CHECK(mods.apply(other_ns, "persistentvolumeclaims", "baz") == 0);
  CHECK(str(other_ns, "/spec/storageClassName") == "standard");

  Object wrong_resource = pvc.clone();
  CHECK(mods.apply(wrong_resource, "persistentvolumes", "foo") == 0);

  Object unlabelled = pvc.clone();
  unlabelled.remove_label("foo");
  CHECK(mods.apply(unlabelled, "persistentvolumeclaims", "foo") == 0);

  Object wp =
      fixture("wordpress-mysql/wordpress-deployment.yaml", "PersistentVolumeClaim", "wp-pv-claim");
  merge(wp, R"({"metadata":{"labels":{"foo":"bar","test":"x"}}})");
  CHECK(mods.apply(wp, "persistentvolumeclaims", "foo") == 0);

  CHECK(mods.apply(pvc, "persistentvolumeclaims", "foo") == 1);
  CHECK(str(pvc, "/spec/storageClassName") == "premium");
  CHECK_FALSE(pvc.has_label("test"));
  CHECK(pvc.label("foo") == "bar");
  CHECK(pvc.label("app") == "wordpress");
}

TEST_CASE("modifiers: a failing test operation skips the rule's patch", "[modifiers]") {
  const ResourceModifiers mods = ResourceModifiers::parse(R"(
version: v1
resourceModifierRules:
- conditions:
    groupResource: persistentvolumeclaims
    resourceNameRegex: ".*"
    namespaces: [bar, foo]
  patches:
  - operation: test
    path: "/spec/storageClassName"
    value: "premium"
  - operation: replace
    path: "/spec/storageClassName"
    value: "standard"
)");
  Object premium =
      fixture("wordpress-mysql/wordpress-deployment.yaml", "PersistentVolumeClaim", "wp-pv-claim");
  Object other = premium.clone();
  Object none = premium.clone();
  merge(premium, R"({"spec":{"storageClassName":"premium"}})");
  merge(other, R"({"spec":{"storageClassName":"gold"}})");
  CHECK(mods.apply(premium, "persistentvolumeclaims", "bar") == 1);
  CHECK(str(premium, "/spec/storageClassName") == "standard");
  const std::string before = canonical_json(other.json());
  CHECK(mods.apply(other, "persistentvolumeclaims", "bar") == 1);
  CHECK(canonical_json(other.json()) == before);
  CHECK(mods.apply(none, "persistentvolumeclaims", "bar") == 1);  // no storageClassName at all
  CHECK(none.find("/spec/storageClassName") == nullptr);
}

TEST_CASE("modifiers: JSON values in strings, copy, and typed scalars", "[modifiers]") {
  const ResourceModifiers mods = ResourceModifiers::parse(R"(
version: v1
resourceModifierRules:
- conditions:
    groupResource: deployments.apps
    resourceNameRegex: "^test-.*$"
    namespaces:
    - bar
    - foo
  patches:
    # Dealing with complex values by escaping the yaml
  - operation: add
    path: "/spec/template/spec/containers/0"
    value: "{\"name\": \"nginx\", \"image\": \"nginx:1.14.2\", \"ports\": [{\"containerPort\": 80}]}"
  - operation: copy
    from: "/spec/template/spec/containers/0"
    path: "/spec/template/spec/containers/1"
  - operation: replace
    path: /spec/replicas
    value: "5"
  - operation: add
    path: /spec/paused
    value: "true"
  - operation: add
    path: /metadata/annotations
    value: '{"quoted": "x"}'
  - operation: add
    path: /metadata/annotations/forced-string
    value: '"true"'
  - operation: add
    path: /metadata/annotations/plain
    value: v1.2
)");
  Object dep = fixture("guestbook/frontend-deployment.yaml", "Deployment", "frontend");
  dep.set_name("test-frontend");
  CHECK(mods.apply(dep, "deployments.apps", "foo") == 1);
  const rapidjson::Value& cs = *dep.find("/spec/template/spec/containers");
  REQUIRE(cs.Size() == 3);
  CHECK(canonical_json(cs[0]) ==
        R"({"image":"nginx:1.14.2","name":"nginx","ports":[{"containerPort":80}]})");
  CHECK(canonical_json(cs[1]) == canonical_json(cs[0]));
  CHECK(str(dep, "/spec/template/spec/containers/2/name") == "php-redis");
  CHECK(dep.find("/spec/replicas")->GetInt() == 5);
  CHECK(dep.find("/spec/paused")->IsTrue());
  CHECK(dep.annotation("quoted") == "x");
  CHECK(dep.annotation("forced-string") == "true");
  CHECK(dep.annotation("plain") == "v1.2");

  Object frontend = fixture("guestbook/frontend-deployment.yaml", "Deployment", "frontend");
  CHECK(mods.apply(frontend, "deployments.apps", "foo") == 0);  // name does not match
}

TEST_CASE("modifiers: merge and strategic patches from Velero's docs", "[modifiers]") {
  const ResourceModifiers mods = ResourceModifiers::parse(R"(
version: v1
resourceModifierRules:
- conditions:
    groupResource: pods
    namespaces:
    - ns1
  mergePatches:
  - patchData: |
      {
        "metadata": {
          "annotations": {
            "foo": null
          }
        }
      }
- conditions:
    groupResource: pods
    resourceNameRegex: "^my-pod$"
    namespaces:
    - ns1
  strategicPatches:
  - patchData: |
      spec:
        containers:
        - name: nginx
          image: repo2/nginx
)");
  REQUIRE(mods.size() == 2);
  Object pod = parse_yaml(R"(
apiVersion: v1
kind: Pod
metadata:
  name: my-pod
  annotations: {foo: "1", bar: "2"}
spec:
  containers:
  - {name: nginx, image: nginx:1.25, ports: [{containerPort: 80}]}
  - {name: log, image: busybox}
)");
  Object other = pod.clone();
  other.set_name("my-pod-2");
  CHECK(mods.apply(pod, "pods", "ns1") == 2);
  CHECK_FALSE(pod.has_annotation("foo"));
  CHECK(pod.annotation("bar") == "2");
  CHECK(str(pod, "/spec/containers/0/image") == "repo2/nginx");
  CHECK(pod.find("/spec/containers/0/ports/0/containerPort")->GetInt() == 80);
  CHECK(str(pod, "/spec/containers/1/image") == "busybox");

  CHECK(mods.apply(other, "pods", "ns1") == 1);
  CHECK_FALSE(other.has_annotation("foo"));
  CHECK(str(other, "/spec/containers/0/image") == "nginx:1.25");
  CHECK(mods.apply(other, "pods", "ns2") == 0);
}

TEST_CASE("modifiers: matches conditions", "[modifiers]") {
  const ResourceModifiers mods = ResourceModifiers::parse(R"(
version: v1
resourceModifierRules:
- conditions:
    groupResource: persistentvolumeclaims
    matches:
    - path: "/spec/storageClassName"
      value: "premium"
    - path: "/spec/resources/requests/storage"
      value: "20Gi"
  mergePatches:
  - patchData: |
      {"metadata": {"annotations": {"foo": null}}}
- conditions:
    groupResource: deployments.apps
    matches:
    - path: /spec/replicas
      value: "3"
  mergePatches:
  - patchData: 'spec: {replicas: 0}'
)");
  Object pvc =
      fixture("wordpress-mysql/wordpress-deployment.yaml", "PersistentVolumeClaim", "wp-pv-claim");
  merge(pvc, R"({"metadata":{"annotations":{"foo":"x"}},"spec":{"storageClassName":"premium"}})");
  Object gold = pvc.clone();
  merge(gold, R"({"spec":{"storageClassName":"gold"}})");
  CHECK(mods.apply(pvc, "persistentvolumeclaims", "any") == 1);
  CHECK_FALSE(pvc.has_annotation("foo"));
  CHECK(mods.apply(gold, "persistentvolumeclaims", "any") == 0);
  CHECK(gold.has_annotation("foo"));

  Object dep =
      fixture("guestbook/frontend-deployment.yaml", "Deployment", "frontend");  // replicas: 3
  CHECK(mods.apply(dep, "deployments.apps", "any") == 1);
  CHECK(dep.find("/spec/replicas")->GetInt() == 0);
  CHECK(mods.apply(dep, "deployments.apps", "any") == 0);
  Object no_replicas =
      fixture("wordpress-mysql/mysql-deployment.yaml", "Deployment", "wordpress-mysql");
  CHECK(mods.apply(no_replicas, "deployments.apps", "any") == 0);
}

TEST_CASE("modifiers: groupResource globs, label expressions, cluster-scoped objects",
          "[modifiers]") {
  auto rule = [](const std::string& conditions) {
    return ResourceModifiers::parse("version: v1\nresourceModifierRules:\n- conditions:\n" +
                                    conditions +
                                    "  mergePatches:\n  - patchData: '{\"metadata\":{\"labels\":"
                                    "{\"hit\":\"yes\"}}}'\n");
  };
  Object dep = fixture("guestbook/frontend-deployment.yaml", "Deployment", "frontend");
  auto hits = [&dep](const ResourceModifiers& m, const char* gr, const char* ns = "prod") {
    Object o = dep.clone();
    return m.apply(o, gr, ns) == 1;
  };
  const auto apps = rule("    groupResource: '*.apps'\n");
  CHECK(hits(apps, "deployments.apps"));
  CHECK_FALSE(hits(apps, "pods"));
  CHECK_FALSE(hits(apps, "ingresses.networking.k8s.io"));
  const auto core = rule("    groupResource: '*'\n");
  CHECK(hits(core, "pods"));
  CHECK_FALSE(hits(core, "deployments.apps"));
  const auto grouped = rule("    groupResource: '*.*'\n");
  CHECK(hits(grouped, "deployments.apps"));
  CHECK_FALSE(hits(grouped, "ingresses.networking.k8s.io"));  // '*' stops at '.'
  const auto all = rule("    groupResource: '**'\n");
  CHECK(hits(all, "pods"));
  CHECK(hits(all, "ingresses.networking.k8s.io"));
  const auto alt = rule("    groupResource: '{deployments,statefulsets}.apps'\n");
  CHECK(hits(alt, "statefulsets.apps"));
  CHECK_FALSE(hits(alt, "daemonsets.apps"));

  const auto exprs = rule(R"(    groupResource: deployments.apps
    labelSelector:
      matchExpressions:
      - {key: tier, operator: In, values: [frontend, web]}
      - {key: app, operator: NotIn, values: [redis]}
      - {key: team, operator: DoesNotExist}
)");
  Object labelled = dep.clone();
  labelled.set_label("tier", "frontend");
  CHECK(exprs.apply(labelled, "deployments.apps", "prod") == 1);
  labelled.set_label("team", "x");
  CHECK(exprs.apply(labelled, "deployments.apps", "prod") == 0);
  CHECK_FALSE(hits(exprs, "deployments.apps"));  // no tier label

  // `namespaces` does not apply to cluster-scoped objects (no namespace).
  const auto crds = rule(
      "    groupResource: customresourcedefinitions.apiextensions.k8s.io\n"
      "    namespaces: [prod]\n");
  Object crd = fixture("custom-resources/crd-status-subresource.yaml", "CustomResourceDefinition",
                       "foos.samplecontroller.k8s.io");
  CHECK(crds.apply(crd, "customresourcedefinitions.apiextensions.k8s.io", "") == 1);
  CHECK(crd.label("hit") == "yes");
}

TEST_CASE("modifiers: every rule's conditions see the object before any patch", "[modifiers]") {
  const ResourceModifiers mods = ResourceModifiers::parse(R"(
version: V1
resourceModifierRules:
- conditions:
    groupResource: deployments.apps
    labelSelector: {matchLabels: {stage: old}}
  mergePatches:
  - patchData: '{"metadata":{"labels":{"stage":"new"}}}'
- conditions:
    groupResource: deployments.apps
    labelSelector: {matchLabels: {stage: old}}
  patches:
  - operation: add
    path: /metadata/labels/second
    value: ran
- conditions:
    groupResource: deployments.apps
    labelSelector: {matchLabels: {stage: new}}
  patches:
  - operation: add
    path: /metadata/labels/third
    value: ran
)");
  Object dep = fixture("guestbook/frontend-deployment.yaml", "Deployment", "frontend");
  dep.set_label("stage", "old");
  CHECK(mods.apply(dep, "deployments.apps", "prod") == 2);
  CHECK(dep.label("stage") == "new");
  CHECK(dep.label("second") == "ran");
  CHECK_FALSE(dep.has_label("third"));
}

TEST_CASE("modifiers: a patch that cannot apply is an error naming the rule", "[modifiers]") {
  const ResourceModifiers mods = ResourceModifiers::parse(R"(
version: v1
resourceModifierRules:
- conditions: {groupResource: services}
  patches:
  - {operation: replace, path: /spec/nope/x, value: "1"}
)",
                                                          "modifiers.yaml");
  Object svc = fixture("guestbook/frontend-service.yaml", "Service", "frontend");
  const std::string before = canonical_json(svc.json());
  try {
    mods.apply(svc, "services", "prod");
    FAIL("expected an error");
  } catch (const Error& e) {
    CHECK(e.code() == Errc::invalid_argument);
    CHECK_THAT(e.what(), Catch::StartsWith("modifiers.yaml: resourceModifierRules[0]"));
    CHECK_THAT(e.what(), Catch::Contains("/spec/nope/x"));
  }
  CHECK(canonical_json(svc.json()) == before);
}

TEST_CASE("modifiers: strict parsing names the rule and the field", "[modifiers]") {
  const std::string head = "version: v1\nresourceModifierRules:\n";
  const std::string two_valid = head + kValidRule + kValidRule;
  CHECK(parse_error(two_valid + R"(
- conditions:
    groupResource: pods
    resourceNameRgx: "^a"
  mergePatches:
  - patchData: '{}'
)") == "modifiers.yaml: resourceModifierRules[2].conditions.resourceNameRgx: unknown field");
  CHECK(parse_error(head + kValidRule + "  extra: 1\n") ==
        "modifiers.yaml: resourceModifierRules[0].extra: unknown field");
  CHECK(parse_error("version: v1\nrules: []\nresourceModifierRules:\n" + std::string(kValidRule)) ==
        "modifiers.yaml: rules: unknown field");
  CHECK_THAT(parse_error("version: v2\nresourceModifierRules:\n" + std::string(kValidRule)),
             Catch::StartsWith("modifiers.yaml: version: unsupported version"));
  CHECK_THAT(parse_error("resourceModifierRules:\n" + std::string(kValidRule)),
             Catch::StartsWith("modifiers.yaml: version: required"));
  CHECK_THAT(parse_error("version: v1\nresourceModifierRules: []\n"),
             Catch::StartsWith("modifiers.yaml: resourceModifierRules: "));
  CHECK_THAT(
      parse_error(head + "- conditions: {namespaces: [a]}\n  mergePatches: [{patchData: '{}'}]\n"),
      Catch::StartsWith(
          "modifiers.yaml: resourceModifierRules[0].conditions.groupResource: required"));
  CHECK_THAT(parse_error(head + "- mergePatches: [{patchData: '{}'}]\n"),
             Catch::StartsWith("modifiers.yaml: resourceModifierRules[0].conditions: required"));
  CHECK_THAT(
      parse_error(head + kValidRule +
                  "- conditions: {groupResource: pods, resourceNameRegex: '(['}\n"
                  "  mergePatches: [{patchData: '{}'}]\n"),
      Catch::StartsWith("modifiers.yaml: resourceModifierRules[1].conditions.resourceNameRegex: "
                        "invalid regular expression"));
  CHECK_THAT(
      parse_error(head + "- conditions: {groupResource: pods, resourceNameRegex: '(?i)^web'}\n"
                         "  mergePatches: [{patchData: '{}'}]\n"),
      Catch::StartsWith("modifiers.yaml: resourceModifierRules[0].conditions.resourceNameRegex: "
                        "invalid regular expression"));
  CHECK_THAT(
      parse_error(head + "- conditions: {groupResource: pods, resourceNameRegex: '^\\pL+$'}\n"
                         "  mergePatches: [{patchData: '{}'}]\n"),
      Catch::StartsWith("modifiers.yaml: resourceModifierRules[0].conditions.resourceNameRegex: "
                        "RE2 escape \\p is not supported"));
  CHECK_THAT(
      parse_error(head + "- conditions: {groupResource: 'pods[a'}\n"
                         "  mergePatches: [{patchData: '{}'}]\n"),
      Catch::StartsWith(
          "modifiers.yaml: resourceModifierRules[0].conditions.groupResource: invalid glob"));
  CHECK_THAT(parse_error(head + "- conditions: {groupResource: pods}\n"
                                "  patches: [{operation: add, path: spec/x, value: '1'}]\n"),
             Catch::StartsWith(
                 "modifiers.yaml: resourceModifierRules[0].patches[0].path: not a JSON pointer"));
  CHECK_THAT(parse_error(head + "- conditions: {groupResource: pods}\n"
                                "  patches:\n  - {operation: test, path: /a, value: x}\n"
                                "  - {operation: upsert, path: /a, value: x}\n"),
             Catch::StartsWith("modifiers.yaml: resourceModifierRules[0].patches[1].operation: "
                               "unsupported operation \"upsert\""));
  CHECK_THAT(
      parse_error(head + "- conditions: {groupResource: pods}\n"
                         "  patches: [{operation: move, path: /a}]\n"),
      Catch::StartsWith("modifiers.yaml: resourceModifierRules[0].patches[0].from: required"));
  CHECK_THAT(
      parse_error(head + "- conditions: {groupResource: pods}\n"
                         "  patches: [{operation: add, path: /a}]\n"),
      Catch::StartsWith("modifiers.yaml: resourceModifierRules[0].patches[0].value: required"));
  CHECK_THAT(parse_error(head + "- conditions: {groupResource: pods}\n"
                                "  patches: [{operation: add, path: /a, value: '{bad'}]\n"),
             Catch::StartsWith("modifiers.yaml: resourceModifierRules[0].patches[0].value: "));
  CHECK_THAT(parse_error(head + "- conditions: {groupResource: pods}\n"
                                "  patches: [{operation: add, path: /a~2, value: x}]\n"),
             Catch::StartsWith(
                 "modifiers.yaml: resourceModifierRules[0].patches[0].path: not a JSON pointer"));
  CHECK(parse_error(head + "- conditions: {groupResource: pods}\n"
                           "  patches: [{operation: remove, path: /a}]\n"
                           "  mergePatches: [{patchData: '{}'}]\n") ==
        "modifiers.yaml: resourceModifierRules[0]: only one of patches, mergePatches, "
        "strategicPatches can be specified");
  CHECK_THAT(parse_error(head + "- conditions: {groupResource: pods}\n"),
             Catch::StartsWith("modifiers.yaml: resourceModifierRules[0]: one of patches"));
  CHECK(parse_error(head + "- conditions: {groupResource: pods}\n"
                           "  strategicPatches: [{patchData: '{}', patchType: x}]\n") ==
        "modifiers.yaml: resourceModifierRules[0].strategicPatches[0].patchType: unknown field");
  CHECK_THAT(
      parse_error(head + "- conditions: {groupResource: pods}\n"
                         "  mergePatches: [{patchData: '{a: [}'}]\n"),
      Catch::StartsWith("modifiers.yaml: resourceModifierRules[0].mergePatches[0].patchData: "
                        "not valid JSON or YAML"));
  CHECK_THAT(
      parse_error(
          head +
          "- conditions:\n    groupResource: pods\n"
          "    labelSelector: {matchExpressions: [{key: a, operator: Equals, values: [b]}]}\n"
          "  mergePatches: [{patchData: '{}'}]\n"),
      Catch::StartsWith("modifiers.yaml: resourceModifierRules[0].conditions.labelSelector."
                        "matchExpressions[0].operator: "));
  CHECK_THAT(parse_error(head + "- conditions:\n    groupResource: pods\n"
                                "    labelSelector: {matchExpressions: [{key: a, operator: In}]}\n"
                                "  mergePatches: [{patchData: '{}'}]\n"),
             Catch::StartsWith("modifiers.yaml: resourceModifierRules[0].conditions.labelSelector."
                               "matchExpressions[0].values: must not be empty"));
  CHECK_THAT(parse_error(head + "- conditions:\n    groupResource: pods\n"
                                "    matches: [{value: x}]\n"
                                "  mergePatches: [{patchData: '{}'}]\n"),
             Catch::StartsWith(
                 "modifiers.yaml: resourceModifierRules[0].conditions.matches[0].path: required"));
  CHECK_THAT(parse_error(head + "- conditions:\n    groupResource: pods\n    namespaces: bar\n"
                                "  mergePatches: [{patchData: '{}'}]\n"),
             Catch::StartsWith(
                 "modifiers.yaml: resourceModifierRules[0].conditions.namespaces: must be a list"));
  CHECK_THAT(parse_error("version: v1\nresourceModifierRules:\n- conditions: [\n"),
             Catch::StartsWith("modifiers.yaml:"));
}

TEST_CASE("modifiers: load_file reads a file and names it in errors", "[modifiers]") {
  const std::string path = "/tmp/drsync-modifiers-" + std::to_string(::getpid()) + ".yaml";
  {
    std::ofstream out(path);
    out << "version: v1\nresourceModifierRules:\n" << kValidRule;
  }
  CHECK(ResourceModifiers::load_file(path).size() == 1);
  {
    std::ofstream out(path);
    out << "version: v1\nresourceModifierRules:\n- conditions: {groupResource: pods, bogus: 1}\n";
  }
  try {
    ResourceModifiers::load_file(path);
    FAIL("expected an error");
  } catch (const Error& e) {
    CHECK(std::string(e.what()) ==
          path + ": resourceModifierRules[0].conditions.bogus: unknown field");
  }
  std::remove(path.c_str());
  CHECK_THROWS_AS(ResourceModifiers::load_file(path), Error);
}

TEST_CASE("modifiers: a repeat count over 1000 is refused, as RE2 does (fuzz finding)",
          "[modifiers]") {
  // libstdc++'s regex compiler overflowed a signed integer on the long count.
  const std::string head = "version: v1\nresourceModifierRules:\n";
  for (const char* re : {"^w{8888888888888888888}", "^a{2,1001}$", "x{1001}"}) {
    CAPTURE(re);
    CHECK_THAT(parse_error(head + "- conditions: {groupResource: pods, resourceNameRegex: '" + re +
                           "'}\n  mergePatches: [{patchData: '{}'}]\n"),
               Catch::Contains("resourceNameRegex: repeat count over 1000"));
  }
  CHECK_THAT(
      parse_error(head + "- conditions: {groupResource: pods, resourceNameRegex: "
                         "'(a)\\77777777777777777777'}\n  mergePatches: [{patchData: '{}'}]\n"),
      Catch::Contains("RE2 escape \\7 is not supported"));
  CHECK_NOTHROW(ResourceModifiers::parse(head +
                                         "- conditions: {groupResource: pods, resourceNameRegex: "
                                         "'^web-[0-9]{1,1000}$|\\{99999\\}'}\n"
                                         "  mergePatches: [{patchData: '{}'}]\n"));
}

TEST_CASE("globs: many alternatives are refused, many stars match in bounded time",
          "[unit][modifiers]") {
  using drsync::detail::Glob;
  // Nine {a,b} groups would expand to 512 patterns (fuzz finding: a timeout).
  std::string braces;
  for (int i = 0; i < 9; ++i) braces += "{a,b}";
  CHECK_THROWS_WITH(Glob::compile(braces, '.'), Catch::Contains("more than 256 alternatives"));
  CHECK(Glob::compile("{a,b}{c,d}", '.').match("bd"));
  // 30 stars against 200 characters that almost match: backtracking would never end.
  std::string stars;
  for (int i = 0; i < 30; ++i) stars += "a*";
  const std::string text(200, 'a');
  CHECK_FALSE(Glob::compile(stars + "b", '\0').match(text));
  CHECK(Glob::compile(stars, '\0').match(text));
  CHECK(Glob::compile("**.apps", '.').match("deployments.apps"));
  CHECK_FALSE(Glob::compile("*.apps", '.').match("x.deployments.apps"));
}
