// check_services without a server: which Services must have ready endpoints, check Pods and what
// their end means, and the serviceChecks section of options documents.
#include <catch2/catch.hpp>

#include "drsync/error.hpp"
#include "drsync/options.hpp"
#include "migration/service_checks.hpp"

using namespace drsync;
using namespace drsync::detail;

namespace {

std::vector<Object> objects(std::initializer_list<const char*> json) {
  std::vector<Object> out;
  for (const char* j : json) out.push_back(Object::parse(j));
  return out;
}

const char* kWebService =
    R"({"kind":"Service","metadata":{"name":"web"},"spec":{"selector":{"app":"web"}}})";

std::string slice(const char* service, const char* endpoints) {
  return std::string(R"({"kind":"EndpointSlice","metadata":{"name":")") + service +
         R"(-x","labels":{"kubernetes.io/service-name":")" + service + R"("}},"endpoints":)" +
         endpoints + "}";
}

}  // namespace

TEST_CASE("a Service selecting a started workload needs a ready endpoint", "[unit][checks]") {
  auto services =
      objects({kWebService, R"({"metadata":{"name":"db"},"spec":{"selector":{"app":"db"}}})",
               R"({"metadata":{"name":"ext"},"spec":{"type":"ExternalName"}})",
               R"({"metadata":{"name":"manual"},"spec":{}})"});
  std::vector<Labels> running = {{{"app", "web"}, {"tier", "front"}}};
  SECTION("no slice yet: web fails; db selects nothing started, ext and manual have no selector") {
    auto results = endpoint_results(services, {}, running);
    REQUIRE(results.size() == 1);
    CHECK(results[0].name == "services/web");
    CHECK(results[0].kind == "endpoints");
    CHECK(results[0].target == "app=web");
    CHECK_FALSE(results[0].ok);
    CHECK(results[0].detail == "no ready endpoint");
  }
  SECTION("only not-ready endpoints, or endpoints without addresses, do not count") {
    std::vector<Object> slices;
    slices.push_back(Object::parse(slice(
        "web", R"([{"addresses":["10.0.0.5"],"conditions":{"ready":false}},{"addresses":[]}])")));
    CHECK_FALSE(endpoint_results(services, slices, running)[0].ok);
  }
  SECTION("a ready endpoint (or one without a ready condition, which means ready) passes") {
    std::vector<Object> slices;
    slices.push_back(Object::parse(slice(
        "web", R"([{"addresses":["10.0.0.5"],"conditions":{"ready":true}},{"addresses":["a"]}])")));
    slices.push_back(Object::parse(slice("db", R"([{"addresses":["10.0.0.6"]}])")));
    auto results = endpoint_results(services, slices, running);
    REQUIRE(results.size() == 1);
    CHECK(results[0].ok);
    CHECK(results[0].detail == "2 ready endpoints");
  }
  SECTION("a selector must match every label") {
    std::vector<Labels> other = {{{"app", "webby"}}};
    CHECK(endpoint_results(services, {}, other).empty());
  }
}

TEST_CASE("template labels come from the Pod template", "[unit][checks]") {
  auto d = Object::parse(
      R"({"kind":"Deployment","spec":{"template":{"metadata":{"labels":{"app":"web"}}}}})");
  CHECK(template_labels(d) == Labels{{"app", "web"}});
  CHECK(template_labels(Object::parse(R"({"kind":"CronTab","spec":{"replicas":1}})")).empty());
}

TEST_CASE("a check is an HTTP URL or a host:port, never both or neither", "[unit][checks]") {
  ServiceCheck c;
  c.url = "http://web:8080/healthz";
  CHECK(check_kind(c) == "http");
  c.url = "ftp://web";
  CHECK_THROWS_WITH(check_kind(c), Catch::Contains("must start with http:// or https://"));
  c.url.clear();
  c.address = "db:5432";
  CHECK(check_kind(c) == "tcp");
  for (const char* bad : {"db", "db:", ":5432", "db:54x"}) {
    c.address = bad;
    CHECK_THROWS_WITH(check_kind(c), Catch::Contains("address must be host:port"));
  }
  c.address = "[::1]:80";
  CHECK(check_kind(c) == "tcp");
  c.url = "http://x";
  CHECK_THROWS_WITH(check_kind(c), Catch::Contains("either a url or an address"));
}

TEST_CASE("a check Pod carries the target in its environment, placed as asked", "[unit][checks]") {
  ServiceCheckOptions o;
  o.pod_image = "tools:1";
  o.pod_placement.node_selector = {{"drsync.io/real-node", "true"}};
  o.pod_placement.tolerations = {{"drsync.io/real-node", "Equal", "true", "NoSchedule"}};
  ServiceCheck c;
  c.url = "http://web/$(reboot)";
  c.expect_status = 204;
  c.timeout = std::chrono::seconds(7);
  auto pod = check_pod_manifest(c, 2, o, "abc123");
  CHECK(pod.name() == "drsync-check-abc123-2");
  CHECK(pod.label(kCheckPodLabel) == "abc123");
  CHECK(json_str(pod.find("/spec/restartPolicy")) == "Never");
  CHECK(pod.find("/spec/activeDeadlineSeconds")->GetInt64() == 67);
  CHECK(json_str(pod.find("/spec/containers/0/image")) == "tools:1");
  CHECK(json_str(pod.find("/spec/nodeSelector/drsync.io~1real-node")) == "true");
  CHECK(json_str(pod.find("/spec/tolerations/0/effect")) == "NoSchedule");
  // The URL is data, not script: it is in the environment only.
  std::string script(json_str(pod.find("/spec/containers/0/command/2")));
  CHECK(script.find("reboot") == std::string::npos);
  CHECK(json_str(pod.find("/spec/containers/0/env/0/value")) == "http://web/$(reboot)");
  CHECK(json_str(pod.find("/spec/containers/0/env/2/value")) == "204");
  CHECK(json_str(pod.find("/spec/containers/0/env/3/value")) == "7");
}

