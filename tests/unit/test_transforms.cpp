#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "drsync/error.hpp"
#include "drsync/object.hpp"
#include "drsync/transform.hpp"
#include "drsync/yaml.hpp"
#include "transform/image_ref.hpp"

using namespace drsync;

namespace {

std::vector<Object> fixtures(const std::string& rel) {
  return load_yaml_file(std::string(DRSYNC_FIXTURES_DIR) + "/apps/" + rel);
}

Object fixture(const std::string& rel, std::string_view kind, std::string_view name) {
  for (auto& o : fixtures(rel)) {
    if (o.kind() == kind && o.name() == name) return o.clone();
  }
  FAIL("fixture " << rel << " has no " << kind << " " << name);
  return Object();
}

// What the source API server adds to an object it stores (plus `extra`, merged the same way).
void make_live(Object& o, std::string_view ns, const char* extra = "{}") {
  Object live = Object::parse(R"({"metadata":{
      "uid":"6f1c0d3e-9a52-4a43-9c1e-2b7f6a1d0c11","resourceVersion":"48213","generation":4,
      "creationTimestamp":"2024-05-01T10:00:00Z","selfLink":"/apis/x/y",
      "managedFields":[{"manager":"kubectl-client-side-apply","operation":"Update"}],
      "ownerReferences":[{"apiVersion":"v1","kind":"X","name":"owner","uid":"1"}],
      "annotations":{"kubectl.kubernetes.io/last-applied-configuration":"{\"kind\":\"X\"}\n"}},
      "status":{"observedGeneration":4}})");
  apply_merge_patch(o.json(), live.json(), o.allocator());
  Object more = Object::parse(extra);
  apply_merge_patch(o.json(), more.json(), o.allocator());
  if (!ns.empty()) o.set_namespace(ns);
}

TransformContext context() {
  TransformContext ctx;
  ctx.source_namespace = "prod";
  ctx.dest_namespace = "prod-dr";
  return ctx;
}

std::string str(const Object& o, const char* pointer) {
  return std::string(json_str(o.find(pointer)));
}

}  // namespace

TEST_CASE("default_transforms runs the units in the documented order", "[transform]") {
  std::vector<std::string> names;
  for (const auto& t : default_transforms()) names.emplace_back(t->name());
  CHECK(names == std::vector<std::string>{"strip-server-fields", "remap-namespace", "service",
                                          "persistentvolumeclaim", "job", "image-rewrite",
                                          "resource-modifiers"});
}

TEST_CASE("strip-server-fields removes what the server populated", "[transform]") {
  Object dep = fixture("guestbook/frontend-deployment.yaml", "Deployment", "frontend");
  const std::string spec = canonical_json(*dep.find("/spec"));
  make_live(dep, "prod", R"({"metadata":{"deletionTimestamp":"2024-05-02T00:00:00Z",
      "deletionGracePeriodSeconds":30,"labels":{"app":"guestbook"}}})");
  strip_server_fields()->apply(dep, context());
  const rapidjson::Value& meta = *dep.find("/metadata");
  for (const char* f : {"uid", "resourceVersion", "generation", "creationTimestamp",
                        "deletionTimestamp", "deletionGracePeriodSeconds", "managedFields",
                        "selfLink", "ownerReferences", "annotations"}) {
    CHECK_FALSE(meta.HasMember(f));
  }
  CHECK(dep.find("/status") == nullptr);
  CHECK(dep.name() == "frontend");
  CHECK(dep.namespace_() == "prod");
  CHECK(dep.label("app") == "guestbook");
  CHECK(canonical_json(*dep.find("/spec")) == spec);

  // Other annotations stay; an emptied labels map goes.
  Object svc = fixture("guestbook/frontend-service.yaml", "Service", "frontend");
  make_live(svc, "prod", R"({"metadata":{"annotations":{"team":"web"},"labels":null}})");
  svc.metadata().AddMember("labels", rapidjson::Value(rapidjson::kObjectType), svc.allocator());
  strip_server_fields()->apply(svc, context());
  CHECK(canonical_json(*svc.find("/metadata")) ==
        R"({"annotations":{"team":"web"},"name":"frontend","namespace":"prod"})");
}

