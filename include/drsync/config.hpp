// Connection configuration for one cluster, loaded like kubectl loads it (kubeconfig files,
// $KUBECONFIG merging, contexts) or from the in-cluster service-account environment.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "drsync/export.hpp"

namespace drsync {

// users[].user.exec of a kubeconfig (client.authentication.k8s.io v1 / v1beta1 ExecCredential).
struct ExecConfig {
  std::string api_version;  // client.authentication.k8s.io/v1 or /v1beta1
  std::string command;      // resolved against the kubeconfig's folder when relative with a '/'
  std::vector<std::string> args;
  std::vector<std::pair<std::string, std::string>> env;  // added to the child's environment only
  std::string interactive_mode = "IfAvailable";          // Never | IfAvailable | Always
  bool provide_cluster_info = false;
  std::string install_hint;
};

// Everything needed to talk to one API server. PEM material is held in memory only and handed to
// libcurl as blobs: no key is ever written to disk. Never log this struct.
struct RestConfig {
  std::string server;  // https://host:port[/prefix]
  std::string ca_pem;  // empty: the system trust store
  bool insecure_skip_tls_verify = false;
  std::string tls_server_name;
  std::string proxy_url;

  std::string client_cert_pem;
  std::string client_key_pem;
  std::string bearer_token;
  std::string bearer_token_file;  // re-read when it changes (rotation)
  std::string username;
  std::string password;
  std::optional<ExecConfig> exec;

  std::string namespace_ = "default";  // the context's namespace
  std::string context;                 // context name used, for messages
  std::string origin;                  // the file (or "in-cluster") it came from, for messages

  // Client behaviour.
  double qps = 1000.0;  // token bucket rate; <= 0 disables client-side rate limiting
  int burst = 2000;
  int max_retries = 5;  // for idempotent requests on connection errors, 429 and 5xx
  // Deadlines of every request (docs/reliability.md): establishing a connection (TCP + TLS); one
  // attempt, from sending to the last byte of the answer; the whole call, every attempt and the
  // backoff between them (a call fails with Errc::timeout, naming it, when this runs out; 0: no
  // limit beyond max_retries attempts). Watches have their own (WatchOptions::timeout).
  std::chrono::milliseconds connect_timeout{10'000};
  std::chrono::milliseconds request_timeout{30'000};
  std::chrono::milliseconds call_timeout{60'000};
  int max_concurrent_requests = 64;  // in flight per cluster (HTTP/2 streams)
  std::string user_agent = "drsync/0.1";
};

struct KubeconfigOptions {
  // An explicit file: must exist and is used alone. Empty: $KUBECONFIG (colon-separated, merged,
  // first file to set a key wins), else ~/.kube/config.
  std::string path;
  std::string context;  // empty: current-context
};

// Loads and resolves a kubeconfig. Throws Error(Errc::config) naming the file and the field.
DRSYNC_API RestConfig load_kubeconfig(const KubeconfigOptions& options = {});
// The same from YAML text (origin names it in errors; relative paths resolve against base_dir).
DRSYNC_API RestConfig load_kubeconfig_yaml(const std::string& yaml, const std::string& origin,
                                           const std::string& base_dir,
                                           const std::string& context = {});
// In-cluster configuration: KUBERNETES_SERVICE_HOST/PORT, the service-account token (re-read on
// rotation), CA and namespace files. `root` prefixes the standard paths (tests use it).
DRSYNC_API RestConfig in_cluster_config(const std::string& root = "");

}  // namespace drsync
