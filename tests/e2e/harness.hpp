// Shared helpers of the e2e tests: the two real clusters started by tests/cluster/up (their
// directory is in $DRSYNC_TEST_CLUSTERS), unique namespaces, fixture manifests.
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "drsync/cluster.hpp"
#include "drsync/migration.hpp"
#include "drsync/object.hpp"

namespace drsync::test {

std::string read_file(const std::string& path);

// The directory of the running test clusters; fails the test when it is not set.
std::string clusters_dir();
std::string kubeconfig_path(const std::string& name);  // "source", "dest-restricted", ...
const Cluster& source();
const Cluster& dest();

// A fresh, unique namespace name ("prefix-<pid>-<n>").
std::string unique_namespace(const std::string& prefix);
void create_namespace(const Cluster& c, const std::string& ns);
// Deletes without waiting for finalization.
void delete_namespace(const Cluster& c, const std::string& ns);

// Creates a namespace on construction and deletes it on destruction.
class ScopedNamespace {
 public:
  ScopedNamespace(const Cluster& c, const std::string& prefix);
  ~ScopedNamespace();
  const std::string& name() const { return name_; }

 private:
  const Cluster& cluster_;
  std::string name_;
};

// A Cluster acting as ServiceAccount `name` of `ns`, which this creates and binds in `ns` to
// `role_kind` ("ClusterRole" or "Role") `role_name` (an existing one), with a token of an hour.
Cluster service_account(const Cluster& admin, const std::string& ns, const std::string& name,
                        const std::string& role_kind, const std::string& role_name);

// Every document of every *.yaml file of tests/fixtures/apps/<app>/, in file order
// (CustomResourceDefinitions first).
std::vector<Object> fixture_app(const std::string& app);
// Creates the objects in `ns` (namespaced ones), waiting for CRDs to be established.
void apply_objects(const Cluster& c, const std::string& ns, std::vector<Object>& objects);

// Waits until every Deployment and StatefulSet of `ns` reports all replicas ready (kwok makes
// Pods ready), so controllers have created what they create (e.g. volumeClaimTemplate PVCs).
bool wait_workloads_ready(const Cluster& c, const std::string& ns,
                          std::chrono::milliseconds timeout = std::chrono::seconds(120));

// The real node of a test cluster (tests/cluster/up; docs/test-clusters.md, "Real nodes"):
// containerd + kubelet + kube-proxy, where containers really run and PVCs are really mounted.
// Only Pods that select and tolerate it land there (real_node_placement()).
struct RealNode {
  std::string cluster;       // "source" or "dest"
  std::string name;          // the Node's name ("real-source")
  std::string ip;            // its InternalIP: the other cluster's Pods reach its NodePorts there
  std::string label_key;     // drsync.io/real-node (nodeSelector)
  std::string label_value;   // "true"
  std::string taint_key;     // drsync.io/real-node (toleration)
  std::string taint_value;   // "true"
  std::string taint_effect;  // NoSchedule
  std::string tools_image;   // drsync.local/tools:1: busybox, rsync, ssh, sshd (pull policy Never)
};

// The real node of "source" or "dest"; empty when the clusters have none (then
// real_nodes_unavailable_reason() says why).
std::optional<RealNode> real_node(const std::string& cluster);
std::string real_nodes_unavailable_reason();

// First thing in a test that needs the real nodes: true when they run. Otherwise it prints the
// reason and skips: when the process runs this one test (as under ctest) it exits with 77, which
// ctest reports as skipped (SKIP_RETURN_CODE); when it runs several it warns and returns false
// (the test returns).
bool require_real_nodes();

// The JSON members of a Pod spec that put it on the real node: "nodeSelector" and
// "tolerations" (e.g. R"({"containers":[...],)" + real_node_placement(n) + "}").
std::string real_node_placement(const RealNode& node);

// A private pair of clusters (tests/cluster/up in a temp dir) for tests that stop an API server
// or kill processes, so they cannot disturb the shared pair. They have no real nodes.
class PrivateClusters {
 public:
  PrivateClusters();
  ~PrivateClusters();
  const std::string& dir() const { return dir_; }
  std::string kubeconfig(const std::string& name) const {
    return dir_ + "/" + name + ".kubeconfig";
  }
  void stop(const std::string& which) const;   // tests/cluster/stop
  void start(const std::string& which) const;  // tests/cluster/start

 private:
  std::string dir_;
};

// Runs a command, returning its exit status (-signal when killed by a signal).
int run_command(const std::string& command);

// Polls `condition` every 100 ms until true or `timeout`; returns its last value.
bool wait_until(const std::function<bool()>& condition,
                std::chrono::milliseconds timeout = std::chrono::seconds(60));

// Migration options for tests: short polls, bounded waits (kwok Pods are ready within a second).
MigrationOptions fast_options();

}  // namespace drsync::test
