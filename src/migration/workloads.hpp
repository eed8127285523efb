// Internal: the workloads a Migration acts on, and their readiness.
#pragma once

#include <set>
#include <string>
#include <vector>

#include "drsync/cluster.hpp"
#include "drsync/ledger.hpp"
#include "drsync/migration.hpp"

namespace drsync::detail {

struct Workload {
  ResourceInfo type;
  const ScaleSpec* spec = nullptr;
  Object obj;
};

// Unowned workloads of every kind the ledger knows that `c` serves, filtered by `subset`
// (one LIST per kind).
// `only_kinds`, when given, limits the LISTs to those kinds (pollers list only what they wait on).
std::vector<Workload> list_workloads(const Cluster& c, const std::string& ns,
                                     const ReplicaLedger& ledger, const WorkloadSelector& subset,
                                     const std::set<std::string>* only_kinds = nullptr);
// "web", "deployments/web", "deployments.apps/web" name `w`.
bool name_matches(const std::string& pattern, const Workload& w);
bool selector_matches(const std::string& selector, const Object& obj);
// "2/3" for replica workloads (ready or available / desired) and DaemonSets (ready / nodes it
// should run on), "" for the others.
std::string ready_text(const Object& obj);
bool is_ready(const Object& obj);
// Whether a Pod was created by one of the workloads (directly, or through a ReplicaSet of a
// Deployment).
bool pod_belongs_to(const Object& pod, const std::vector<Workload>& workloads);

}  // namespace drsync::detail
