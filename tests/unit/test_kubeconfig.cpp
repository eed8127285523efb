// Kubeconfig loading: kubectl's file rules and merging, field resolution and every error path.
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "core/base64.hpp"
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
  TempDir() : test::TempDir("drsync-kubeconfig") {}
};

const std::string kData = std::string(DRSYNC_TESTS_DIR) + "/unit/data/kubeconfig";

struct TestKeyPair {
  std::string cert_pem;
  std::string key_pem;
};

std::string bio_text(BIO* bio) {
  char* data = nullptr;
  long size = BIO_get_mem_data(bio, &data);
  return std::string(data, static_cast<std::size_t>(size));
}

// A throwaway self-signed P-256 certificate and its key, made fresh for each test run.
TestKeyPair make_test_key_pair(const char* common_name) {
  EVP_PKEY* key = EVP_EC_gen("P-256");
  REQUIRE(key != nullptr);
  X509* cert = X509_new();
  X509_set_version(cert, 2);
  ASN1_INTEGER_set(X509_get_serialNumber(cert), 1);
  X509_gmtime_adj(X509_getm_notBefore(cert), -3600);
  X509_gmtime_adj(X509_getm_notAfter(cert), 3600L * 24 * 365);
  X509_set_pubkey(cert, key);
  X509_NAME* name = X509_get_subject_name(cert);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>(common_name), -1, -1, 0);
  X509_set_issuer_name(cert, name);
  REQUIRE(X509_sign(cert, key, EVP_sha256()) > 0);
  BIO* cert_bio = BIO_new(BIO_s_mem());
  BIO* key_bio = BIO_new(BIO_s_mem());
  PEM_write_bio_X509(cert_bio, cert);
  PEM_write_bio_PrivateKey(key_bio, key, nullptr, nullptr, 0, nullptr, nullptr);
  TestKeyPair pair{bio_text(cert_bio), bio_text(key_bio)};
  BIO_free(cert_bio);
  BIO_free(key_bio);
  X509_free(cert);
  EVP_PKEY_free(key);
  return pair;
}

// The message of the Error(config) `action` throws (the test fails if it throws nothing else).
std::string minimal_kubeconfig(const std::string& cluster_body, const std::string& user_body) {
  return "apiVersion: v1\nkind: Config\ncurrent-context: main\n"
         "clusters:\n- name: c\n  cluster:\n" +
         cluster_body + "users:\n- name: u\n  user:\n" + user_body +
         "contexts:\n- name: main\n  context: {cluster: c, user: u}\n";
}

}  // namespace

TEST_CASE("base64 round-trips and rejects what is not base64", "[kubeconfig][base64]") {
  using detail::base64_decode;
  using detail::base64_encode;
  CHECK(base64_encode("") == "");
  CHECK(base64_encode("f") == "Zg==");
  CHECK(base64_encode("fo") == "Zm8=");
  CHECK(base64_encode("foo") == "Zm9v");
  CHECK(base64_encode(std::string("\xff\x00\xfe", 3)) == "/wD+");
  CHECK(base64_decode("Zm9vYmFy") == std::optional<std::string>("foobar"));
  CHECK(base64_decode("Zg==") == std::optional<std::string>("f"));
  CHECK(base64_decode("Zg") == std::optional<std::string>("f"));  // padding is optional
  CHECK(base64_decode("Zm8") == std::optional<std::string>("fo"));
  CHECK(base64_decode(" Zm9v\nYmFy\r\n") == std::optional<std::string>("foobar"));
  CHECK(base64_decode("") == std::optional<std::string>(""));
  CHECK_FALSE(base64_decode("Zm9v!"));     // not in the alphabet
  CHECK_FALSE(base64_decode("Zm9v_-"));    // URL-safe alphabet is not standard base64
  CHECK_FALSE(base64_decode("Z"));         // a lone sextet cannot carry a byte
  CHECK_FALSE(base64_decode("Zg=a"));      // data after padding
  CHECK_FALSE(base64_decode("Zg="));       // incomplete padding
  CHECK_FALSE(base64_decode("Zm9v===="));  // padding without data
  std::string bytes;
  for (int i = 0; i < 256; ++i) bytes += static_cast<char>(i);
  CHECK(base64_decode(base64_encode(bytes)) == std::optional<std::string>(bytes));
}

