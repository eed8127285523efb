// Internal: the pure parts of Migration::preflight — Kubernetes quantities, what a workload's Pods
// ask for, and the quota / limit-range / reference checks over listed objects. No request here.
#pragma once

#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "drsync/migration.hpp"
#include "drsync/object.hpp"

namespace drsync::detail {

// A Kubernetes quantity ("100m", "1.5", "200Mi", "1G", "2e3") in base units (cores, bytes);
// nullopt when it is not one.
std::optional<double> parse_quantity(std::string_view text);

// What one Pod of a workload asks for (sum over its containers).
struct PodDemand {
  double requests_cpu = 0, requests_memory = 0, limits_cpu = 0, limits_memory = 0;
};
PodDemand pod_demand(const rapidjson::Value& pod_spec);

// A workload as the destination will run it: its Pods and what each asks for.
struct WorkloadNeed {
  std::string key;  // "deployments.apps/web"
  long long pods = 0;
  PodDemand pod;
};

// A ResourceQuota of the destination namespace against the recorded counts (pods, cpu, memory,
// their requests./limits. forms; persistentvolumeclaims and requests.storage from `claims`).
struct ClaimNeed {
  std::string key;  // "persistentvolumeclaims/data"
  double storage = 0;
};
void check_quota(const Object& quota, const std::vector<WorkloadNeed>& workloads,
                 const std::vector<ClaimNeed>& claims, std::vector<PreflightFinding>& out);
// A LimitRange's Container max / min against each container of each workload.
void check_limit_range(const Object& range, const std::vector<Object>& workloads,
                       std::vector<PreflightFinding>& out);

// The names a workload's pod template refers to in the destination cluster or namespace.
struct PodRefs {
  std::string priority_class;
  std::string runtime_class;
  std::vector<std::string> pull_secrets;
};
PodRefs pod_refs(const Object& workload);

// A webhook configuration (validating or mutating) whose rules intercept CREATE or UPDATE of
// one of `group_resources` ("deployments.apps"): one warning per such webhook.
void check_webhooks(const Object& config, const std::set<std::string>& group_resources,
                    std::vector<PreflightFinding>& out);

}  // namespace drsync::detail