TEST_CASE("remap-namespace moves namespaced objects and their self references", "[transform]") {
  const TransformContext ctx = context();
  SECTION("metadata.namespace; DNS names in env values are left alone") {
    Object dep = fixture("guestbook/frontend-deployment.yaml", "Deployment", "frontend");
    make_live(dep, "prod", R"({"spec":{"template":{"spec":{"containers":[{"name":"php-redis",
        "image":"gcr.io/google_samples/gb-frontend:v5",
        "env":[{"name":"REDIS","value":"redis-leader.prod.svc.cluster.local"}]}]}}}})");
    remap_namespace()->apply(dep, ctx);
    CHECK(dep.namespace_() == "prod-dr");
    CHECK(str(dep, "/spec/template/spec/containers/0/env/0/value") ==
          "redis-leader.prod.svc.cluster.local");
  }
  SECTION("an object without metadata.namespace gets one when the context is namespaced") {
    Object svc = fixture("guestbook/redis-leader-service.yaml", "Service", "redis-leader");
    remap_namespace()->apply(svc, ctx);
    CHECK(svc.namespace_() == "prod-dr");
  }
  SECTION("cluster-scoped objects are untouched") {
    Object crd = fixture("custom-resources/crd-status-subresource.yaml", "CustomResourceDefinition",
                         "foos.samplecontroller.k8s.io");
    TransformContext cluster = ctx;
    cluster.source_namespace.clear();
    const std::string before = canonical_json(crd.json());
    remap_namespace()->apply(crd, cluster);
    CHECK(canonical_json(crd.json()) == before);
  }
  SECTION("RoleBinding ServiceAccount subjects of the source namespace") {
    Object rb = parse_yaml(R"(
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: read, namespace: prod}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: reader}
subjects:
- {kind: ServiceAccount, name: frontend, namespace: prod}
- {kind: ServiceAccount, name: monitor, namespace: monitoring}
- {kind: User, name: prod, apiGroup: rbac.authorization.k8s.io}
)");
    remap_namespace()->apply(rb, ctx);
    CHECK(str(rb, "/subjects/0/namespace") == "prod-dr");
    CHECK(str(rb, "/subjects/1/namespace") == "monitoring");
    CHECK(str(rb, "/subjects/2/name") == "prod");
  }
  SECTION("pod affinity namespaces and NetworkPolicy namespace selectors") {
    Object sts = fixture("zookeeper/zookeeper.yaml", "StatefulSet", "zk");
    const char* term =
        "/spec/template/spec/affinity/podAntiAffinity/"
        "requiredDuringSchedulingIgnoredDuringExecution/0";
    REQUIRE(sts.find(term) != nullptr);
    Object nss = Object::parse(R"(["prod","other"])");
    sts.find(term)->AddMember("namespaces", rapidjson::Value(nss.json(), sts.allocator()),
                              sts.allocator());
    remap_namespace()->apply(sts, ctx);
    CHECK(canonical_json(*sts.find((std::string(term) + "/namespaces").c_str())) ==
          R"(["prod-dr","other"])");

    Object np = parse_yaml(R"(
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: same-ns}
spec:
  podSelector: {}
  ingress:
  - from:
    - namespaceSelector:
        matchLabels: {kubernetes.io/metadata.name: prod}
    - namespaceSelector:
        matchExpressions:
        - {key: kubernetes.io/metadata.name, operator: In, values: [prod, ingress-nginx]}
)");
    remap_namespace()->apply(np, ctx);
    CHECK(str(np,
              "/spec/ingress/0/from/0/namespaceSelector/matchLabels/"
              "kubernetes.io~1metadata.name") == "prod-dr");
    CHECK(canonical_json(
              *np.find("/spec/ingress/0/from/1/namespaceSelector/matchExpressions/0/values")) ==
          R"(["prod-dr","ingress-nginx"])");
  }
}

