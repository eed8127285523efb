// Uses the installed C++ API: parses YAML, reads a kubeconfig error, builds a ledger.
#include <drsync/cluster.hpp>
#include <drsync/error.hpp>
#include <drsync/ledger.hpp>
#include <drsync/yaml.hpp>

#include <iostream>

int main() {
  drsync::Object d =
      drsync::parse_yaml("apiVersion: apps/v1\nkind: Deployment\nspec: {replicas: 4}\n");
  drsync::ReplicaLedger ledger;
  if (ledger.live_value(d) != "4") return 1;
  try {
    drsync::Cluster::from_kubeconfig("/nonexistent/kubeconfig");
    return 1;
  } catch (const drsync::Error& e) {  // typeinfo of drsync::Error is exported
    if (e.code() != drsync::Errc::config) return 1;
  }
  std::cout << "consumer ok\n";
  return 0;
}
