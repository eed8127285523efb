// Internal: the cluster-scoped objects a namespace depends on — the ClusterRoleBindings whose
// subjects include a ServiceAccount of the source namespace and the ClusterRoles they reference.
// Pure: which objects, their names and contents in the destination, and what to do with each
// (create / update / unchanged / skip / prune), from a ClusterListing. No request is sent.
//
// A cluster-scoped copy is never drsync's alone: it carries the managed-by label and the
// destination namespaces that use it (kUsedByAnnotation). An object drsync did not create is
// never written; a prune drops the namespace from the users and deletes only when none is left.
#pragma once

#include <set>
#include <string>
#include <string_view>

#include "drsync/object.hpp"
#include "drsync/transform.hpp"
#include "sync/plan.hpp"

namespace drsync::detail {

// Whether `binding` (a ClusterRoleBinding) has a ServiceAccount subject in namespace `ns`.
bool binds_service_account_of(const Object& binding, std::string_view ns);
// A ClusterRole every cluster has (the API server's own: "system:*", label
// kubernetes.io/bootstrapping=rbac-defaults such as view, edit, admin): referenced, never copied.
bool is_bootstrap_role(const Object& role);
// The name of the copy of `original` (a cluster-scoped object of namespace `source_ns`) for
// namespace `dest_ns`: the original's own name when the namespace keeps its name, else
// "<name>-<dest_ns>" (so copies for two namespaces never collide). A copy's original is read from
// its kOriginalNameAnnotation / kOriginalNamespaceAnnotation, so copying back gives the original
// name again.
std::string cluster_copy_name(const Object& original, std::string_view source_ns,
                              std::string_view dest_ns);
// ServiceAccount subjects in namespace `from` move to `to`; every other subject stays.
void rewrite_subjects(Object& binding, std::string_view from, std::string_view to);
// The destination namespaces recorded as users of a cluster-scoped copy.
std::set<std::string> used_by(const Object& obj);
// Sets `desired`'s users: those of `live` (if any) with `ns` added (`use`) or removed.
void set_used_by(Object& desired, const Object* live, std::string_view ns, bool use);
// Created by drsync (its managed-by label).
bool is_managed(const Object& obj);

struct ClusterPlanInput {
  std::string source_ns;
  std::string dest_ns;
  bool prune = false;
  const ResourceModifiers* modifiers = nullptr;
};

// Appends the cluster-scoped objects of `listing` to `plan` (nothing when it was not listed).
void plan_cluster_objects(const ClusterListing& listing, const ClusterPlanInput& input, Plan& plan,
                          Problems& problems);

}  // namespace drsync::detail