TEST_CASE("$KUBECONFIG files merge with the first file to set a key winning", "[kubeconfig]") {
  const std::string one = kData + "/merge-1.yaml";
  const std::string two = kData + "/merge-2.yaml";
  const std::string three = kData + "/merge-3.yaml";
  const std::string ca = read_text(kData + "/test-only-ca.crt");
  // A file that does not exist is skipped, like kubectl does.
  ScopedEnv env("KUBECONFIG", one + ":" + kData + "/does-not-exist.yaml::" + two + ":" + three);

  struct Case {
    std::string context;  // "" = current-context
    std::string server, ns, token, username, origin;
    bool has_ca;
  };
  auto [c, name] = GENERATE_COPY(table<Case, std::string>({
      {{"", "https://one.example:6443", "one-ns", "token-from-file-one", "", one, true},
       "current-context from the first file; its cluster, user and context"},
      {{"beta", "https://only-two.example", "two-ns", "", "admin", two, false},
       "context only in file 2; its cluster beats file 3's"},
      {{"gamma", "https://only-one.example", "default", "token-from-file-one", "", three, false},
       "context from file 3 uses entries from file 1"},
  }));
  INFO(name);
  RestConfig config = load_kubeconfig(KubeconfigOptions{"", c.context});
  CHECK(config.context == (c.context.empty() ? "alpha" : c.context));
  CHECK(config.server == c.server);
  CHECK(config.namespace_ == c.ns);
  CHECK(config.bearer_token == c.token);
  CHECK(config.username == c.username);
  CHECK(config.origin == c.origin);
  CHECK(config.ca_pem == (c.has_ca ? ca : ""));
  CHECK_FALSE(config.insecure_skip_tls_verify);  // file 2's "shared" cluster lost to file 1's
  if (c.context == "beta") {
    CHECK(config.tls_server_name == "api.two.internal");
    CHECK(config.proxy_url == "http://proxy.two.example:3128");
    CHECK(config.password == "two-password");
  }
}

TEST_CASE("$KUBECONFIG order decides the winner", "[kubeconfig]") {
  ScopedEnv env("KUBECONFIG", kData + "/merge-2.yaml:" + kData + "/merge-1.yaml");
  RestConfig current = load_kubeconfig();
  CHECK(current.context == "beta");
  RestConfig alpha = load_kubeconfig(KubeconfigOptions{"", "alpha"});
  CHECK(alpha.server == "https://only-two.example");  // merge-2's alpha now wins
  CHECK(alpha.username == "admin");
  CHECK(alpha.namespace_ == "default");
}

TEST_CASE("$KUBECONFIG with no existing file is an error", "[kubeconfig]") {
  ScopedEnv env("KUBECONFIG", "/nonexistent/a.yaml:/nonexistent/b.yaml");
  std::string message = config_error([] { load_kubeconfig(); });
  CHECK_THAT(message, Catch::Contains("/nonexistent/a.yaml"));
}

TEST_CASE("an explicit kubeconfig path must exist and is used alone", "[kubeconfig]") {
  ScopedEnv env("KUBECONFIG", kData + "/merge-1.yaml");
  std::string message = config_error([] {
    load_kubeconfig(KubeconfigOptions{"/nonexistent/kubeconfig", ""});
  });
  CHECK_THAT(message, Catch::Contains("/nonexistent/kubeconfig") && Catch::Contains("not exist"));

  RestConfig config = load_kubeconfig(KubeconfigOptions{kData + "/merge-2.yaml", ""});
  CHECK(config.context == "beta");
  // merge-1.yaml from $KUBECONFIG was not merged in.
  message = config_error([] {
    load_kubeconfig(KubeconfigOptions{kData + "/merge-2.yaml", "gamma"});
  });
  CHECK_THAT(message,
             Catch::Contains("context \"gamma\" not found") && Catch::Contains("alpha, beta"));
}

