// Internal: copying the CustomResourceDefinitions of custom types the destination does not serve
// (SyncOptions::copy_crds), and waiting until the destination serves them.
#pragma once

#include <string>
#include <vector>

#include "drsync/cluster.hpp"
#include "sync/plan.hpp"

namespace drsync::detail {

// Whether a CustomResourceDefinition's Established condition is True.
bool crd_established(const Object& crd);

// Copies the CRDs named by `group_resources` ("shirts.stable.example.com") from `source` to
// `dest` (one that exists there already is left alone, never overwritten or pruned) and, unless
// `dry_run`, waits up to 60 s until every one is Established and served by `dest`, so that their
// custom resources are written only then.
void copy_crds(const Cluster& source, const Cluster& dest,
               const std::vector<std::string>& group_resources, bool dry_run, Problems& problems);

}  // namespace drsync::detail
