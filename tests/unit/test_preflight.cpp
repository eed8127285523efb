// The pure parts of Migration::preflight: quantities, what Pods ask for, quota, limit range and
// webhook checks.
#include <catch2/catch.hpp>

#include "drsync/object.hpp"
#include "migration/preflight_checks.hpp"

using namespace drsync;
using namespace drsync::detail;

TEST_CASE("Kubernetes quantities", "[unit][preflight]") {
  CHECK(parse_quantity("500m").value() == Approx(0.5));
  CHECK(parse_quantity("2").value() == Approx(2));
  CHECK(parse_quantity("1.5").value() == Approx(1.5));
  CHECK(parse_quantity("64Mi").value() == Approx(64.0 * 1024 * 1024));
  CHECK(parse_quantity("1G").value() == Approx(1e9));
  CHECK(parse_quantity("2e3").value() == Approx(2000));
  CHECK_FALSE(parse_quantity("").has_value());
  CHECK_FALSE(parse_quantity("lots").has_value());
  CHECK_FALSE(parse_quantity("5Xi").has_value());
}

TEST_CASE("a quota the recorded counts exceed is an error naming it", "[unit][preflight]") {
  Object spec = Object::parse(R"({"containers":[
    {"name":"a","resources":{"requests":{"cpu":"250m","memory":"64Mi"},"limits":{"cpu":"1"}}},
    {"name":"b","resources":{"requests":{"cpu":"250m"}}}]})");
  PodDemand d = pod_demand(spec.json());
  CHECK(d.requests_cpu == Approx(0.5));
  CHECK(d.limits_cpu == Approx(1));
  std::vector<WorkloadNeed> needs{{"deployments.apps/web", 3, d}};
  Object quota = Object::parse(R"({"kind":"ResourceQuota","metadata":{"name":"compute"},
    "spec":{"hard":{"pods":"5","requests.cpu":"1","limits.cpu":"10","requests.storage":"1Gi",
    "persistentvolumeclaims":"1"}}})");
  std::vector<PreflightFinding> out;
  check_quota(quota, needs, {{"persistentvolumeclaims/a", 2e9}, {"persistentvolumeclaims/b", 1}},
              out);
  REQUIRE(out.size() == 3);  // requests.cpu, persistentvolumeclaims, requests.storage
  CHECK(out[0].object == "resourcequotas/compute");
  CHECK(out[0].severity == Severity::Error);
  CHECK(out[0].message.find("requests.cpu") != std::string::npos);
  CHECK(out[0].message.find("1500m") != std::string::npos);
  out.clear();
  check_quota(quota, {{"deployments.apps/web", 2, d}}, {}, out);
  CHECK(out.empty());
}

TEST_CASE("a container over a LimitRange max is an error", "[unit][preflight]") {
  Object range = Object::parse(R"({"kind":"LimitRange","metadata":{"name":"limits"},
    "spec":{"limits":[{"type":"Container","max":{"memory":"128Mi"}}]}})");
  std::vector<Object> workloads;
  workloads.push_back(
      Object::parse(R"({"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web"},
    "spec":{"template":{"spec":{"containers":[{"name":"c","resources":{"limits":{"memory":"1Gi"}}}]}}}})"));
  std::vector<PreflightFinding> out;
  check_limit_range(range, workloads, out);
  REQUIRE(out.size() == 1);
  CHECK(out[0].object == "limitranges/limits");
  CHECK(out[0].message.find("web") != std::string::npos);
}

TEST_CASE("pod references and webhooks on the writes", "[unit][preflight]") {
  Object w = Object::parse(R"({"apiVersion":"batch/v1","kind":"CronJob","metadata":{"name":"job"},
    "spec":{"jobTemplate":{"spec":{"template":{"spec":{"priorityClassName":"high",
    "runtimeClassName":"gvisor","imagePullSecrets":[{"name":"regcred"}],"containers":[]}}}}}})");
  PodRefs refs = pod_refs(w);
  CHECK(refs.priority_class == "high");
  CHECK(refs.runtime_class == "gvisor");
  CHECK(refs.pull_secrets == std::vector<std::string>{"regcred"});

  Object hook =
      Object::parse(R"({"kind":"ValidatingWebhookConfiguration","metadata":{"name":"policy"},
    "webhooks":[{"name":"deploy.policy.example.com","failurePolicy":"Fail",
      "rules":[{"operations":["CREATE"],"apiGroups":["apps"],"resources":["deployments"]}]},
     {"name":"pods.policy.example.com","rules":[{"operations":["*"],"apiGroups":[""],"resources":["pods"]}]}]})");
  std::vector<PreflightFinding> out;
  check_webhooks(hook, {"deployments.apps", "configmaps"}, out);
  REQUIRE(out.size() == 1);
  CHECK(out[0].severity == Severity::Warning);
  CHECK(out[0].object == "validatingwebhookconfigurations/policy");
  CHECK(out[0].message.find("deployments.apps") != std::string::npos);
  CHECK(out[0].message.find("failurePolicy Fail") != std::string::npos);
}