TEST_CASE("service clears cluster-allocated addresses and ports", "[transform]") {
  Object svc = fixture("wordpress-mysql/wordpress-deployment.yaml", "Service", "wordpress");
  REQUIRE(str(svc, "/spec/type") == "LoadBalancer");
  make_live(svc, "prod", R"({"spec":{"clusterIP":"10.96.12.7","clusterIPs":["10.96.12.7"],
      "healthCheckNodePort":31999,"loadBalancerIP":"203.0.113.9","externalTrafficPolicy":"Local",
      "ports":[{"port":80,"nodePort":31080,"protocol":"TCP","targetPort":80}]},
      "status":{"loadBalancer":{"ingress":[{"ip":"203.0.113.9"}]}}})");
  Object preserved = svc.clone();
  run_transforms(default_transforms(), svc, context());
  const rapidjson::Value& spec = *svc.find("/spec");
  for (const char* f : {"clusterIP", "clusterIPs", "healthCheckNodePort", "loadBalancerIP"}) {
    CHECK_FALSE(spec.HasMember(f));
  }
  CHECK(svc.find("/spec/ports/0/nodePort") == nullptr);
  CHECK(svc.find("/spec/ports/0/port")->GetInt() == 80);
  CHECK(str(svc, "/spec/externalTrafficPolicy") == "Local");
  CHECK(svc.find("/status") == nullptr);

  TransformContext keep = context();
  keep.preserve_node_ports = true;
  service_cluster_fields()->apply(preserved, keep);
  CHECK(preserved.find("/spec/ports/0/nodePort")->GetInt() == 31080);
  CHECK(preserved.find("/spec/clusterIP") == nullptr);

  // Headless stays headless.
  Object headless = fixture("mysql-stateful/mysql-services.yaml", "Service", "mysql");
  make_live(headless, "prod", R"({"spec":{"clusterIPs":["None"]}})");
  service_cluster_fields()->apply(headless, context());
  CHECK(str(headless, "/spec/clusterIP") == "None");
  CHECK(canonical_json(*headless.find("/spec/clusterIPs")) == R"(["None"])");
}

TEST_CASE("persistentvolumeclaim unbinds claims and maps class and access modes", "[transform]") {
  TransformContext ctx = context();
  ctx.storage_class_map = {{"standard", "fast-dr"}, {"gold", "gold-dr"}};
  ctx.access_mode_map = {{"ReadWriteOnce", "ReadWriteOncePod"}};

  Object pvc =
      fixture("wordpress-mysql/wordpress-deployment.yaml", "PersistentVolumeClaim", "wp-pv-claim");
  make_live(pvc, "prod", R"({"metadata":{"annotations":{
      "pv.kubernetes.io/bind-completed":"yes","pv.kubernetes.io/bound-by-controller":"yes",
      "volume.beta.kubernetes.io/storage-provisioner":"rancher.io/local-path",
      "volume.kubernetes.io/storage-provisioner":"rancher.io/local-path",
      "volume.kubernetes.io/selected-node":"node-1",
      "volume.beta.kubernetes.io/storage-class":"gold","backup":"daily"}},
      "spec":{"volumeName":"pvc-6f1c0d3e","storageClassName":"standard","volumeMode":"Filesystem"},
      "status":{"phase":"Bound"}})");
  run_transforms(default_transforms(), pvc, ctx);
  CHECK(pvc.find("/spec/volumeName") == nullptr);
  CHECK(str(pvc, "/spec/storageClassName") == "fast-dr");
  CHECK(canonical_json(*pvc.find("/spec/accessModes")) == R"(["ReadWriteOncePod"])");
  CHECK(canonical_json(*pvc.find("/metadata/annotations")) ==
        R"({"backup":"daily","volume.beta.kubernetes.io/storage-class":"gold-dr"})");
  CHECK(str(pvc, "/spec/resources/requests/storage") == "20Gi");

  // A class that is not in the map is kept; duplicates the mode map creates are dropped.
  Object other =
      fixture("wordpress-mysql/mysql-deployment.yaml", "PersistentVolumeClaim", "mysql-pv-claim");
  make_live(other, "prod", R"({"spec":{"storageClassName":"local",
      "accessModes":["ReadWriteOnce","ReadWriteOncePod"]}})");
  pvc_binding()->apply(other, ctx);
  CHECK(str(other, "/spec/storageClassName") == "local");
  CHECK(canonical_json(*other.find("/spec/accessModes")) == R"(["ReadWriteOncePod"])");

  // StatefulSet claim templates.
  Object sts = fixture("mysql-stateful/mysql-statefulset.yaml", "StatefulSet", "mysql");
  make_live(sts, "prod", R"({"spec":{"volumeClaimTemplates":[{"metadata":{"name":"data"},
      "spec":{"accessModes":["ReadWriteOnce"],"storageClassName":"standard",
      "resources":{"requests":{"storage":"10Gi"}}}}]}})");
  pvc_binding()->apply(sts, ctx);
  CHECK(str(sts, "/spec/volumeClaimTemplates/0/spec/storageClassName") == "fast-dr");
  CHECK(canonical_json(*sts.find("/spec/volumeClaimTemplates/0/spec/accessModes")) ==
        R"(["ReadWriteOncePod"])");
}