TEST_CASE("a check Pod's end says whether the check passed, and why not", "[unit][checks]") {
  auto state = [](const char* status) {
    return check_pod_state(Object::parse(
        std::string(R"({"metadata":{"name":"drsync-check-a-0"},"status":)") + status + "}"));
  };
  auto passed = state(R"({"phase":"Succeeded","containerStatuses":[{"state":{"terminated":)"
                      R"({"exitCode":0,"message":"HTTP 200\n"}}}]})");
  CHECK(passed.done);
  CHECK(passed.ok);
  CHECK(passed.detail == "HTTP 200 (from Pod drsync-check-a-0)");
  auto failed = state(R"({"phase":"Failed","containerStatuses":[{"state":{"terminated":)"
                      R"({"exitCode":1,"message":"HTTP 404, expected 200"}}}]})");
  CHECK(failed.done);
  CHECK_FALSE(failed.ok);
  CHECK(failed.detail.find("HTTP 404, expected 200") == 0);
  auto deadline = state(R"({"phase":"Failed","reason":"DeadlineExceeded"})");
  CHECK(deadline.detail.find("DeadlineExceeded") == 0);
  auto no_image = state(R"({"phase":"Pending","containerStatuses":[{"state":{"waiting":)"
                        R"({"reason":"ErrImageNeverPull","message":"never"}}}]})");
  CHECK_FALSE(no_image.done);  // not in the list of reasons that never recover by themselves
  auto pull = state(R"({"phase":"Pending","containerStatuses":[{"state":{"waiting":)"
                    R"({"reason":"ImagePullBackOff","message":"no such image"}}}]})");
  CHECK(pull.done);
  CHECK_FALSE(pull.ok);
  CHECK(pull.detail.find("cannot start: ImagePullBackOff: no such image") != std::string::npos);
  auto unscheduled = state(R"({"phase":"Pending","conditions":[{"type":"PodScheduled",)"
                           R"("status":"False","message":"0/3 nodes are available"}]})");
  CHECK_FALSE(unscheduled.done);
  CHECK(unscheduled.detail.find("is not scheduled: 0/3 nodes are available") != std::string::npos);
}

TEST_CASE("serviceChecks in an options document", "[unit][checks][options]") {
  MigrationOptions o;
  apply_options_document(o, R"(
serviceChecks:
  endpoints: false
  podImage: tools:1
  podNodeSelector: {zone: a}
  podTolerations: [{key: k, operator: Exists, effect: NoSchedule}]
  checks:
    - {name: web, url: "http://web:8080/", expectStatus: 200, timeoutSeconds: 5, from: pod}
    - {address: "db:5432"}
)",
                         "opts.yaml");
  const auto& s = o.service_checks;
  CHECK_FALSE(s.endpoints);
  CHECK(s.pod_image == "tools:1");
  CHECK(s.pod_placement.node_selector.at("zone") == "a");
  REQUIRE(s.pod_placement.tolerations.size() == 1);
  CHECK(s.pod_placement.tolerations[0].op == "Exists");
  REQUIRE(s.checks.size() == 2);
  CHECK(s.checks[0].from == ServiceCheck::From::Pod);
  CHECK(s.checks[0].expect_status == 200);
  CHECK(s.checks[0].timeout == std::chrono::seconds(5));
  CHECK(s.checks[1].from == ServiceCheck::From::Host);
  CHECK(s.checks[1].timeout == std::chrono::seconds(60));
  auto error = [](const char* doc) {
    MigrationOptions x;
    try {
      apply_options_document(x, doc, "opts.yaml");
    } catch (const Error& e) {
      return std::string(e.what());
    }
    return std::string();
  };
  CHECK(error("serviceChecks: {checks: [{url: http://a, address: 'a:1'}]}") ==
        "opts.yaml.serviceChecks.checks[0]: give either url or address (host:port)");
  CHECK(error("serviceChecks: {checks: [{url: http://a, from: moon}]}") ==
        "opts.yaml.serviceChecks.checks[0].from: must be host or pod");
  CHECK(error("serviceChecks: {checks: [{url: http://a, expectStatus: 700}]}") ==
        "opts.yaml.serviceChecks.checks[0].expectStatus: must be between 0 and 599");
  CHECK(error("serviceChecks: {podTolerations: [{operator: Maybe}]}") ==
        "opts.yaml.serviceChecks.podTolerations[0].operator: must be Equal or Exists");
  CHECK(error("serviceChecks: {endpoint: true}") ==
        "opts.yaml.serviceChecks.endpoint: unknown field");
}
