#include "migration/preflight_checks.hpp"

#include <fmt/format.h>

#include <cmath>
#include <cstdlib>

#include "transform/pod_spec.hpp"

namespace drsync::detail {
namespace {

struct Suffix {
  const char* text;
  double factor;
};

constexpr Suffix kSuffixes[] = {
    {"Ki", 1024.0},
    {"Mi", 1048576.0},
    {"Gi", 1073741824.0},
    {"Ti", 1099511627776.0},
    {"Pi", 1.125899906842624e15},
    {"Ei", 1.152921504606846976e18},
    {"n", 1e-9},
    {"u", 1e-6},
    {"m", 1e-3},
    {"k", 1e3},
    {"M", 1e6},
    {"G", 1e9},
    {"T", 1e12},
    {"P", 1e15},
    {"E", 1e18},
};

double quantity_at(const rapidjson::Value& resources, const char* section, const char* name) {
  const rapidjson::Value* s = json_get(resources, section);
  const rapidjson::Value* v = s ? json_get(*s, name) : nullptr;
  if (!v) return 0;
  if (v->IsNumber()) return v->GetDouble();
  return parse_quantity(json_str(v)).value_or(0);
}

// "500m" for cpu, "256Mi" for memory: how a message shows a need.
std::string shown(double v, bool memory) {
  if (memory) return fmt::format("{:.0f}Mi", std::ceil(v / 1048576.0));
  return fmt::format("{:.0f}m", std::ceil(v * 1000.0));
}

struct Resource {
  const char* key;  // quota key
  double PodDemand::*field;
  bool memory;
};

constexpr Resource kQuotaResources[] = {
    {"requests.cpu", &PodDemand::requests_cpu, false},
    {"cpu", &PodDemand::requests_cpu, false},
    {"requests.memory", &PodDemand::requests_memory, true},
    {"memory", &PodDemand::requests_memory, true},
    {"limits.cpu", &PodDemand::limits_cpu, false},
    {"limits.memory", &PodDemand::limits_memory, true},
};

void exceeded(const Object& quota, const std::string& key, const std::string& need,
              const std::string& hard, std::vector<PreflightFinding>& out) {
  out.push_back({Severity::Error, "resource-quota", fmt::format("resourcequotas/{}", quota.name()),
                 fmt::format("{} allows {} {}, the recorded replica counts need {}", quota.name(),
                             hard, key, need),
                 fmt::format("raise {} of ResourceQuota {} in the destination namespace to at "
                             "least {}, or start fewer replicas (scaleOverrides)",
                             key, quota.name(), need)});
}

}  // namespace

std::optional<double> parse_quantity(std::string_view text) {
  if (text.empty()) return std::nullopt;
  std::string s(text);
  char* end = nullptr;
  double number = std::strtod(s.c_str(), &end);
  if (end == s.c_str()) return std::nullopt;
  std::string_view rest(end);
  if (rest.empty()) return number;
  for (const auto& suffix : kSuffixes) {
    if (rest == suffix.text) return number * suffix.factor;
  }
  return std::nullopt;
}

PodDemand pod_demand(const rapidjson::Value& pod_spec) {
  PodDemand d;
  const rapidjson::Value* containers = json_get(pod_spec, "containers");
  if (!containers || !containers->IsArray()) return d;
  for (const auto& c : containers->GetArray()) {
    const rapidjson::Value* r = json_get(c, "resources");
    if (!r) continue;
    d.requests_cpu += quantity_at(*r, "requests", "cpu");
    d.requests_memory += quantity_at(*r, "requests", "memory");
    d.limits_cpu += quantity_at(*r, "limits", "cpu");
    d.limits_memory += quantity_at(*r, "limits", "memory");
  }
  return d;
}

void check_quota(const Object& quota, const std::vector<WorkloadNeed>& workloads,
                 const std::vector<ClaimNeed>& claims, std::vector<PreflightFinding>& out) {
  const rapidjson::Value* hard = quota.find("/spec/hard");
  if (!hard || !hard->IsObject()) return;
  long long pods = 0;
  PodDemand total;
  for (const auto& w : workloads) {
    pods += w.pods;
    total.requests_cpu += w.pod.requests_cpu * static_cast<double>(w.pods);
    total.requests_memory += w.pod.requests_memory * static_cast<double>(w.pods);
    total.limits_cpu += w.pod.limits_cpu * static_cast<double>(w.pods);
    total.limits_memory += w.pod.limits_memory * static_cast<double>(w.pods);
  }
  if (auto limit = parse_quantity(json_str(json_get(*hard, "pods"))); limit && pods > *limit)
    exceeded(quota, "pods", std::to_string(pods), json_str(json_get(*hard, "pods")).data(), out);
  for (const auto& r : kQuotaResources) {
    auto limit = parse_quantity(json_str(json_get(*hard, r.key)));
    // A little slack for rounding; a need of 0 never exceeds.
    if (limit && total.*r.field > *limit * (1 + 1e-9) && total.*r.field > 0)
      exceeded(quota, r.key, shown(total.*r.field, r.memory),
               std::string(json_str(json_get(*hard, r.key))), out);
  }
  double storage = 0;
  for (const auto& c : claims) storage += c.storage;
  if (auto limit = parse_quantity(json_str(json_get(*hard, "persistentvolumeclaims")));
      limit && static_cast<double>(claims.size()) > *limit) {
    exceeded(quota, "persistentvolumeclaims", std::to_string(claims.size()),
             std::string(json_str(json_get(*hard, "persistentvolumeclaims"))), out);
  }
  if (auto limit = parse_quantity(json_str(json_get(*hard, "requests.storage")));
      limit && storage > *limit) {
    exceeded(quota, "requests.storage", shown(storage, true),
             std::string(json_str(json_get(*hard, "requests.storage"))), out);
  }
}

void check_limit_range(const Object& range, const std::vector<Object>& workloads,
                       std::vector<PreflightFinding>& out) {
  const rapidjson::Value* limits = range.find("/spec/limits");
  if (!limits || !limits->IsArray()) return;
  for (const auto& l : limits->GetArray()) {
    if (json_str(json_get(l, "type")) != "Container") continue;
    for (const auto& w : workloads) {
      Object copy = w.clone();
      const rapidjson::Value* spec = pod_spec(copy.json(), copy.kind());
      const rapidjson::Value* containers = spec ? json_get(*spec, "containers") : nullptr;
      if (!containers || !containers->IsArray()) continue;
      for (const auto& c : containers->GetArray()) {
        const rapidjson::Value* r = json_get(c, "resources");
        for (const char* res : {"cpu", "memory"}) {
          double request = r ? quantity_at(*r, "requests", res) : 0;
          double limit = r ? quantity_at(*r, "limits", res) : 0;
          double max = quantity_at(l, "max", res);
          double min = quantity_at(l, "min", res);
          const bool too_big = max > 0 && std::max(request, limit) > max;
          const bool too_small = min > 0 && request > 0 && request < min;
          if (!too_big && !too_small) continue;
          out.push_back({Severity::Error, "limit-range",
                         fmt::format("limitranges/{}", range.name()),
                         fmt::format("container {} of {} {} asks for {} {} {} the range's {} {}",
                                     json_str(json_get(c, "name")), w.kind(), w.name(),
                                     too_big ? std::max(request, limit) : request, res,
                                     too_big ? "over" : "under", too_big ? "max" : "min",
                                     too_big ? max : min),
                         fmt::format("change LimitRange {} in the destination namespace, or the "
                                     "container's resources",
                                     range.name())});
        }
      }
    }
  }
}

PodRefs pod_refs(const Object& workload) {
  PodRefs refs;
  Object copy = workload.clone();
  const rapidjson::Value* spec = pod_spec(copy.json(), copy.kind());
  if (!spec) return refs;
  refs.priority_class = json_str(json_get(*spec, "priorityClassName"));
  refs.runtime_class = json_str(json_get(*spec, "runtimeClassName"));
  if (const rapidjson::Value* secrets = json_get(*spec, "imagePullSecrets");
      secrets && secrets->IsArray()) {
    for (const auto& s : secrets->GetArray())
      refs.pull_secrets.emplace_back(json_str(json_get(s, "name")));
  }
  return refs;
}

void check_webhooks(const Object& config, const std::set<std::string>& group_resources,
                    std::vector<PreflightFinding>& out) {
  const rapidjson::Value* hooks = config.find("/webhooks");
  if (!hooks || !hooks->IsArray()) return;
  const bool mutating = config.kind() == "MutatingWebhookConfiguration";
  for (const auto& h : hooks->GetArray()) {
    const rapidjson::Value* rules = json_get(h, "rules");
    if (!rules || !rules->IsArray()) continue;
    std::set<std::string> hit;
    for (const auto& r : rules->GetArray()) {
      bool writes = false;
      if (const auto* ops = json_get(r, "operations"); ops && ops->IsArray()) {
        for (const auto& op : ops->GetArray()) {
          std::string_view o = json_str(&op);
          writes |= o == "*" || o == "CREATE" || o == "UPDATE";
        }
      }
      const auto* groups = json_get(r, "apiGroups");
      const auto* resources = json_get(r, "resources");
      if (!writes || !groups || !resources || !groups->IsArray() || !resources->IsArray()) continue;
      for (const auto& gr : group_resources) {
        auto dot = gr.find('.');
        std::string res = gr.substr(0, dot),
                    group = dot == std::string::npos ? "" : gr.substr(dot + 1);
        bool g = false, rs = false;
        for (const auto& x : groups->GetArray()) g |= json_str(&x) == "*" || json_str(&x) == group;
        for (const auto& x : resources->GetArray()) {
          rs |= json_str(&x) == "*" || json_str(&x) == "*/*" || json_str(&x) == res;
        }
        if (g && rs) hit.insert(gr);
      }
    }
    if (hit.empty()) continue;
    const bool fails = json_str(json_get(h, "failurePolicy")) != "Ignore";
    out.push_back(
        {Severity::Warning, "admission-webhook",
         fmt::format("{}/{}",
                     mutating ? "mutatingwebhookconfigurations" : "validatingwebhookconfigurations",
                     config.name()),
         fmt::format("{} webhook {} intercepts writes of {}{}",
                     mutating ? "mutating" : "validating", json_str(json_get(h, "name")),
                     fmt::join(hit, ", "),
                     fails ? " (failurePolicy Fail: the writes fail while it is down)" : ""),
         "make sure the webhook's service runs in the destination and admits the copies, or "
         "narrow its namespaceSelector"});
  }
}

}  // namespace drsync::detail
