// Internal: copying the CustomResourceDefinitions of custom types the destination does not serve
// (SyncOptions::copy_crds), and waiting until the destination serves them.
#pragma once

#include <string>
#include <vector>

#include "drsync/cluster.hpp"
#include "sync/plan.hpp"

namespace drsync::detail {

// Copies the CRDs named by `group_resources` ("shirts.stable.example.com") from `source` to
// `dest` (one that exists there already is left alone) and, unless `dry_run`, waits up to 60 s
// until `dest` serves every one of them.
void copy_crds(const Cluster& source, const Cluster& dest,
               const std::vector<std::string>& group_resources, bool dry_run, Problems& problems);

}  // namespace drsync::detail