TEST_CASE("job drops the controller-uid labels and the generated selector", "[transform]") {
  Object job = fixture("cronjob-and-job/job.yaml", "Job", "pi");
  const char* generated = R"({"metadata":{"labels":{"controller-uid":"6f1c","job-name":"pi",
      "batch.kubernetes.io/controller-uid":"6f1c","batch.kubernetes.io/job-name":"pi"}},
      "spec":{"selector":{"matchLabels":{"batch.kubernetes.io/controller-uid":"6f1c"}},
      "template":{"metadata":{"labels":{"controller-uid":"6f1c","job-name":"pi",
      "batch.kubernetes.io/controller-uid":"6f1c","batch.kubernetes.io/job-name":"pi"}}}}})";
  make_live(job, "prod", generated);
  Object manual = job.clone();
  run_transforms(default_transforms(), job, context());
  CHECK(canonical_json(*job.find("/metadata/labels")) ==
        R"({"batch.kubernetes.io/job-name":"pi","job-name":"pi"})");
  CHECK(canonical_json(*job.find("/spec/template/metadata/labels")) ==
        R"({"batch.kubernetes.io/job-name":"pi","job-name":"pi"})");
  CHECK(job.find("/spec/selector") == nullptr);
  CHECK(job.find("/spec/backoffLimit")->GetInt() == 4);

  manual.find("/spec")->AddMember("manualSelector", true, manual.allocator());
  job_controller_uid()->apply(manual, context());
  CHECK(manual.find("/spec/selector") != nullptr);
  CHECK_FALSE(manual.has_label("controller-uid"));
}

TEST_CASE("image-rewrite: whole path segments, longest prefix, Docker Hub short names",
          "[transform]") {
  const detail::ImageMap map = {{"gcr.io/foo", "mirror.local/foo"},
                                {"gcr.io", "mirror.local/gcr"},
                                {"gcr.io/foo/special", "mirror.local/special"},
                                {"docker.io/library", "registry.dr.example.com/library"},
                                {"quay.io/", "mirror.local/quay/"}};
  auto rw = [&map](const char* image) { return detail::rewrite_image(image, map).value_or("-"); };
  CHECK(rw("gcr.io/foo/app:1") == "mirror.local/foo/app:1");
  CHECK(rw("gcr.io/foobar/x:1") == "mirror.local/gcr/foobar/x:1");
  CHECK(rw("gcr.io/foo/special/app@sha256:ab") == "mirror.local/special/app@sha256:ab");
  CHECK(rw("nginx:1.25") == "registry.dr.example.com/library/nginx:1.25");
  CHECK(rw("nginx") == "registry.dr.example.com/library/nginx");
  CHECK(rw("docker.io/library/redis:7") == "registry.dr.example.com/library/redis:7");
  CHECK(rw("bitnami/redis:7") == "-");  // docker.io/bitnami is not under docker.io/library
  CHECK(rw("quay.io/prometheus/node-exporter") == "mirror.local/quay/prometheus/node-exporter");
  CHECK(rw("registry.k8s.io/pause:3.9") == "-");
  CHECK(detail::rewrite_image("bitnami/redis:7", {{"docker.io", "hub.local"}}) ==
        "hub.local/bitnami/redis:7");
  CHECK(detail::rewrite_image("localhost:5000/app", {{"localhost", "x"}}) == std::nullopt);
  CHECK(detail::rewrite_image("localhost:5000/app", {{"localhost:5000", "x"}}) == "x/app");
  CHECK(detail::rewrite_image("docker.io/library/nginx:1", {{"docker.io/library/nginx", "n"}}) ==
        "n:1");
}

