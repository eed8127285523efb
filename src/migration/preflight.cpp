// Migration::preflight: what in the destination would block or degrade a recovery, from reads only
// (one LIST per kind and side). The pure checks are in preflight_checks.cpp.
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <map>

#include "drsync/error.hpp"
#include "migration/migration_impl.hpp"
#include "migration/preflight_checks.hpp"
#include "sync/select.hpp"

namespace drsync {
namespace {

using detail::Workload;

class Preflight {
 public:
  explicit Preflight(Migration::Impl& m) : m_(m) {}

  PreflightReport run() {
    served_types();
    auto workloads = m_.workloads(Side::Source);
    storage_classes(workloads);
    ingress_classes();
    pod_references(workloads);
    quotas(workloads);
    webhooks();
    return PreflightReport{std::move(out_)};
  }

 private:
  void add(Severity s, const char* check, std::string object, std::string message,
           std::string fix) {
    out_.push_back({s, check, std::move(object), std::move(message), std::move(fix)});
  }

  // A LIST on one side; nullopt (noted) when that side does not serve the type or forbids it.
  std::optional<ObjectList> list(Side side, const char* resource, const std::string& ns) {
    const Cluster& c = m_.cluster(side);
    try {
      return c.list(c.resolve(resource), ns);
    } catch (const Error& e) {
      if (e.code() != Errc::forbidden && e.code() != Errc::not_found) throw;
      if (e.code() == Errc::forbidden) {
        add(Severity::Info, "not-checked", resource,
            fmt::format("not permitted to list {} in the {}: not checked", resource,
                        side_name(side)),
            "grant list on it to check it (docs/rbac.md), or check it by hand");
      }
      return std::nullopt;
    }
  }

  std::set<std::string> names(Side side, const char* resource, const std::string& ns = "") {
    std::set<std::string> out;
    if (auto l = list(side, resource, ns)) {
      for (const auto& o : l->items) out.emplace(o.name());
    }
    return out;
  }

  void served_types() {
    const auto dest_types = m_.dest.resources();
    for (const auto& t : detail::select_types(m_.source.resources(), m_.options.sync)) {
      const bool served = std::any_of(dest_types.begin(), dest_types.end(), [&](const auto& d) {
        return d.group == t.info.group && d.resource == t.info.resource;
      });
      if (served) continue;
      ObjectList items;
      try {
        items = m_.source.list(t.info, m_.source_ns);
      } catch (const Error& e) {
        if (e.code() != Errc::forbidden) throw;
        continue;
      }
      if (items.items.empty()) continue;
      const bool copied = t.custom && m_.options.sync.copy_crds;
      add(copied ? Severity::Warning : Severity::Error, "served-types", t.info.group_resource(),
          fmt::format("the destination does not serve {} ({} in the source namespace){}",
                      t.info.group_resource(), items.items.size(),
                      copied ? ": its CustomResourceDefinition will be copied" : ""),
          copied ? "none needed"
                 : "install its CustomResourceDefinition in the destination, set copyCRDs, or "
                   "exclude the type (excludeTypes, --exclude-resource-types)");
    }
  }

  void storage_class(const std::string& object, std::string_view requested,
                     const std::set<std::string>& classes, bool has_default) {
    if (requested.empty()) {
      if (!has_default)
        add(Severity::Warning, "storage-class", object,
            "uses the default StorageClass; the destination has none marked default",
            "mark a StorageClass default in the destination, or set storageClassName");
      return;
    }
    const auto& map = m_.options.sync.storage_class_map;
    auto mapped = map.find(std::string(requested));
    const std::string name = mapped == map.end() ? std::string(requested) : mapped->second;
    if (classes.count(name)) return;
    add(Severity::Error, "storage-class", object,
        fmt::format("uses StorageClass {}{}, which the destination does not have", name,
                    mapped == map.end() ? "" : fmt::format(" (mapped from {})", requested)),
        fmt::format("create StorageClass {0} in the destination, or map it to one it has ({1}): "
                    "storageClassMap {{{0}: NEW}}, --storage-class-map {0}=NEW",
                    name, classes.empty() ? "none" : fmt::format("{}", fmt::join(classes, ", "))));
  }