TEST_CASE("without $KUBECONFIG, ~/.kube/config is read", "[kubeconfig]") {
  TempDir home;
  home.write(".kube/config",
             minimal_kubeconfig("    server: https://home.example\n", "    token: home-token\n"));
  ScopedEnv unset_kubeconfig("KUBECONFIG", std::nullopt);
  {
    ScopedEnv env("HOME", home.path());
    RestConfig config = load_kubeconfig();
    CHECK(config.server == "https://home.example");
    CHECK(config.origin == home.path(".kube/config"));
  }
  {
    ScopedEnv env("HOME", home.path("nowhere"));
    CHECK_THAT(config_error([] { load_kubeconfig(); }),
               Catch::Contains(home.path("nowhere/.kube/config")));
  }
}

TEST_CASE("an explicit path starting with ~/ names a file in $HOME", "[kubeconfig]") {
  TempDir home;
  home.write(".kube/prod",
             minimal_kubeconfig("    server: https://prod.example\n", "    token: prod-token\n"));
  ScopedEnv env("HOME", home.path());
  RestConfig config = load_kubeconfig(KubeconfigOptions{"~/.kube/prod", ""});
  CHECK(config.server == "https://prod.example");
  CHECK(config.origin == home.path(".kube/prod"));
  // The error names the expanded path, and "~user/" is not guessed at.
  CHECK_THAT(config_error([] {
               load_kubeconfig(KubeconfigOptions{"~/.kube/dr", ""});
             }),
             Catch::Contains(home.path(".kube/dr")));
  CHECK_THAT(config_error([] {
               load_kubeconfig(KubeconfigOptions{"~root/x", ""});
             }),
             Catch::Contains("~root/x"));
}

TEST_CASE("relative paths resolve against the file that names them", "[kubeconfig]") {
  TempDir dir;
  TestKeyPair client = make_test_key_pair("drsync-test-only-client");
  const std::string ca = read_text(kData + "/test-only-ca.crt");
  dir.write("a/certs/ca.crt", ca);
  dir.write("a/certs/client.crt", client.cert_pem);
  dir.write("a/certs/client.key", client.key_pem);
  dir.write("a/config", R"(
clusters:
- name: a-cluster
  cluster:
    server: https://a.example
    certificate-authority: certs/ca.crt
users:
- name: a-user
  user:
    client-certificate: certs/client.crt
    client-key: ./certs/../certs/client.key
)");
  dir.write("b/token", "b-token\n");
  dir.write("b/config", R"(
current-context: mixed
contexts:
- name: mixed
  context: {cluster: a-cluster, user: a-user}
- name: b
  context: {cluster: a-cluster, user: b-user}
- name: path-plugin
  context: {cluster: a-cluster, user: path-plugin}
- name: bare-plugin
  context: {cluster: a-cluster, user: bare-plugin}
users:
- name: b-user
  user:
    tokenFile: token
- name: path-plugin
  user:
    exec: {apiVersion: client.authentication.k8s.io/v1, command: bin/get-token}
- name: bare-plugin
  user:
    exec: {apiVersion: client.authentication.k8s.io/v1, command: get-token}
)");
  // Entries defined in a/config are read relative to a/, even though b/config is listed first.
  ScopedEnv env("KUBECONFIG", dir.path("b/config") + ":" + dir.path("a/config"));
  RestConfig mixed = load_kubeconfig();
  CHECK(mixed.ca_pem == ca);
  CHECK(mixed.client_cert_pem == client.cert_pem);
  CHECK(mixed.client_key_pem == client.key_pem);
  CHECK(mixed.origin == dir.path("b/config"));

  RestConfig b = load_kubeconfig(KubeconfigOptions{"", "b"});
  CHECK(b.bearer_token_file == dir.path("b/token"));
  CHECK(b.bearer_token.empty());  // read (and re-read) by the credential source

  RestConfig path_plugin = load_kubeconfig(KubeconfigOptions{"", "path-plugin"});
  REQUIRE(path_plugin.exec);
  CHECK(path_plugin.exec->command == dir.path("b/bin/get-token"));
  RestConfig bare_plugin = load_kubeconfig(KubeconfigOptions{"", "bare-plugin"});
  REQUIRE(bare_plugin.exec);
  CHECK(bare_plugin.exec->command == "get-token");  // looked up in $PATH when run
}

