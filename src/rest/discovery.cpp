// Discovery of the served resource types: aggregated discovery (one request each for /api and
// /apis) when the server offers it, else the legacy per-group-version documents, concurrently.
#include <algorithm>
#include <cctype>

#include "drsync/cluster.hpp"
#include "rest/cluster_impl.hpp"
#include "rest/status_error.hpp"

namespace drsync {
namespace {

using rapidjson::Value;

constexpr const char* kAggregatedAccept =
    "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,"
    "application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,"
    "application/json";

std::vector<std::string> strings(const Value* v) {
  std::vector<std::string> out;
  if (v && v->IsArray()) {
    for (const auto& s : v->GetArray()) {
      if (s.IsString()) out.emplace_back(s.GetString(), s.GetStringLength());
    }
  }
  return out;
}

// APIGroupDiscoveryList: items[].versions[] in preference order; we take the first version.
void parse_aggregated(const Value& doc, std::vector<ResourceInfo>& out) {
  const Value* items = json_get(doc, "items");
  if (!items || !items->IsArray()) return;
  for (const auto& group : items->GetArray()) {
    const Value* meta = json_get(group, "metadata");
    std::string group_name(meta ? json_str(json_get(*meta, "name")) : std::string_view{});
    const Value* versions = json_get(group, "versions");
    if (!versions || !versions->IsArray() || versions->Empty()) continue;
    const Value& preferred = (*versions)[0];
    std::string version(json_str(json_get(preferred, "version")));
    const Value* resources = json_get(preferred, "resources");
    if (!resources || !resources->IsArray()) continue;
    for (const auto& res : resources->GetArray()) {
      ResourceInfo info;
      info.group = group_name;
      info.version = version;
      info.resource = std::string(json_str(json_get(res, "resource")));
      const Value* rk = json_get(res, "responseKind");
      info.kind = std::string(rk ? json_str(json_get(*rk, "kind")) : std::string_view{});
      info.namespaced = json_str(json_get(res, "scope")) == "Namespaced";
      info.verbs = strings(json_get(res, "verbs"));
      info.short_names = strings(json_get(res, "shortNames"));
      info.categories = strings(json_get(res, "categories"));
      const Value* subs = json_get(res, "subresources");
      if (subs && subs->IsArray()) {
        for (const auto& s : subs->GetArray()) {
          info.subresources.emplace_back(json_str(json_get(s, "subresource")));
        }
      }
      out.push_back(std::move(info));
    }
  }
}

// APIResourceList of one group-version (legacy discovery).
void parse_resource_list(const Value& doc, const std::string& group, const std::string& version,
                         std::vector<ResourceInfo>& out) {
  const Value* resources = json_get(doc, "resources");
  if (!resources || !resources->IsArray()) return;
  for (const auto& res : resources->GetArray()) {
    std::string name(json_str(json_get(res, "name")));
    auto slash = name.find('/');
    if (slash != std::string::npos) {
      // "deployments/scale": a subresource of an entry already (or soon) in `out`.
      std::string parent = name.substr(0, slash);
      std::string sub = name.substr(slash + 1);
      for (auto& r : out) {
        if (r.group == group && r.version == version && r.resource == parent) {
          r.subresources.push_back(sub);
        }
      }
      continue;
    }
    ResourceInfo info;
    info.group = group;
    info.version = version;
    info.resource = name;
    info.kind = std::string(json_str(json_get(res, "kind")));
    const Value* ns = json_get(res, "namespaced");
    info.namespaced = ns && ns->IsBool() && ns->GetBool();
    info.verbs = strings(json_get(res, "verbs"));
    info.short_names = strings(json_get(res, "shortNames"));
    info.categories = strings(json_get(res, "categories"));
    out.push_back(std::move(info));
  }
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace

std::vector<ResourceInfo> Cluster::Impl::discover() {
  auto check_discovery = [this](const Response& resp, const std::string& what) {
    if (!resp.ok()) throw detail::error_from_response(resp, what, transport.config().server);
  };
  std::vector<ResourceInfo> out;
  bool aggregated = true;
  for (const char* root : {"/api", "/apis"}) {
    Request req;
    req.verb = Verb::Discovery;
    req.path = root;
    req.accept = kAggregatedAccept;
    Response resp = send(req);
    check_discovery(resp, std::string("discovery ") + root);
    if (resp.content_type.find("apidiscovery.k8s.io") == std::string::npos) {
      aggregated = false;
      break;
    }
    Object doc = Object::parse(resp.body);
    parse_aggregated(doc.json(), out);
  }
  if (aggregated) return out;

  // Legacy discovery: /api + /apis, then every preferred group-version concurrently.
  out.clear();
  std::vector<std::pair<std::string, std::string>> group_versions;  // group, version
  {
    Request req;
    req.verb = Verb::Discovery;
    req.path = "/api";
    Response resp = send(req);
    check_discovery(resp, "discovery /api");
    Object doc = Object::parse(resp.body);
    for (const auto& v : strings(json_get(doc.json(), "versions")))
      group_versions.emplace_back("", v);
  }
  {
    Request req;
    req.verb = Verb::Discovery;
    req.path = "/apis";
    Response resp = send(req);
    check_discovery(resp, "discovery /apis");
    Object doc = Object::parse(resp.body);
    const Value* groups = json_get(doc.json(), "groups");
    if (groups && groups->IsArray()) {
      for (const auto& g : groups->GetArray()) {
        const Value* pv = json_get(g, "preferredVersion");
        if (pv)
          group_versions.emplace_back(json_str(json_get(g, "name")),
                                      json_str(json_get(*pv, "version")));
      }
    }
  }
  std::vector<std::future<Response>> pending;
  for (const auto& [g, v] : group_versions) {
    Request req;
    req.verb = Verb::Discovery;
    req.path = g.empty() ? "/api/" + v : "/apis/" + g + "/" + v;
    pending.push_back(transport.submit(std::move(req)));
  }
  for (size_t i = 0; i < pending.size(); ++i) {
    Response resp = pending[i].get();
    // An unavailable aggregated API (503) must not break discovery of everything else.
    if (!resp.ok()) continue;
    Object doc = Object::parse(resp.body);
    parse_resource_list(doc.json(), group_versions[i].first, group_versions[i].second, out);
  }
  return out;
}

std::vector<ResourceInfo> Cluster::resources(bool refresh) const {
  std::lock_guard<std::mutex> lock(impl_->discovery_mutex);
  if (refresh || !impl_->discovery) impl_->discovery = impl_->discover();
  return *impl_->discovery;
}

std::optional<ResourceInfo> Cluster::find_kind(std::string_view api_version,
                                               std::string_view kind) const {
  auto slash = api_version.find('/');
  std::string_view group =
      slash == std::string_view::npos ? std::string_view{} : api_version.substr(0, slash);
  std::string_view version =
      slash == std::string_view::npos ? api_version : api_version.substr(slash + 1);
  for (int pass = 0; pass < 2; ++pass) {
    for (const auto& r : resources(pass == 1)) {
      if (r.group == group && r.kind == kind) {
        ResourceInfo out = r;
        if (!version.empty()) out.version = std::string(version);
        return out;
      }
    }
  }
  return std::nullopt;
}

ResourceInfo Cluster::resolve_kind(std::string_view api_version, std::string_view kind) const {
  auto r = find_kind(api_version, kind);
  if (!r) {
    throw Error(Errc::not_found, "the server at " + server() + " does not serve kind " +
                                     std::string(kind) + " of " + std::string(api_version));
  }
  return *r;
}

ResourceInfo Cluster::resolve(std::string_view name) const {
  std::string wanted = lower(name);
  std::string group_filter;
  std::string version_filter;
  bool has_group = false;
  // "apps/v1/deployments" or "v1/configmaps"
  auto slash = wanted.rfind('/');
  if (slash != std::string::npos) {
    std::string gv = wanted.substr(0, slash);
    wanted = wanted.substr(slash + 1);
    auto s2 = gv.find('/');
    group_filter = s2 == std::string::npos ? "" : gv.substr(0, s2);
    version_filter = s2 == std::string::npos ? gv : gv.substr(s2 + 1);
    has_group = true;
  } else if (auto dot = wanted.find('.'); dot != std::string::npos) {
    // "deployments.apps", "shirts.stable.example.com"
    group_filter = wanted.substr(dot + 1);
    wanted = wanted.substr(0, dot);
    has_group = true;
  }
  for (int pass = 0; pass < 2; ++pass) {
    for (const auto& r : resources(pass == 1)) {
      if (has_group && lower(r.group) != group_filter) continue;
      bool match =
          r.resource == wanted || lower(r.kind) == wanted ||
          std::find(r.short_names.begin(), r.short_names.end(), wanted) != r.short_names.end();
      if (match) {
        ResourceInfo out = r;
        if (!version_filter.empty()) out.version = version_filter;
        return out;
      }
    }
  }
  throw Error(Errc::not_found, "the server at " + server() + " does not serve resource type \"" +
                                   std::string(name) + "\"");
}

}  // namespace drsync