TEST_CASE("image-rewrite on real pod templates", "[transform]") {
  TransformContext ctx = context();
  ctx.image_map = {
      {"us-central1-docker.pkg.dev/online-boutique-ci", "registry.dr.example.com/boutique"},
      {"docker.io/library", "registry.dr.example.com/library"},
      {"gcr.io/google-samples", "mirror.local/samples"}};
  int deployments = 0;
  for (auto& o : fixtures("online-boutique/kubernetes-manifests.yaml")) {
    run_transforms(default_transforms(), o, ctx);
    if (o.kind() != "Deployment") continue;
    ++deployments;
    for (const char* list :
         {"/spec/template/spec/containers", "/spec/template/spec/initContainers"}) {
      const rapidjson::Value* cs = o.find(list);
      if (!cs) continue;
      for (const auto& c : cs->GetArray()) {
        const std::string image(json_str(json_get(c, "image")));
        CHECK_THAT(image, Catch::StartsWith("registry.dr.example.com/"));
      }
    }
    if (o.name() == "redis-cart") {
      CHECK(str(o, "/spec/template/spec/containers/0/image") ==
            "registry.dr.example.com/library/redis:alpine");
    }
    if (o.name() == "loadgenerator") {
      CHECK_THAT(str(o, "/spec/template/spec/initContainers/0/image"),
                 Catch::StartsWith("registry.dr.example.com/library/busybox:1.38.0@sha256:"));
    }
    if (o.name() == "frontend") {
      CHECK(str(o, "/spec/template/spec/containers/0/image") ==
            "registry.dr.example.com/boutique/microservices-demo/frontend:v0.10.6");
    }
  }
  CHECK(deployments == 12);

  Object sts = fixture("mysql-stateful/mysql-statefulset.yaml", "StatefulSet", "mysql");
  image_rewrite()->apply(sts, ctx);
  CHECK(str(sts, "/spec/template/spec/initContainers/0/image") ==
        "registry.dr.example.com/library/mysql:5.7");
  CHECK(str(sts, "/spec/template/spec/initContainers/1/image") ==
        "mirror.local/samples/xtrabackup:1.0");

  // gcr.io/google_samples is another path segment than gcr.io/google-samples.
  Object gb = fixture("guestbook/frontend-deployment.yaml", "Deployment", "frontend");
  image_rewrite()->apply(gb, ctx);
  CHECK(str(gb, "/spec/template/spec/containers/0/image") ==
        "gcr.io/google_samples/gb-frontend:v5");

  Object cj = fixture("cronjob-and-job/cronjob.yaml", "CronJob", "hello");
  image_rewrite()->apply(cj, ctx);
  CHECK(str(cj, "/spec/jobTemplate/spec/template/spec/containers/0/image") ==
        "registry.dr.example.com/library/busybox:1.28");
  Object job = fixture("cronjob-and-job/job.yaml", "Job", "pi");
  image_rewrite()->apply(job, ctx);
  CHECK(str(job, "/spec/template/spec/containers/0/image") ==
        "registry.dr.example.com/library/perl:5.34.0");
}

TEST_CASE("resource-modifiers runs the user rules with the source namespace", "[transform]") {
  const ResourceModifiers mods = ResourceModifiers::parse(R"(
version: v1
resourceModifierRules:
- conditions:
    groupResource: deployments.apps
    namespaces: [prod]
  mergePatches:
  - patchData: '{"spec":{"replicas":1}}'
)");
  TransformContext ctx = context();
  ctx.group_resource = "deployments.apps";
  ctx.modifiers = &mods;
  Object dep = fixture("guestbook/frontend-deployment.yaml", "Deployment", "frontend");
  make_live(dep, "prod");
  run_transforms(default_transforms(), dep, ctx);
  CHECK(dep.namespace_() == "prod-dr");
  CHECK(dep.find("/spec/replicas")->GetInt() == 1);

  ctx.source_namespace = "staging";
  Object other = fixture("guestbook/frontend-deployment.yaml", "Deployment", "frontend");
  run_transforms(default_transforms(), other, ctx);
  CHECK(other.find("/spec/replicas")->GetInt() == 3);
}

TEST_CASE("the default pipeline is idempotent on every fixture", "[transform]") {
  TransformContext ctx = context();
  ctx.image_map = {{"docker.io", "hub.local"}};
  ctx.storage_class_map = {{"standard", "fast"}};
  for (const char* app :
       {"guestbook/frontend-deployment.yaml", "guestbook/frontend-service.yaml",
        "wordpress-mysql/mysql-deployment.yaml", "zookeeper/zookeeper.yaml",
        "mysql-stateful/mysql-statefulset.yaml", "cronjob-and-job/cronjob.yaml",
        "custom-resources/shirt-resources.yaml", "online-boutique/kubernetes-manifests.yaml"}) {
    for (auto& o : fixtures(app)) {
      make_live(o, "prod");
      run_transforms(default_transforms(), o, ctx);
      Object again = o.clone();
      run_transforms(default_transforms(), again, ctx);
      CHECK(content_hash(again.json()) == content_hash(o.json()));
      CHECK(o.namespace_() == "prod-dr");
      CHECK(o.find("/status") == nullptr);
    }
  }
}

TEST_CASE("strip-server-fields drops controller-written Deployment annotations", "[transform]") {
  drsync::Object d = drsync::Object::parse(
      R"({"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web","annotations":{
      "deployment.kubernetes.io/revision":"3","team":"shop"}},"spec":{"replicas":2}})");
  drsync::strip_server_fields()->apply(d, drsync::TransformContext{});
  CHECK_FALSE(d.has_annotation("deployment.kubernetes.io/revision"));
  CHECK(d.annotation("team") == "shop");
}