TEST_CASE("inline certificate data and the context override", "[kubeconfig]") {
  TestKeyPair client = make_test_key_pair("drsync-test-only-client");
  const std::string ca = read_text(kData + "/test-only-ca.crt");
  // Line-wrapped base64 (as some tools write it) is accepted too.
  std::string wrapped_ca = detail::base64_encode(ca);
  for (std::size_t i = 64; i < wrapped_ca.size(); i += 65) wrapped_ca.insert(i, "\n      ");
  std::string yaml = R"(
current-context: first
clusters:
- name: c
  cluster:
    server: https://inline.example:8443/prefix
    certificate-authority-data: )" +
                     wrapped_ca + R"(
    tls-server-name: kubernetes.default
users:
- name: u
  user:
    client-certificate-data: )" +
                     detail::base64_encode(client.cert_pem) +
                     R"(
    client-key-data: )" +
                     detail::base64_encode(client.key_pem) +
                     R"(
contexts:
- name: first
  context: {cluster: c, user: u}
- name: second
  context: {cluster: c, user: u, namespace: team-b}
)";
  RestConfig first = load_kubeconfig_yaml(yaml, "inline.yaml", "");
  CHECK(first.context == "first");
  CHECK(first.server == "https://inline.example:8443/prefix");
  CHECK(first.ca_pem == ca);
  CHECK(first.tls_server_name == "kubernetes.default");
  CHECK(first.client_cert_pem == client.cert_pem);
  CHECK(first.client_key_pem == client.key_pem);
  CHECK(first.namespace_ == "default");
  CHECK(first.origin == "inline.yaml");

  RestConfig second = load_kubeconfig_yaml(yaml, "inline.yaml", "", "second");
  CHECK(second.context == "second");
  CHECK(second.namespace_ == "team-b");
}

TEST_CASE("a server without a scheme gets https", "[kubeconfig]") {
  RestConfig config = load_kubeconfig_yaml(
      minimal_kubeconfig("    server: 10.0.0.1:6443\n", "    token: t\n"), "k.yaml", "");
  CHECK(config.server == "https://10.0.0.1:6443");
}

TEST_CASE("missing or dangling context, cluster and user name the file and field", "[kubeconfig]") {
  auto [yaml, expected] = GENERATE(table<std::string, std::string>({
      {"clusters: []\n", "k.yaml: no current-context is set"},
      {"current-context: nope\ncontexts: [{name: x, context: {cluster: c, user: u}}]\n",
       "k.yaml: current-context: context \"nope\" not found (contexts: x)"},
      {"current-context: x\ncontexts: [{name: x, context: {user: u}}]\n",
       "k.yaml: contexts[x].context.cluster: missing"},
      {"current-context: x\ncontexts: [{name: x, context: {cluster: c, user: u}}]\n",
       "k.yaml: contexts[x].context.cluster: cluster \"c\" not found (clusters: none)"},
      {"current-context: x\ncontexts: [{name: x, context: {cluster: c}}]\n"
       "clusters: [{name: c, cluster: {server: https://c}}]\n",
       "k.yaml: contexts[x].context.user: missing"},
      {"current-context: x\ncontexts: [{name: x, context: {cluster: c, user: u}}]\n"
       "clusters: [{name: c, cluster: {server: https://c}}]\n",
       "k.yaml: contexts[x].context.user: user \"u\" not found (users: none)"},
      {"current-context: x\ncontexts: [{name: x, context: {cluster: c, user: u}}]\n"
       "clusters: [{name: c, cluster: {}}]\nusers: [{name: u, user: {}}]\n",
       "k.yaml: clusters[c].cluster.server: missing"},
      {"current-context: x\ncontexts: [{name: x, context: {cluster: c, user: u}}]\n"
       "clusters: [{name: c, cluster: {server: 'ftp://c'}}]\nusers: [{name: u, user: {}}]\n",
       "k.yaml: clusters[c].cluster.server: invalid server URL"},
      {"clusters: [{cluster: {server: https://c}}]\n", "k.yaml: clusters[0].name: missing"},
      {"clusters: {c: {server: https://c}}\n", "k.yaml: clusters: expected a list"},
      {"users: [{name: u, user: [a, b]}]\n", "k.yaml: users[u].user: expected a mapping"},
      {"- just\n- a list\n", "k.yaml: not a kubeconfig"},
  }));
  INFO(yaml);
  CHECK_THAT(config_error([&] { load_kubeconfig_yaml(yaml, "k.yaml", ""); }),
             Catch::StartsWith(expected));
}

