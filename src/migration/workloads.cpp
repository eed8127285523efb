#include "migration/workloads.hpp"

#include <algorithm>
#include <future>
#include <sstream>

#include "sync/select.hpp"

namespace drsync::detail {
namespace {

std::int64_t int_at(const Object& o, const char* pointer, std::int64_t fallback) {
  const rapidjson::Value* v = o.find(pointer);
  return v && v->IsInt64() ? v->GetInt64() : fallback;
}

std::string trim(std::string s) {
  s.erase(0, s.find_first_not_of(" \t"));
  s.erase(s.find_last_not_of(" \t") + 1);
  return s;
}

}  // namespace

bool name_matches(const std::string& pattern, const Workload& w) {
  auto slash = pattern.find('/');
  if (slash == std::string::npos) return pattern == w.obj.name();
  return pattern.substr(slash + 1) == w.obj.name() &&
         type_matches(w.type, pattern.substr(0, slash));
}

bool selector_matches(const std::string& selector, const Object& obj) {
  // Equality-based terms: "a=b", "a==b", "a!=b", "a" (exists), "!a" (absent).
  std::stringstream ss(selector);
  for (std::string term; std::getline(ss, term, ',');) {
    term = trim(term);
    if (term.empty()) continue;
    if (auto ne = term.find("!="); ne != std::string::npos) {
      if (obj.label(trim(term.substr(0, ne))) == trim(term.substr(ne + 2))) return false;
    } else if (auto eq = term.find('='); eq != std::string::npos) {
      std::string key = trim(term.substr(0, eq));
      std::string value = trim(term.substr(term[eq + 1] == '=' ? eq + 2 : eq + 1));
      if (!obj.has_label(key) || obj.label(key) != value) return false;
    } else if (term[0] == '!') {
      if (obj.has_label(trim(term.substr(1)))) return false;
    } else if (!obj.has_label(term)) {
      return false;
    }
  }
  return true;
}

std::vector<Workload> list_workloads(const Cluster& c, const std::string& ns,
                                     const ReplicaLedger& ledger, const WorkloadSelector& subset,
                                     const std::set<std::string>* only_kinds) {
  // One LIST per kind, all at once (without managedFields: nothing here reads them).
  auto types = c.resources();
  ListOptions lo;
  lo.without_managed_fields = true;
  std::vector<std::pair<const ScaleSpec*, ResourceInfo>> kinds;
  std::vector<std::future<ObjectList>> lists;
  for (const auto& spec : ledger.specs()) {
    if (only_kinds && !only_kinds->count(spec.kind)) continue;
    auto type = std::find_if(types.begin(), types.end(), [&](const ResourceInfo& r) {
      return r.group == spec.group && r.kind == spec.kind && r.namespaced;
    });
    if (type == types.end()) continue;
    kinds.emplace_back(&spec, *type);
    lists.push_back(
        std::async(std::launch::async, [&c, ns, lo, r = *type] { return c.list(r, ns, lo); }));
  }
  std::vector<Workload> out;
  for (size_t i = 0; i < kinds.size(); ++i) {
    for (auto& obj : lists[i].get().items) {
      const rapidjson::Value* owners = obj.find("/metadata/ownerReferences");
      if (owners && owners->IsArray() && !owners->Empty()) continue;  // its owner scales it
      Workload w{kinds[i].second, kinds[i].first, std::move(obj)};
      if (!subset.empty()) {
        bool named = std::any_of(subset.names.begin(), subset.names.end(),
                                 [&](const std::string& n) { return name_matches(n, w); });
        bool labelled =
            !subset.label_selector.empty() && selector_matches(subset.label_selector, w.obj);
        if (!named && !labelled) continue;
      }
      out.push_back(std::move(w));
    }
  }
  return out;
}

std::string ready_text(const Object& obj) {
  std::string_view kind = obj.kind();
  std::int64_t want = int_at(obj, "/spec/replicas", 1);
  if (kind == "Deployment") {
    return std::to_string(int_at(obj, "/status/availableReplicas", 0)) + "/" + std::to_string(want);
  }
  if (kind == "StatefulSet" || kind == "ReplicaSet") {
    return std::to_string(int_at(obj, "/status/readyReplicas", 0)) + "/" + std::to_string(want);
  }
  if (kind == "DaemonSet") {
    return std::to_string(int_at(obj, "/status/numberReady", 0)) + "/" +
           std::to_string(int_at(obj, "/status/desiredNumberScheduled", 0));
  }
  return {};
}

bool is_ready(const Object& obj) {
  std::string_view kind = obj.kind();
  std::int64_t want = int_at(obj, "/spec/replicas", 1);
  if (int_at(obj, "/status/observedGeneration", 0) < int_at(obj, "/metadata/generation", 0))
    return false;
  if (kind == "Deployment") {
    return int_at(obj, "/status/availableReplicas", 0) >= want &&
           int_at(obj, "/status/updatedReplicas", 0) >= want;
  }
  if (kind == "StatefulSet" || kind == "ReplicaSet") {
    return int_at(obj, "/status/readyReplicas", 0) >= want;
  }
  if (kind == "DaemonSet") {
    // Every node it should run on has an up-to-date, ready Pod.
    std::int64_t nodes = int_at(obj, "/status/desiredNumberScheduled", 0);
    return int_at(obj, "/status/numberReady", 0) >= nodes &&
           int_at(obj, "/status/updatedNumberScheduled", 0) >= nodes;
  }
  return true;
}

bool pod_belongs_to(const Object& pod, const std::vector<Workload>& workloads) {
  const rapidjson::Value* owners = pod.find("/metadata/ownerReferences");
  if (!owners || !owners->IsArray()) return false;
  for (const auto& o : owners->GetArray()) {
    std::string_view kind = json_str(json_get(o, "kind"));
    std::string_view name = json_str(json_get(o, "name"));
    for (const auto& w : workloads) {
      std::string_view wk = w.obj.kind();
      std::string_view wn = w.obj.name();
      if (kind == wk && name == wn) return true;
      // Deployment -> ReplicaSet "<deployment>-<pod-template-hash>" -> Pod.
      if (wk == "Deployment" && kind == "ReplicaSet" && name.size() > wn.size() + 1 &&
          name.substr(0, wn.size()) == wn && name[wn.size()] == '-' &&
          name.find('-', wn.size() + 1) == std::string_view::npos) {
        return true;
      }
    }
  }
  return false;
}

}  // namespace drsync::detail
