// Internal: which types and which objects a DR copy of a namespace takes (the "select" step).
#pragma once

#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "drsync/cluster.hpp"
#include "drsync/sync.hpp"

namespace drsync::detail {

struct SelectedType {
  ResourceInfo info;
  int tier = 0;  // apply order: lower first; concurrent within a tier
  bool custom = false;
};

// Tier of a type in the apply order (namespace-level policy first, workloads last).
int apply_tier(const ResourceInfo& r);
bool is_builtin_group(std::string_view group);
bool type_matches(const ResourceInfo& r, std::string_view pattern);
// Namespaced, listable types of the source that the options select, in apply order.
std::vector<SelectedType> select_types(const std::vector<ResourceInfo>& source_types,
                                       const SyncOptions& options);
// What the per-object skip rules need to know about the whole copy.
struct SkipContext {
  std::set<std::string> copied_kinds;       // kinds of the selected types
  std::set<std::string> selector_services;  // Services with a selector (their Endpoints are made)
};

// Why an object must not be copied ("" when it should be).
std::string skip_reason(const Object& obj, const SkipContext& context);

}  // namespace drsync::detail
