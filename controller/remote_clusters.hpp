// From a NamespaceMapping to the two Clusters it syncs between: its ClusterMapping (or its
// sourceCluster / destinationCluster), their RemoteClusters, and the kubeconfigs in their
// Secrets, all read from the controller's own cluster. Each call builds fresh Clusters (own
// connections), so stopping one mapping never aborts another's requests.
#pragma once

#include <drsync/cluster.hpp>

#include <string>

#include "resources.hpp"

namespace drsync_controller {

struct ClusterPair {
  drsync::Cluster source;
  drsync::Cluster dest;
  std::string source_name, dest_name;  // the RemoteClusters
  bool paused = false;                 // the ClusterMapping is paused
};

// Throws drsync::Error naming the object that is missing or wrong (never the kubeconfig's
// contents).
ClusterPair resolve_clusters(const drsync::Cluster& home, const NamespaceMappingSpec& mapping);

}  // namespace drsync_controller
