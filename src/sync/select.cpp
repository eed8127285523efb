#include "sync/select.hpp"

#include <fnmatch.h>

#include <algorithm>
#include <cctype>

namespace drsync::detail {
namespace {

struct DefaultType {
  const char* group_resource;
  int tier;
};

// The DR set, in Velero-like restore priority: identities and policy, then data and config,
// RBAC, storage claims, network, custom resources (tier 6), workloads last.
constexpr DefaultType kDefaultTypes[] = {
    {"serviceaccounts", 1},
    {"limitranges", 1},
    {"resourcequotas", 1},
    {"secrets", 2},
    {"configmaps", 2},
    {"roles.rbac.authorization.k8s.io", 3},
    {"rolebindings.rbac.authorization.k8s.io", 3},
    {"persistentvolumeclaims", 4},
    {"services", 5},
    {"networkpolicies.networking.k8s.io", 5},
    {"poddisruptionbudgets.policy", 5},
    {"ingresses.networking.k8s.io", 5},
    {"deployments.apps", 7},
    {"statefulsets.apps", 7},
    {"daemonsets.apps", 7},
    {"replicasets.apps", 7},
    {"cronjobs.batch", 7},
    {"jobs.batch", 7},
    {"horizontalpodautoscalers.autoscaling", 8},
};

// Never copied, whatever the filters say: runtime state that the destination regenerates.
constexpr const char* kNeverCopied[] = {
    "events",
    "events.events.k8s.io",
    "pods",
    "leases.coordination.k8s.io",
    "controllerrevisions.apps",
    "bindings",
    "localsubjectaccessreviews.authorization.k8s.io",
    "csistoragecapacities.storage.k8s.io",
    "podmetrics.metrics.k8s.io",
};

constexpr const char* kWorkloadKinds[] = {"Deployment", "StatefulSet", "DaemonSet", "ReplicaSet",
                                          "Job",        "CronJob",     "Pod"};

std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool is_true(std::string_view v) {
  return lower(v) == "true";
}

}  // namespace

bool is_builtin_group(std::string_view group) {
  static const std::set<std::string, std::less<>> builtin = {"",
                                                             "apps",
                                                             "batch",
                                                             "policy",
                                                             "autoscaling",
                                                             "rbac.authorization.k8s.io",
                                                             "networking.k8s.io",
                                                             "discovery.k8s.io",
                                                             "events.k8s.io",
                                                             "coordination.k8s.io",
                                                             "storage.k8s.io",
                                                             "authorization.k8s.io",
                                                             "authentication.k8s.io",
                                                             "node.k8s.io",
                                                             "scheduling.k8s.io",
                                                             "certificates.k8s.io",
                                                             "admissionregistration.k8s.io",
                                                             "apiextensions.k8s.io",
                                                             "apiregistration.k8s.io",
                                                             "flowcontrol.apiserver.k8s.io",
                                                             "resource.k8s.io",
                                                             "internal.apiserver.k8s.io",
                                                             "storagemigration.k8s.io",
                                                             "metrics.k8s.io"};
  return builtin.count(group) > 0;
}

int apply_tier(const ResourceInfo& r) {
  std::string gr = r.group_resource();
  for (const auto& d : kDefaultTypes) {
    if (gr == d.group_resource) return d.tier;
  }
  return is_builtin_group(r.group) ? 5 : 6;
}

bool type_matches(const ResourceInfo& r, std::string_view pattern) {
  std::string p = lower(pattern);
  if (p == r.resource || p == r.group_resource() || p == lower(r.kind)) return true;
  if (std::find(r.short_names.begin(), r.short_names.end(), p) != r.short_names.end()) return true;
  if (p.find_first_of("*?[") != std::string::npos) {
    return fnmatch(p.c_str(), r.group_resource().c_str(), 0) == 0;
  }
  return false;
}

std::vector<SelectedType> select_types(const std::vector<ResourceInfo>& source_types,
                                       const SyncOptions& options) {
  std::vector<SelectedType> out;
  for (const auto& r : source_types) {
    if (!r.namespaced || !r.has_verb("list") || !r.has_verb("create")) continue;
    std::string gr = r.group_resource();
    if (std::any_of(std::begin(kNeverCopied), std::end(kNeverCopied),
                    [&](const char* n) { return gr == n; })) {
      continue;
    }
    bool custom = !is_builtin_group(r.group);
    bool selected;
    if (!options.include_types.empty()) {
      selected = std::any_of(options.include_types.begin(), options.include_types.end(),
                             [&](const std::string& p) { return type_matches(r, p); });
    } else if (custom) {
      selected = options.include_custom_resources;
    } else {
      selected = std::any_of(std::begin(kDefaultTypes), std::end(kDefaultTypes),
                             [&](const DefaultType& d) { return gr == d.group_resource; });
      if (gr == "jobs.batch") selected = options.include_jobs;
    }
    if (selected && std::any_of(options.exclude_types.begin(), options.exclude_types.end(),
                                [&](const std::string& p) { return type_matches(r, p); })) {
      selected = false;
    }
    if (selected) out.push_back({r, apply_tier(r), custom});
  }
  std::stable_sort(out.begin(), out.end(),
                   [](const SelectedType& a, const SelectedType& b) { return a.tier < b.tier; });
  return out;
}

std::string skip_reason(const Object& obj, const SkipContext& context) {
  for (const char* marker : {kIgnoreMarker, kDrSyncerIgnoreMarker}) {
    if (is_true(obj.label(marker)) || is_true(obj.annotation(marker))) {
      return std::string("ignore marker ") + marker;
    }
  }
  const rapidjson::Value* owners = obj.find("/metadata/ownerReferences");
  if (owners && owners->IsArray()) {
    for (const auto& o : owners->GetArray()) {
      std::string kind(json_str(json_get(o, "kind")));
      bool workload = std::any_of(std::begin(kWorkloadKinds), std::end(kWorkloadKinds),
                                  [&](const char* k) { return kind == k; });
      if (workload || context.copied_kinds.count(kind)) {
        return "owned by " + kind + " " + std::string(json_str(json_get(o, "name")));
      }
    }
  }
  std::string_view kind = obj.kind();
  if (kind == "Secret" &&
      json_str(json_get(obj.json(), "type")) == "kubernetes.io/service-account-token") {
    return "service-account token Secret (the destination issues its own)";
  }
  if (kind == "ConfigMap" && obj.name() == kStateConfigMap) {
    return "drsync's own state (each side keeps its own)";
  }
  if (kind == "ConfigMap" && obj.name() == "kube-root-ca.crt") {
    return "kube-root-ca.crt is published by the destination cluster";
  }
  if (kind == "Endpoints" && context.selector_services.count(std::string(obj.name()))) {
    return "endpoints managed by Service " + std::string(obj.name());
  }
  if (kind == "EndpointSlice" && obj.has_label("endpointslice.kubernetes.io/managed-by")) {
    return "endpoint slice managed by " +
           std::string(obj.label("endpointslice.kubernetes.io/managed-by"));
  }
  return {};
}

}  // namespace drsync::detail
