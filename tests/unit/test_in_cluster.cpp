// In-cluster configuration from a fake service-account root.
#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <optional>
#include <sstream>
#include <string>

#include "config/credentials.hpp"
#include "drsync/config.hpp"
#include "drsync/error.hpp"
#include "unit/test_support.hpp"

using namespace drsync;
namespace fs = std::filesystem;
using test::config_error;
using test::read_text;
using test::ScopedEnv;

namespace {

struct TempDir : test::TempDir {
  TempDir() : test::TempDir("drsync-incluster") {}
};

const std::string kServiceAccount = "/var/run/secrets/kubernetes.io/serviceaccount";

// A pod's service-account mount under a temporary root.
struct FakePod {
  TempDir root;
  std::string ca =
      read_text(std::string(DRSYNC_TESTS_DIR) + "/unit/data/kubeconfig/test-only-ca.crt");
  FakePod() {
    root.write(kServiceAccount.substr(1) + "/token", "pod-token-1\n");
    root.write(kServiceAccount.substr(1) + "/ca.crt", ca);
    root.write(kServiceAccount.substr(1) + "/namespace", "payments\n");
  }
  std::string file(const std::string& name) const {
    return root.path(kServiceAccount.substr(1) + "/" + name);
  }
};

}  // namespace

TEST_CASE("in-cluster config from the service environment and account files", "[incluster]") {
  FakePod pod;
  ScopedEnv pod_namespace("POD_NAMESPACE", std::nullopt);
  ScopedEnv port("KUBERNETES_SERVICE_PORT", "443");
  auto [host, server] = GENERATE(table<std::string, std::string>({
      {"10.96.0.1", "https://10.96.0.1:443"},
      {"fd00:10:96::1", "https://[fd00:10:96::1]:443"},  // IPv6 needs brackets
  }));
  ScopedEnv service_host("KUBERNETES_SERVICE_HOST", host);
  RestConfig config = in_cluster_config(pod.root.path());
  CHECK(config.server == server);
  CHECK(config.bearer_token_file == pod.file("token"));
  CHECK(config.bearer_token.empty());  // read and re-read by the credential source
  CHECK(config.ca_pem == pod.ca);
  CHECK(config.namespace_ == "payments");
  CHECK(config.origin == "in-cluster");
}

TEST_CASE("in-cluster token rotation is picked up", "[incluster]") {
  FakePod pod;
  ScopedEnv host("KUBERNETES_SERVICE_HOST", "10.96.0.1");
  ScopedEnv port("KUBERNETES_SERVICE_PORT", "443");
  auto source = detail::make_credential_source(in_cluster_config(pod.root.path()));
  CHECK(source->current().bearer_token == "pod-token-1");
  pod.root.write(kServiceAccount.substr(1) + "/token", "pod-token-2-rotated\n");
  CHECK(source->current().bearer_token == "pod-token-2-rotated");
  CHECK(source->invalidate());
}

TEST_CASE("in-cluster namespace defaults and POD_NAMESPACE", "[incluster]") {
  FakePod pod;
  ScopedEnv host("KUBERNETES_SERVICE_HOST", "10.96.0.1");
  ScopedEnv port("KUBERNETES_SERVICE_PORT", "443");
  fs::remove(pod.file("namespace"));
  {
    ScopedEnv pod_namespace("POD_NAMESPACE", std::nullopt);
    CHECK(in_cluster_config(pod.root.path()).namespace_ == "default");
  }
  ScopedEnv pod_namespace("POD_NAMESPACE", "from-env");
  CHECK(in_cluster_config(pod.root.path()).namespace_ == "from-env");
}

TEST_CASE("in-cluster without ca.crt uses the system trust store", "[incluster]") {
  FakePod pod;
  ScopedEnv host("KUBERNETES_SERVICE_HOST", "10.96.0.1");
  ScopedEnv port("KUBERNETES_SERVICE_PORT", "443");
  fs::remove(pod.file("ca.crt"));
  CHECK(in_cluster_config(pod.root.path()).ca_pem.empty());
  pod.root.write(kServiceAccount.substr(1) + "/ca.crt", "garbage");
  CHECK_THAT(config_error([&] { in_cluster_config(pod.root.path()); }),
             Catch::Contains(pod.file("ca.crt")) && Catch::Contains("not a PEM certificate"));
}

TEST_CASE("outside a cluster in_cluster_config says so", "[incluster]") {
  FakePod pod;
  ScopedEnv host("KUBERNETES_SERVICE_HOST", std::nullopt);
  ScopedEnv port("KUBERNETES_SERVICE_PORT", "443");
  CHECK_THAT(config_error([&] { in_cluster_config(pod.root.path()); }),
             Catch::Contains("not running inside a Kubernetes cluster") &&
                 Catch::Contains("KUBERNETES_SERVICE_HOST"));
}

TEST_CASE("in-cluster without a token names the token file", "[incluster]") {
  FakePod pod;
  ScopedEnv host("KUBERNETES_SERVICE_HOST", "10.96.0.1");
  ScopedEnv port("KUBERNETES_SERVICE_PORT", "443");
  fs::remove(pod.file("token"));
  CHECK_THAT(config_error([&] { in_cluster_config(pod.root.path()); }),
             Catch::Contains(pod.file("token")) && Catch::Contains("No such file"));
  pod.root.write(kServiceAccount.substr(1) + "/token", "\n");
  std::string message = config_error([&] { in_cluster_config(pod.root.path()); });
  CHECK_THAT(message, Catch::Contains("is empty"));
}
