// The per-object selection rules of NamespaceSync (what a DR copy never takes).
#include <catch2/catch.hpp>

#include "drsync/object.hpp"
#include "sync/select.hpp"

using namespace drsync;
using detail::skip_reason;

TEST_CASE("objects a DR copy never takes have a skip reason", "[select]") {
  const std::set<std::string> kinds{"Deployment", "ConfigMap", "Secret", "ServiceAccount"};
  const std::set<std::string> services{"web"};
  const detail::SkipContext context{kinds, services};
  auto reason = [&](const char* json) { return skip_reason(Object::parse(json), context); };

  CHECK(reason(R"({"kind":"ConfigMap","metadata":{"name":"app-config"}})").empty());
  CHECK_FALSE(reason(R"({"kind":"ConfigMap","metadata":{"name":"drsync-state"}})").empty());
  CHECK_FALSE(reason(R"({"kind":"ConfigMap","metadata":{"name":"kube-root-ca.crt"}})").empty());
  CHECK_FALSE(
      reason(
          R"({"kind":"Secret","type":"kubernetes.io/service-account-token","metadata":{"name":"t"}})")
          .empty());
  CHECK_FALSE(
      reason(
          R"({"kind":"ReplicaSet","metadata":{"name":"web-5d9","ownerReferences":[{"kind":"Deployment","name":"web"}]}})")
          .empty());
  CHECK_FALSE(
      reason(R"({"kind":"ConfigMap","metadata":{"name":"x","labels":{"drsync.io/ignore":"true"}}})")
          .empty());
  CHECK_FALSE(
      reason(
          R"({"kind":"ConfigMap","metadata":{"name":"x","annotations":{"dr-syncer.io/ignore":"True"}}})")
          .empty());
  CHECK(reason(
            R"({"kind":"ConfigMap","metadata":{"name":"x","labels":{"drsync.io/ignore":"false"}}})")
            .empty());
  CHECK_FALSE(reason(R"({"kind":"Endpoints","metadata":{"name":"web"}})").empty());
  CHECK(reason(R"({"kind":"Endpoints","metadata":{"name":"external-db"}})").empty());
}

TEST_CASE("type patterns match plural, group-resource, kind, short name and globs", "[select]") {
  ResourceInfo deploy{"apps",     "v1", "deployments", "Deployment", true, {"list", "create"}, {},
                      {"deploy"}, {}};
  for (const char* p : {"deployments", "deployments.apps", "Deployment", "deploy", "*.apps"}) {
    CHECK(detail::type_matches(deploy, p));
  }
  CHECK_FALSE(detail::type_matches(deploy, "statefulsets"));
  CHECK_FALSE(detail::type_matches(deploy, "*.example.com"));
}
