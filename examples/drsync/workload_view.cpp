#include "workload_view.hpp"

#include <strings.h>

#include <algorithm>

#include <drsync/ledger.hpp>

#include "flags.hpp"

namespace drsync_cli {
namespace {

bool type_matches(const drsync::ResourceInfo& r, const std::string& pattern) {
  const char* p = pattern.c_str();
  if (strcasecmp(p, r.resource.c_str()) == 0 || strcasecmp(p, r.group_resource().c_str()) == 0 ||
      strcasecmp(p, r.kind.c_str()) == 0) {
    return true;
  }
  return std::find(r.short_names.begin(), r.short_names.end(), pattern) != r.short_names.end();
}

bool name_matches(const std::string& pattern, const drsync::ResourceInfo& r,
                  std::string_view name) {
  auto slash = pattern.find('/');
  if (slash == std::string::npos) return pattern == name;
  return pattern.substr(slash + 1) == name && type_matches(r, pattern.substr(0, slash));
}

// Equality-based label selector terms: a=b, a==b, a!=b, a, !a.
bool selector_matches(const std::string& selector, const drsync::Object& obj) {
  for (const auto& term : split_list(selector)) {
    if (auto ne = term.find("!="); ne != std::string::npos) {
      if (obj.label(term.substr(0, ne)) == term.substr(ne + 2)) return false;
    } else if (auto eq = term.find('='); eq != std::string::npos) {
      std::string key = term.substr(0, eq);
      std::string value = term.substr(term.compare(eq, 2, "==") == 0 ? eq + 2 : eq + 1);
      if (!obj.has_label(key) || obj.label(key) != value) return false;
    } else if (term[0] == '!') {
      if (obj.has_label(term.substr(1))) return false;
    } else if (!obj.has_label(term)) {
      return false;
    }
  }
  return true;
}

}  // namespace

std::vector<WorkloadView> view_workloads(const drsync::Cluster& cluster, const std::string& ns,
                                         const drsync::MigrationOptions& options) {
  drsync::ReplicaLedger ledger(options.sync.custom_scale_kinds);
  const auto& subset = options.subset;
  std::vector<WorkloadView> out;
  auto types = cluster.resources();
  for (const auto& spec : ledger.specs()) {
    if (spec.kind == "Job" && !options.sync.include_jobs) continue;
    auto type = std::find_if(types.begin(), types.end(), [&](const drsync::ResourceInfo& r) {
      return r.group == spec.group && r.kind == spec.kind && r.namespaced;
    });
    if (type == types.end()) continue;
    for (const auto& obj : cluster.list(*type, ns).items) {
      const rapidjson::Value* owners = obj.find("/metadata/ownerReferences");
      if (owners && owners->IsArray() && !owners->Empty()) continue;  // its owner scales it
      if (!subset.empty()) {
        bool named = std::any_of(subset.names.begin(), subset.names.end(),
                                 [&](const auto& n) { return name_matches(n, *type, obj.name()); });
        bool labelled =
            !subset.label_selector.empty() && selector_matches(subset.label_selector, obj);
        if (!named && !labelled) continue;
      }
      WorkloadView v;
      v.key = type->group_resource() + "/" + std::string(obj.name());
      v.live = ledger.live_value(obj);
      v.original = ledger.original(obj).value;
      if (auto r = ledger.recorded(obj)) v.recorded = r->value;
      v.stopped_value = spec.stopped_value;
      v.stopped = ledger.is_stopped(obj);
      out.push_back(std::move(v));
    }
  }
  return out;
}

}  // namespace drsync_cli