TEST_CASE("an explicit context that does not exist", "[kubeconfig]") {
  std::string yaml = minimal_kubeconfig("    server: https://c\n", "    token: t\n");
  CHECK_THAT(config_error([&] { load_kubeconfig_yaml(yaml, "k.yaml", "", "other"); }),
             Catch::Contains("k.yaml: context \"other\" not found (contexts: main)"));
}

TEST_CASE("malformed files give errors naming the file and the field", "[kubeconfig]") {
  TempDir dir;
  TestKeyPair client = make_test_key_pair("drsync-test-only-client");
  TestKeyPair other = make_test_key_pair("drsync-test-only-other");
  const std::string good_cert =
      "    client-certificate-data: " + detail::base64_encode(client.cert_pem) + "\n";
  const std::string good_key =
      "    client-key-data: " + detail::base64_encode(client.key_pem) + "\n";
  dir.write("not-a-cert.pem", "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n");
  dir.write("empty.pem", "");

  struct Case {
    std::string cluster, user, expected;
  };
  auto c = GENERATE_COPY(values<Case>({
      {"    server: https://c\n", "    client-key-data: '!!not base64!!'\n" + good_cert,
       "users[u].user.client-key-data: invalid base64"},
      {"    server: https://c\n    certificate-authority-data: Zm9v$\n", "",
       "clusters[c].cluster.certificate-authority-data: invalid base64"},
      {"    server: https://c\n    certificate-authority-data: " + detail::base64_encode("hello") +
           "\n",
       "", "clusters[c].cluster.certificate-authority-data: not a PEM certificate"},
      {"    server: https://c\n    certificate-authority: not-a-cert.pem\n", "",
       "clusters[c].cluster.certificate-authority: {dir}/not-a-cert.pem"
       " is not a PEM certificate"},
      {"    server: https://c\n    certificate-authority: missing.pem\n", "",
       "clusters[c].cluster.certificate-authority: cannot read {dir}/missing.pem"
       ": No such file or directory"},
      {"    server: https://c\n", "    client-key: empty.pem\n" + good_cert,
       "users[u].user.client-key: {dir}/empty.pem is not a PEM private key"},
      {"    server: https://c\n",
       "    client-key-data: " + detail::base64_encode(client.cert_pem) + "\n" + good_cert,
       "users[u].user.client-key-data: not a PEM private key"},
      {"    server: https://c\n",
       "    client-certificate-data: " + detail::base64_encode(client.key_pem) + "\n" + good_key,
       "users[u].user.client-certificate-data: not a PEM certificate"},
      {"    server: https://c\n", good_cert, "users[u].user.client-certificate: needs client-key"},
      {"    server: https://c\n", good_key, "users[u].user.client-key: needs client-certificate"},
      {"    server: https://c\n",
       good_cert + "    client-key-data: " + detail::base64_encode(other.key_pem) + "\n",
       "users[u].user.client-key: does not match the client certificate"},
      {"    server: https://c\n", good_cert + good_key + "    client-key: x.key\n",
       "users[u].user.client-key: both client-key and client-key-data are set"},
      {"    server: https://c\n", "    tokenFile: no-token\n",
       "users[u].user.tokenFile: cannot read {dir}/no-token"},
      {"    server: https://c\n    insecure-skip-tls-verify: maybe\n", "",
       "clusters[c].cluster.insecure-skip-tls-verify: expected true or false"},
      {"    server: https://c\n    insecure-skip-tls-verify: true\n    "
       "certificate-authority-data: " +
           detail::base64_encode(read_text(kData + "/test-only-ca.crt")) + "\n",
       "", "clusters[c].cluster.insecure-skip-tls-verify: cannot be combined"},
      {"    server: https://c\n", "    as: someone-else\n    token: t\n",
       "users[u].user.as: impersonation is not supported"},
      {"    server: https://c\n", "    token: t\n    username: u\n    password: p\n",
       "users[u].user.token: more than one authentication method"},
      {"    server: [https://c]\n", "", "clusters[c].cluster.server: expected a string"},
  }));
  std::string file = dir.write("kubeconfig", minimal_kubeconfig(c.cluster, c.user));
  // The cases are generated once; this run's folder is filled in now.
  std::string expected = c.expected;
  if (auto at = expected.find("{dir}"); at != std::string::npos)
    expected.replace(at, 5, dir.path());
  INFO(expected);
  std::string message = config_error([&] { load_kubeconfig(KubeconfigOptions{file, ""}); });
  CHECK_THAT(message, Catch::StartsWith(file + ": " + expected));
}