  void storage_classes(const std::vector<Workload>& workloads) {
    auto classes = list(Side::Destination, "storageclasses", "");
    if (!classes) return;
    std::set<std::string> names;
    bool has_default = false;
    for (const auto& sc : classes->items) {
      names.emplace(sc.name());
      has_default |= sc.annotation("storageclass.kubernetes.io/is-default-class") == "true";
    }
    if (auto claims = list(Side::Source, "persistentvolumeclaims", m_.source_ns)) {
      for (const auto& c : claims->items) {
        const auto* sc = c.find("/spec/storageClassName");
        if (sc && sc->IsString() && sc->GetStringLength() == 0) continue;  // no class at all
        storage_class(fmt::format("persistentvolumeclaims/{}", c.name()), json_str(sc), names,
                      has_default);
      }
    }
    for (const auto& w : workloads) {
      const auto* templates = w.obj.find("/spec/volumeClaimTemplates");
      if (!templates || !templates->IsArray()) continue;
      for (const auto& t : templates->GetArray()) {
        const auto* spec = json_get(t, "spec");
        const auto* sc = spec ? json_get(*spec, "storageClassName") : nullptr;
        if (sc && sc->IsString() && sc->GetStringLength() == 0) continue;
        storage_class(workload_key(w), json_str(sc), names, has_default);
      }
    }
  }

  void ingress_classes() {
    auto ingresses = list(Side::Source, "ingresses", m_.source_ns);
    if (!ingresses || ingresses->items.empty()) return;
    const std::set<std::string> classes = names(Side::Destination, "ingressclasses");
    for (const auto& i : ingresses->items) {
      std::string name(json_str(i.find("/spec/ingressClassName")));
      if (name.empty()) name = std::string(i.annotation("kubernetes.io/ingress.class"));
      if (name.empty() || classes.count(name)) continue;
      add(Severity::Warning, "ingress-class",
          fmt::format("ingresses.networking.k8s.io/{}", i.name()),
          fmt::format("uses IngressClass {}, which the destination does not have", name),
          fmt::format("install an ingress controller with IngressClass {} in the destination, or "
                      "rewrite ingressClassName (resourceModifiers)",
                      name));
    }
  }

  void pod_references(const std::vector<Workload>& workloads);
  void pull_secrets(const std::map<std::string, std::vector<std::string>>& users);
  void quotas(const std::vector<Workload>& workloads);
  void webhooks();

