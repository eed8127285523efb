// Internal: which selected types have no object in any namespace of the source cluster, taken
// once for a DR plan's pairs (SyncOptions::absent_source_types): a plan of 100 namespaces then
// lists per namespace only the types that exist somewhere, instead of every selected type 100
// times on each side (docs/plans.md).
#pragma once

#include <memory>
#include <set>
#include <string>
#include <vector>

#include "drsync/cluster.hpp"
#include "drsync/options.hpp"

namespace drsync::detail {

// One cluster-wide LIST of one item per type any pair selects, all at once. A type whose LIST
// fails (a namespace-scoped identity may not list across namespaces) is not absent: it is listed
// per namespace as usual. Never throws: nullptr when the census could not be taken at all.
std::shared_ptr<const std::set<std::string>> absent_source_types(
    const Cluster& source, const Cluster& dest, const std::vector<PlanNamespace>& pairs);

}  // namespace drsync::detail