TEST_CASE("bad YAML names the file and the line", "[kubeconfig]") {
  TempDir dir;
  std::string file = dir.write("kubeconfig", "clusters:\n- name: c\n  cluster: {server: [\n");
  CHECK_THAT(config_error([&] {
               load_kubeconfig(KubeconfigOptions{file, ""});
             }),
             Catch::StartsWith(file + ": invalid YAML at line"));
}

TEST_CASE("an unreadable kubeconfig names the file", "[kubeconfig]") {
  TempDir dir;
  fs::create_directories(dir.path("a-directory"));
  CHECK_THAT(config_error([&] {
               load_kubeconfig(KubeconfigOptions{dir.path("a-directory"), ""});
             }),
             Catch::StartsWith(dir.path("a-directory") + ": cannot read"));
  if (::geteuid() != 0) {  // root reads anything
    std::string file = dir.write("secret", minimal_kubeconfig("    server: https://c\n", ""));
    ::chmod(file.c_str(), 0);
    CHECK_THAT(config_error([&] {
                 load_kubeconfig(KubeconfigOptions{file, ""});
               }),
               Catch::StartsWith(file + ": cannot read: Permission denied"));
  }
}

TEST_CASE("an empty kubeconfig file is an empty config", "[kubeconfig]") {
  CHECK_THAT(config_error([] { load_kubeconfig_yaml("", "empty.yaml", ""); }),
             Catch::StartsWith("empty.yaml: no current-context"));
}

TEST_CASE("auth-provider users are refused with a pointer to exec plugins", "[kubeconfig]") {
  auto provider = GENERATE(as<std::string>{}, "gcp", "azure", "oidc");
  std::string yaml = minimal_kubeconfig(
      "    server: https://c\n", "    auth-provider:\n      name: " + provider +
                                     "\n      config: {access-token: tok-SECRET-provider}\n");
  std::string message = config_error([&] { load_kubeconfig_yaml(yaml, "k.yaml", ""); });
  CHECK_THAT(message, Catch::StartsWith("k.yaml: users[u].user.auth-provider: the \"" + provider +
                                        "\" auth-provider is not supported"));
  CHECK_THAT(message, Catch::Contains("exec plugin") && Catch::Contains("gke-gcloud-auth-plugin") &&
                          Catch::Contains("kubelogin"));
  CHECK_THAT(message, !Catch::Contains("tok-SECRET"));
}

TEST_CASE("EKS, GKE and AKS exec stanzas are read as written by their tools", "[kubeconfig]") {
  const std::string ca = read_text(kData + "/test-only-ca.crt");
  SECTION("EKS: aws eks get-token") {
    RestConfig config = load_kubeconfig(KubeconfigOptions{kData + "/eks.yaml", ""});
    CHECK(config.server ==
          "https://0123456789ABCDEF0123456789ABCDEF.gr7.eu-west-1.eks.amazonaws.com");
    CHECK(config.context == "arn:aws:eks:eu-west-1:123456789012:cluster/prod");
    CHECK(config.ca_pem == ca);
    REQUIRE(config.exec);
    CHECK(config.exec->api_version == "client.authentication.k8s.io/v1beta1");
    CHECK(config.exec->command == "aws");
    CHECK(config.exec->args == std::vector<std::string>{"--region", "eu-west-1", "eks", "get-token",
                                                        "--cluster-name", "prod", "--output",
                                                        "json"});
    REQUIRE(config.exec->env.size() == 1);
    CHECK(config.exec->env[0] == std::pair<std::string, std::string>("AWS_PROFILE", "dr-admin"));
    CHECK(config.exec->interactive_mode == "IfAvailable");
    CHECK_FALSE(config.exec->provide_cluster_info);
  }
  SECTION("GKE: gke-gcloud-auth-plugin with cluster info") {
    RestConfig config = load_kubeconfig(KubeconfigOptions{kData + "/gke.yaml", ""});
    CHECK(config.server == "https://34.76.10.20");
    REQUIRE(config.exec);
    CHECK(config.exec->command == "gke-gcloud-auth-plugin");
    CHECK(config.exec->args.empty());
    CHECK(config.exec->provide_cluster_info);
    CHECK_THAT(config.exec->install_hint,
               Catch::StartsWith("Install gke-gcloud-auth-plugin for use with kubectl") &&
                   Catch::EndsWith("#install_plugin"));
  }
  SECTION("AKS: kubelogin get-token") {
    RestConfig config = load_kubeconfig(KubeconfigOptions{kData + "/aks.yaml", ""});
    CHECK(config.server == "https://prod-dns-1a2b3c4d.hcp.westeurope.azmk8s.io:443");
    CHECK(config.namespace_ == "apps");
    REQUIRE(config.exec);
    CHECK(config.exec->command == "kubelogin");
    CHECK(config.exec->args == std::vector<std::string>{"get-token", "--login", "azurecli",
                                                        "--server-id",
                                                        "6dae42f8-4368-4678-94ff-3960e28e3630"});
    CHECK(config.exec->env.empty());
    CHECK_THAT(config.exec->install_hint, Catch::Contains("https://aka.ms/aks/kubelogin"));
  }
}

