// Shared helpers of the e2e tests: the two real clusters started by tests/cluster/up (their
// directory is in $DRSYNC_TEST_CLUSTERS), unique namespaces, fixture manifests.
#pragma once

#include <chrono>
#include <functional>
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

// Every document of every *.yaml file of tests/fixtures/apps/<app>/, in file order
// (CustomResourceDefinitions first).
std::vector<Object> fixture_app(const std::string& app);
// Creates the objects in `ns` (namespaced ones), waiting for CRDs to be established.
void apply_objects(const Cluster& c, const std::string& ns, std::vector<Object>& objects);

// Waits until every Deployment and StatefulSet of `ns` reports all replicas ready (kwok makes
// Pods ready), so controllers have created what they create (e.g. volumeClaimTemplate PVCs).
bool wait_workloads_ready(const Cluster& c, const std::string& ns,
                          std::chrono::milliseconds timeout = std::chrono::seconds(120));

// A private pair of clusters (tests/cluster/up in a temp dir) for tests that stop an API server
// or kill processes, so they cannot disturb the shared pair.
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