  Migration::Impl& m_;
  std::vector<PreflightFinding> out_;
};

void Preflight::pod_references(const std::vector<Workload>& workloads) {
  std::set<std::string> priority, runtime;
  bool listed = false;
  std::map<std::string, std::vector<std::string>> secret_users;  // secret -> who refers to it
  for (const auto& w : workloads) {
    auto refs = detail::pod_refs(w.obj);
    for (const auto& s : refs.pull_secrets) secret_users[s].push_back(workload_key(w));
    if (refs.priority_class.empty() && refs.runtime_class.empty()) continue;
    if (!listed) {
      priority = names(Side::Destination, "priorityclasses");
      runtime = names(Side::Destination, "runtimeclasses");
      listed = true;
    }
    for (auto [name, have, what, check] :
         {std::tuple{refs.priority_class, &priority, "PriorityClass", "priority-class"},
          std::tuple{refs.runtime_class, &runtime, "RuntimeClass", "runtime-class"}}) {
      if (name.empty() || have->count(name)) continue;
      add(Severity::Error, check, workload_key(w),
          fmt::format("uses {} {}, which the destination does not have: its Pods would be "
                      "rejected",
                      what, name),
          fmt::format("create {} {} in the destination", what, name));
    }
  }
  if (auto sas = list(Side::Source, "serviceaccounts", m_.source_ns)) {
    for (const auto& sa : sas->items) {
      const auto* secrets = sa.find("/imagePullSecrets");
      if (!secrets || !secrets->IsArray()) continue;
      for (const auto& s : secrets->GetArray())
        secret_users[std::string(json_str(json_get(s, "name")))].push_back(
            fmt::format("serviceaccounts/{}", sa.name()));
    }
  }
  if (!secret_users.empty()) pull_secrets(secret_users);
}

void Preflight::pull_secrets(const std::map<std::string, std::vector<std::string>>& users) {
  const auto selected = detail::select_types(m_.source.resources(), m_.options.sync);
  const bool secrets_copied = std::any_of(selected.begin(), selected.end(), [](const auto& t) {
    return t.info.group_resource() == "secrets";
  });
  const std::set<std::string> in_source =
      secrets_copied ? names(Side::Source, "secrets", m_.source_ns) : std::set<std::string>{};
  const std::set<std::string> in_dest = names(Side::Destination, "secrets", m_.dest_ns);
  for (const auto& [secret, who] : users) {
    if (in_source.count(secret) || in_dest.count(secret)) continue;
    add(Severity::Warning, "image-pull-secret", fmt::format("secrets/{}", secret),
        fmt::format("imagePullSecret {} (used by {}) is not copied and not in the destination "
                    "namespace: its images may not be pulled there",
                    secret, fmt::join(who, ", ")),
        fmt::format("create Secret {} in the destination namespace{}", secret,
                    secrets_copied ? "" : ", or stop excluding secrets"));
  }
}

void Preflight::quotas(const std::vector<Workload>& workloads) {
  auto quotas = list(Side::Destination, "resourcequotas", m_.dest_ns);
  auto ranges = list(Side::Destination, "limitranges", m_.dest_ns);
  std::vector<detail::WorkloadNeed> needs;
  std::vector<Object> templates;
  for (const auto& w : workloads) {
    templates.push_back(w.obj.clone());
    if (!w.spec->replicas()) continue;
    auto original = m_.ledger.known_original(w.obj);
    Object copy = w.obj.clone();
    const auto* spec = copy.find("/spec/template/spec");
    if (!original || !spec) continue;
    needs.push_back(
        {workload_key(w), std::atoll(original->value.c_str()), detail::pod_demand(*spec)});
  }
  std::vector<detail::ClaimNeed> claims;
  if (quotas && !quotas->items.empty()) {
    if (auto pvcs = list(Side::Source, "persistentvolumeclaims", m_.source_ns)) {
      for (const auto& c : pvcs->items) {
        auto size = detail::parse_quantity(json_str(c.find("/spec/resources/requests/storage")));
        claims.push_back({fmt::format("persistentvolumeclaims/{}", c.name()), size.value_or(0)});
      }
    }
  }
  // A copy of a source quota follows the source; the destination's own ones stay as they are.
  auto foreign = [](const Object& o) { return !o.has_label(kSourceIdLabel); };
  if (quotas) {
    for (const auto& q : quotas->items)
      if (foreign(q)) detail::check_quota(q, needs, claims, out_);
  }
  if (ranges) {
    for (const auto& r : ranges->items)
      if (foreign(r)) detail::check_limit_range(r, templates, out_);
  }
}

void Preflight::webhooks() {
  std::set<std::string> written;
  for (const auto& t : detail::select_types(m_.source.resources(), m_.options.sync))
    written.insert(t.info.group_resource());
  for (const char* kind : {"validatingwebhookconfigurations", "mutatingwebhookconfigurations"}) {
    if (auto configs = list(Side::Destination, kind, "")) {
      for (const auto& c : configs->items) detail::check_webhooks(c, written, out_);
    }
  }
}

}  // namespace

const char* severity_name(Severity s) noexcept {
  return s == Severity::Error ? "error" : s == Severity::Warning ? "warning" : "info";
}

bool PreflightReport::ok() const noexcept {
  return count(Severity::Error) == 0;
}

std::size_t PreflightReport::count(Severity s) const noexcept {
  return static_cast<std::size_t>(
      std::count_if(findings.begin(), findings.end(),
                    [s](const PreflightFinding& f) { return f.severity == s; }));
}

std::vector<std::string> PreflightReport::lines(Severity s) const {
  std::vector<std::string> out;
  for (const auto& f : findings) {
    if (f.severity != s) continue;
    out.push_back(fmt::format("preflight {}: {}: {} (fix: {})", severity_name(s), f.object,
                              f.message, f.fix));
  }
  return out;
}

PreflightReport Migration::preflight() {
  return Preflight(*impl_).run();
}

}  // namespace drsync