TEST_CASE("malformed exec stanzas name the field", "[kubeconfig]") {
  auto [exec, expected] = GENERATE(table<std::string, std::string>({
      {"{command: aws}", "users[u].user.exec.apiVersion: missing"},
      {"{apiVersion: client.authentication.k8s.io/v1alpha1, command: aws}",
       "users[u].user.exec.apiVersion: \"client.authentication.k8s.io/v1alpha1\" is not supported"},
      {"{apiVersion: client.authentication.k8s.io/v1}", "users[u].user.exec.command: missing"},
      {"{apiVersion: client.authentication.k8s.io/v1, command: aws, args: aws}",
       "users[u].user.exec.args: expected a list"},
      {"{apiVersion: client.authentication.k8s.io/v1, command: aws, env: [{value: x}]}",
       "users[u].user.exec.env[0].name: missing"},
      {"{apiVersion: client.authentication.k8s.io/v1, command: aws, interactiveMode: Sometimes}",
       "users[u].user.exec.interactiveMode: \"Sometimes\" is not one of"},
      {"aws", "users[u].user.exec: expected a mapping"},
  }));
  std::string yaml = minimal_kubeconfig("    server: https://c\n", "    exec: " + exec + "\n");
  INFO(yaml);
  CHECK_THAT(config_error([&] { load_kubeconfig_yaml(yaml, "k.yaml", ""); }),
             Catch::StartsWith("k.yaml: " + expected));
}

TEST_CASE("no kubeconfig error message contains a token, password or key", "[kubeconfig]") {
  const std::string token = "tok-SECRET-0123456789";
  const std::string password = "pw-SECRET-9876543210";
  TestKeyPair client = make_test_key_pair("drsync-test-only-client");
  TestKeyPair other = make_test_key_pair("drsync-test-only-other");
  std::string key_b64 = detail::base64_encode(client.key_pem);
  auto user = GENERATE_COPY(values<std::string>({
      "    token: " + token + "\n    password: " + password + "\n    username: admin\n",
      "    token: " + token + "\n    client-key-data: " + key_b64 + "\n",
      "    token: " + token + "\n    client-certificate-data: " +
          detail::base64_encode(other.cert_pem) + "\n    client-key-data: " + key_b64 + "\n",
      "    password: " + password + "\n    client-key-data: " + key_b64.substr(0, 40) + "#\n",
      "    token: " + token + "\n    as: x\n",
      "    token: [" + token + "]\n",
      "    token: " + token + "\n    tokenFile: /nonexistent/token-file\n",
  }));
  std::string message = config_error([&] {
    load_kubeconfig_yaml(minimal_kubeconfig("    server: https://c\n", user), "k.yaml", "");
  });
  INFO(message);
  CHECK_THAT(message, !Catch::Contains(token) && !Catch::Contains(password) &&
                          !Catch::Contains("PRIVATE KEY") &&
                          !Catch::Contains(key_b64.substr(0, 40)));
}
