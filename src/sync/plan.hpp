// Internal: the data that flows through a sync — the snapshot the Lister takes of both sides, the
// plan the Planner makes of it, and the problems met on the way — shared by the Lister, Planner,
// Applier and Reporter.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "drsync/cluster.hpp"
#include "drsync/error.hpp"
#include "drsync/sync.hpp"
#include "sync/select.hpp"

namespace drsync::detail {

// One selected type as listed on both sides.
struct TypeListing {
  SelectedType type;
  ObjectList source;
  ObjectList dest;
  bool dest_served = false;  // the destination serves this type
  bool listed = true;        // false: the source may not be listed (skipped with a warning)
};

// The cluster-scoped types a copy depends on, every object listed on both sides (the Planner
// picks the ClusterRoleBindings of the namespace's ServiceAccounts and their ClusterRoles).
struct ClusterListing {
  bool listed = false;   // false: not asked for, or not permitted (reported)
  TypeListing roles;     // clusterroles.rbac.authorization.k8s.io
  TypeListing bindings;  // clusterrolebindings.rbac.authorization.k8s.io
};

// Both sides of one namespace pair, one LIST per type per page.
struct Snapshot {
  std::vector<TypeListing> types;  // in apply order
  ClusterListing cluster;
  // Types that hold objects in the source but are not served by the destination ("x.example.com").
  std::vector<std::string> missing_types() const;
};

// One object's way through plan -> apply -> report.
struct PlannedObject {
  const SelectedType* type = nullptr;
  std::string name;
  Action action = Action::Unchanged;
  std::string message;  // why: skips, conflicts, errors, adoption, recreation
  Errc error = Errc::ok;
  Object desired;
  std::string desired_json;  // a create's desired object as JSON until written (see pack_desired)
  std::optional<Object> live;
  bool merge_only = false;  // merged into the live object, never replaced (default ServiceAccount)
  bool releases = false;    // cluster-scoped: this update only drops the namespace from its users
  std::string diff;         // plan() only

  std::string label() const { return type->info.group_resource() + "/" + name; }
  // A create that waits for its write keeps its desired object as JSON text, about a third of
  // the parsed object's memory; unpack_desired() parses it back for a step that needs the object
  // (an AlreadyExists turned into an update, a plan's diff).
  void pack_desired() {
    desired_json = desired.to_json();
    desired = Object();
  }
  void unpack_desired() {
    if (desired_json.empty()) return;
    desired = Object::parse(desired_json);
    desired_json = std::string();
  }
  bool is_write() const noexcept {
    return action == Action::Create || action == Action::Update || action == Action::Prune;
  }
};

// Errors and warnings in the order they were met; the first error's code is the sync's cause.
struct Problems {
  std::vector<std::string> errors;
  std::vector<std::string> warnings;
  std::vector<std::string> not_copied;
  Errc first_error = Errc::ok;

  void error(Errc code, std::string message) {
    if (errors.empty()) first_error = code;
    errors.push_back(std::move(message));
  }
  void warn(std::string message) { warnings.push_back(std::move(message)); }
  // Something the copy could not include (reported, not an error).
  void not_copy(std::string message) {
    warnings.push_back(message);
    not_copied.push_back(std::move(message));
  }
};

struct Plan {
  std::vector<PlannedObject> objects;
  bool any(Action a) const;
};

}  // namespace drsync::detail
