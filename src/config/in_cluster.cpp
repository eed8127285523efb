// In-cluster configuration, as client-go's rest.InClusterConfig builds it: the API server from
// the service environment variables, the pod's service-account token (re-read on rotation), CA
// and namespace from the mounted service-account folder.
#include <fcntl.h>
#include <fmt/format.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <string>

#include "core/file.hpp"
#include "drsync/config.hpp"
#include "drsync/error.hpp"

namespace drsync {
namespace {

constexpr const char* kServiceAccountDir = "/var/run/secrets/kubernetes.io/serviceaccount";

std::string env_or_empty(const char* name) {
  const char* value = std::getenv(name);
  return value == nullptr ? std::string() : std::string(value);
}

int read_file(const std::string& path, std::string& out) {
  return drsync::detail::read_small_file(path, out);
}

bool is_pem_certificate(const std::string& pem) {
  BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  X509* cert = bio != nullptr ? PEM_read_bio_X509(bio, nullptr, nullptr, nullptr) : nullptr;
  bool ok = cert != nullptr;
  X509_free(cert);
  BIO_free(bio);
  ERR_clear_error();
  return ok;
}

std::string trimmed(const std::string& s) {
  auto begin = s.find_first_not_of(" \t\r\n");
  if (begin == std::string::npos) return {};
  auto end = s.find_last_not_of(" \t\r\n");
  return s.substr(begin, end - begin + 1);
}

}  // namespace

RestConfig in_cluster_config(const std::string& root) {
  std::string host = env_or_empty("KUBERNETES_SERVICE_HOST");
  std::string port = env_or_empty("KUBERNETES_SERVICE_PORT");
  if (host.empty() || port.empty()) {
    throw Error(Errc::config,
                "not running inside a Kubernetes cluster: KUBERNETES_SERVICE_HOST and "
                "KUBERNETES_SERVICE_PORT must be set (use a kubeconfig outside a pod)");
  }
  const std::string dir = root + kServiceAccountDir;
  RestConfig config;
  config.origin = "in-cluster";
  config.context = "in-cluster";
  // An IPv6 service address needs brackets in a URL (net.JoinHostPort does the same).
  bool ipv6 = host.find(':') != std::string::npos && host.front() != '[';
  config.server =
      ipv6 ? fmt::format("https://[{}]:{}", host, port) : fmt::format("https://{}:{}", host, port);

  // The token is only checked here; the credential source re-reads it when kubelet rotates it.
  config.bearer_token_file = dir + "/token";
  std::string token;
  if (int failure = read_file(config.bearer_token_file, token); failure != 0) {
    throw Error(Errc::config, fmt::format("in-cluster: cannot read the service-account token {}: "
                                          "{} (is automountServiceAccountToken disabled?)",
                                          config.bearer_token_file, std::strerror(failure)));
  }
  if (trimmed(token).empty()) {
    throw Error(Errc::config, fmt::format("in-cluster: the service-account token {} is empty",
                                          config.bearer_token_file));
  }

  // Without ca.crt the system trust store is used, as client-go does.
  const std::string ca_file = dir + "/ca.crt";
  if (int failure = read_file(ca_file, config.ca_pem); failure != 0) {
    if (failure != ENOENT) {
      throw Error(Errc::config,
                  fmt::format("in-cluster: cannot read {}: {}", ca_file, std::strerror(failure)));
    }
    config.ca_pem.clear();
  } else if (!is_pem_certificate(config.ca_pem)) {
    throw Error(Errc::config, fmt::format("in-cluster: {} is not a PEM certificate", ca_file));
  }

  // client-go lets POD_NAMESPACE override the mounted namespace file.
  std::string ns = trimmed(env_or_empty("POD_NAMESPACE"));
  if (ns.empty() && read_file(dir + "/namespace", ns) == 0) ns = trimmed(ns);
  if (!ns.empty()) config.namespace_ = ns;
  return config;
}

}  // namespace drsync
