#include "sync/lister.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <future>
#include <optional>

#include "sync/cluster_deps.hpp"

namespace drsync::detail {
namespace {

std::optional<ResourceInfo> rbac_type(const Cluster& c, std::string_view resource) {
  for (const auto& r : c.resources()) {
    if (r.group == "rbac.authorization.k8s.io" && r.resource == resource) return r;
  }
  return std::nullopt;
}

// Every LIST of a sync: pages of 500, without the managedFields nobody reads.
ListOptions sync_list_options() {
  ListOptions o;
  o.without_managed_fields = true;
  return o;
}

bool serves(const std::vector<ResourceInfo>& served, const ResourceInfo& r) {
  return std::any_of(served.begin(), served.end(), [&](const ResourceInfo& d) {
    return d.group == r.group && d.resource == r.resource;
  });
}

}  // namespace

std::vector<std::string> Snapshot::missing_types() const {
  std::vector<std::string> out;
  for (const auto& t : types) {
    if (t.listed && !t.dest_served && !t.source.items.empty()) {
      out.push_back(t.type.info.group_resource());
    }
  }
  return out;
}

Lister::Lister(Cluster source, std::string source_ns, Cluster dest, std::string dest_ns)
    : source_(std::move(source)),
      source_ns_(std::move(source_ns)),
      dest_(std::move(dest)),
      dest_ns_(std::move(dest_ns)) {}

Snapshot Lister::select(const SyncOptions& options) const {
  Snapshot snap;
  const std::vector<ResourceInfo> dest_types = dest_.resources();
  for (auto& type : select_types(source_.resources(), options)) {
    bool served = serves(dest_types, type.info);
    snap.types.push_back(TypeListing{std::move(type), {}, {}, served, true});
  }
  return snap;
}

bool Lister::dest_namespace_missing() const {
  const ResourceInfo namespaces{"", "v1", "namespaces", "Namespace", false, {}, {}, {}, {}};
  try {
    return !dest_.try_get(namespaces, "", dest_ns_).has_value();
  } catch (const Error&) {
    return false;  // forbidden, or the LISTs will say what is wrong
  }
}

void Lister::list(Snapshot& snap, const SyncOptions& options, Problems& problems,
                  bool dest_namespace_exists) const {
  ListOptions source_options = sync_list_options();
  source_options.label_selector = options.label_selector;
  auto absent = [&](const ResourceInfo& r) {
    return options.absent_source_types && options.absent_source_types->count(r.group_resource());
  };
  std::vector<std::future<ObjectList>> source_lists, dest_lists;
  for (const auto& t : snap.types) {
    const ResourceInfo& r = t.type.info;
    source_lists.push_back(absent(r) ? std::future<ObjectList>()
                                     : std::async(std::launch::async, [this, r, source_options] {
                                         return source_.list(r, source_ns_, source_options);
                                       }));
  }
  // Asked while the source's LISTs are in flight.
  const bool dest_empty = !dest_namespace_exists && dest_namespace_missing();
  for (const auto& t : snap.types) {
    const ResourceInfo& r = t.type.info;
    const bool list_dest = t.dest_served && !dest_empty && (!absent(r) || options.prune);
    dest_lists.push_back(
        list_dest ? std::async(std::launch::async,
                               [this, r] { return dest_.list(r, dest_ns_, sync_list_options()); })
                  : std::future<ObjectList>());
  }
  for (size_t i = 0; i < snap.types.size(); ++i) {
    TypeListing& t = snap.types[i];
    try {
      if (source_lists[i].valid()) t.source = source_lists[i].get();
    } catch (const Error& e) {
      if (e.code() != Errc::forbidden || !t.type.custom) throw;
      t.listed = false;
      problems.warn(fmt::format("not permitted to list {}: skipped", t.type.info.group_resource()));
    }
    if (dest_lists[i].valid()) t.dest = dest_lists[i].get();
  }
}

void Lister::list_cluster(Snapshot& snap, const SyncOptions& options, Problems& problems) const {
  if (!options.cluster_resources) return;
  auto roles = rbac_type(source_, "clusterroles");
  auto bindings = rbac_type(source_, "clusterrolebindings");
  if (!roles || !bindings) return;
  ClusterListing& c = snap.cluster;
  // ClusterRoles before the bindings that refer to them; both before the namespace's workloads.
  c.roles.type = SelectedType{*roles, 2, false};
  c.bindings.type = SelectedType{*bindings, 3, false};
  const char* side = "source";
  const ListOptions all = sync_list_options();
  try {
    c.bindings.source = source_.list(*bindings, "", all);
    bool any =
        std::any_of(c.bindings.source.items.begin(), c.bindings.source.items.end(),
                    [&](const Object& b) { return binds_service_account_of(b, source_ns_); });
    if (!any && !options.prune) return;
    auto source_roles =
        std::async(std::launch::async, [&] { return source_.list(*roles, "", all); });
    auto dest_roles = std::async(std::launch::async, [&] { return dest_.list(*roles, "", all); });
    auto dest_bindings =
        std::async(std::launch::async, [&] { return dest_.list(*bindings, "", all); });
    c.roles.source = source_roles.get();
    side = "destination";
    c.roles.dest = dest_roles.get();
    c.bindings.dest = dest_bindings.get();
  } catch (const Error& e) {
    if (e.code() != Errc::forbidden) throw;
    problems.not_copy(fmt::format(
        "cluster-scoped dependencies of {} (ClusterRoleBindings of its ServiceAccounts, their "
        "ClusterRoles): not permitted in the {} cluster, not copied — grant the cluster-level "
        "rules of docs/rbac.md, or exclude them (--exclude-cluster-resources): {}",
        source_ns_, side, e.what()));
    return;
  }
  c.roles.dest_served = c.bindings.dest_served = true;
  c.listed = true;
}

void Lister::list_newly_served(Snapshot& snapshot) const {
  const std::vector<ResourceInfo> dest_types = dest_.resources(true);
  for (auto& t : snapshot.types) {
    if (t.dest_served || !serves(dest_types, t.type.info)) continue;
    t.dest_served = true;
    t.dest = dest_.list(t.type.info, dest_ns_, sync_list_options());
  }
}

}  // namespace drsync::detail
