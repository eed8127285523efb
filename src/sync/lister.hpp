// Internal: the Lister — the discover and select steps, then the concurrent LISTs of both sides
// that make a Snapshot (one request per type per 500 objects on each side).
#pragma once

#include <string>

#include "drsync/cluster.hpp"
#include "drsync/sync.hpp"
#include "sync/plan.hpp"

namespace drsync::detail {

class Lister {
 public:
  Lister(Cluster source, std::string source_ns, Cluster dest, std::string dest_ns);

  // discover + select: every type `options` selects, and whether the destination serves it.
  Snapshot select(const SyncOptions& options) const;
  // Lists every selected type on both sides, concurrently. A custom type the source may not be
  // listed is skipped with a warning; any other failure throws. When the destination namespace
  // does not exist (a first Stage), nothing is listed there: it holds nothing (one GET instead of
  // a LIST per type, half of a first sync's requests). `dest_namespace_exists`: known already
  // (this sync created or found it before), no GET.
  void list(Snapshot& snapshot, const SyncOptions& options, Problems& problems,
            bool dest_namespace_exists = false) const;
  // Lists on the destination the types it did not serve when `snapshot` was taken and serves now
  // (after their CustomResourceDefinitions were copied).
  void list_newly_served(Snapshot& snapshot) const;
  // With options.cluster_resources: every ClusterRoleBinding and ClusterRole of both sides (only
  // the source's bindings when none binds a ServiceAccount of the namespace and nothing is
  // pruned). Not permitted (403) on either side: reported as not copied, nothing listed.
  void list_cluster(Snapshot& snapshot, const SyncOptions& options, Problems& problems) const;

 private:
  // A 404 for the destination namespace; anything else (it exists, is terminating, or this
  // identity may not read namespaces) is false.
  bool dest_namespace_missing() const;

  Cluster source_;
  std::string source_ns_;
  Cluster dest_;
  std::string dest_ns_;
};

}  // namespace drsync::detail
