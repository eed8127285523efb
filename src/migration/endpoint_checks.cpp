// Which Services must have ready endpoints after a mode started workloads, and whether they do
// (pure; check_services.cpp lists the objects).
#include <fmt/format.h>

#include "drsync/error.hpp"
#include "migration/service_checks.hpp"

namespace drsync::detail {
namespace {

Labels string_map(const rapidjson::Value* v) {
  Labels out;
  if (!v || !v->IsObject()) return out;
  for (const auto& m : v->GetObject()) {
    if (m.value.IsString()) out.emplace(m.name.GetString(), m.value.GetString());
  }
  return out;
}

bool selects(const Labels& selector, const Labels& labels) {
  for (const auto& [k, v] : selector) {
    auto it = labels.find(k);
    if (it == labels.end() || it->second != v) return false;
  }
  return true;
}

// An endpoint counts when it has an address and is not marked not-ready (a missing `ready`
// condition means ready, as the EndpointSlice API says).
bool ready_endpoint(const rapidjson::Value& e) {
  const auto* addresses = json_get(e, "addresses");
  if (!addresses || !addresses->IsArray() || addresses->Empty()) return false;
  const auto* conditions = json_get(e, "conditions");
  const auto* ready = conditions ? json_get(*conditions, "ready") : nullptr;
  return !ready || !ready->IsBool() || ready->GetBool();
}

std::map<std::string, int> ready_endpoints_by_service(const std::vector<Object>& slices) {
  std::map<std::string, int> out;
  for (const auto& slice : slices) {
    std::string service(slice.label("kubernetes.io/service-name"));
    if (service.empty()) continue;
    int& n = out[service];
    const auto* endpoints = json_get(slice.json(), "endpoints");
    if (!endpoints || !endpoints->IsArray()) continue;
    for (const auto& e : endpoints->GetArray()) n += ready_endpoint(e) ? 1 : 0;
  }
  return out;
}

std::string selector_text(const Labels& selector) {
  std::string out;
  for (const auto& [k, v] : selector) out += fmt::format("{}{}={}", out.empty() ? "" : ",", k, v);
  return out;
}

}  // namespace

Labels template_labels(const Object& workload) {
  return string_map(workload.find("/spec/template/metadata/labels"));
}

std::vector<CheckResult> endpoint_results(const std::vector<Object>& services,
                                          const std::vector<Object>& slices,
                                          const std::vector<Labels>& running) {
  auto ready = ready_endpoints_by_service(slices);
  std::vector<CheckResult> out;
  for (const auto& svc : services) {
    if (json_str(svc.find("/spec/type")) == "ExternalName") continue;
    Labels selector = string_map(svc.find("/spec/selector"));
    if (selector.empty()) continue;
    bool wanted = false;
    for (const auto& labels : running) wanted = wanted || selects(selector, labels);
    if (!wanted) continue;
    CheckResult r;
    r.name = fmt::format("services/{}", svc.name());
    r.kind = "endpoints";
    r.target = selector_text(selector);
    r.from = "cluster";
    int n = ready[std::string(svc.name())];
    r.ok = n > 0;
    r.detail =
        n > 0 ? fmt::format("{} ready endpoint{}", n, n == 1 ? "" : "s") : "no ready endpoint";
    out.push_back(std::move(r));
  }
  return out;
}

std::string check_kind(const ServiceCheck& check) {
  const std::string name = check.name.empty() ? check.target() : check.name;
  if (check.url.empty() == check.address.empty()) {
    throw Error(
        Errc::invalid_argument,
        fmt::format("service check {:?}: give either a url or an address (host:port)", name));
  }
  if (!check.url.empty()) {
    if (check.url.rfind("http://", 0) != 0 && check.url.rfind("https://", 0) != 0)
      throw Error(Errc::invalid_argument,
                  fmt::format("service check {:?}: url must start with http:// or https://", name));
    return "http";
  }
  auto colon = check.address.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == check.address.size() ||
      check.address.find_first_not_of("0123456789", colon + 1) != std::string::npos) {
    throw Error(Errc::invalid_argument,
                fmt::format("service check {:?}: address must be host:port", name));
  }
  return "tcp";
}

}  // namespace drsync::detail
