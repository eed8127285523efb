#include "sync/cluster_deps.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <map>
#include <sstream>

#include "core/ids.hpp"
#include "drsync/sync.hpp"
#include "sync/select.hpp"

namespace drsync::detail {
namespace {

constexpr std::size_t kMaxNameLength = 253;

std::string join_users(const std::set<std::string>& users) {
  return fmt::format("{}", fmt::join(users, ","));
}

std::map<std::string_view, const Object*> by_name(const ObjectList& list) {
  std::map<std::string_view, const Object*> out;
  for (const auto& o : list.items) out[o.name()] = &o;
  return out;
}

// Planning state: the objects chosen so far, by destination name.
class ClusterPlanner {
 public:
  ClusterPlanner(const ClusterListing& l, const ClusterPlanInput& in, Problems& problems)
      : l_(l), in_(in), problems_(problems) {
    source_roles_ = by_name(l.roles.source);
    live_roles_ = by_name(l.roles.dest);
    live_bindings_ = by_name(l.bindings.dest);
  }

  void plan(Plan& plan) {
    for (const auto& b : l_.bindings.source.items) {
      if (!binds_service_account_of(b, in_.source_ns)) continue;
      if (std::string why = skip_reason(b, SkipContext{}); !why.empty()) {
        PlannedObject p = planned(l_.bindings, std::string(b.name()));
        p.action = Action::Skip;
        p.message = std::move(why);
        bindings_.push_back(std::move(p));
        continue;
      }
      plan_binding(b);
    }
    for (auto& [name, p] : roles_) plan.objects.push_back(std::move(p));
    for (auto& p : bindings_) plan.objects.push_back(std::move(p));
    if (!in_.prune) return;
    release_unused(l_.roles, plan);
    release_unused(l_.bindings, plan);
  }

 private:
  PlannedObject planned(const TypeListing& t, std::string name) const {
    PlannedObject p;
    p.type = &t.type;
    p.name = std::move(name);
    return p;
  }

  // The copy of `source` under `name`: server fields gone, the original named when renamed,
  // managed by drsync, hashed (the users are not part of the hash: they change without the
  // content changing).
  Object desired(const Object& source, const std::string& name, const TypeListing& t) const {
    Object d = source.clone();
    strip_server_fields()->apply(d, TransformContext{});
    std::string original = std::string(source.annotation(kOriginalNameAnnotation));
    std::string original_ns = std::string(source.annotation(kOriginalNamespaceAnnotation));
    if (original.empty()) original = std::string(source.name());
    if (original_ns.empty()) original_ns = in_.source_ns;
    for (const char* key : {kOriginalNameAnnotation, kOriginalNamespaceAnnotation,
                            kUsedByAnnotation, kContentHashAnnotation, kSourceAnnotation}) {
      d.remove_annotation(key);
    }
    d.remove_label(kSourceIdLabel);
    d.set_name(name);
    if (name != original) {
      d.set_annotation(kOriginalNameAnnotation, original);
      d.set_annotation(kOriginalNamespaceAnnotation, original_ns);
    }
    if (in_.modifiers) in_.modifiers->apply(d, t.type.info.group_resource(), in_.source_ns);
    d.set_label(kManagedByLabel, kManagedByValue);
    d.set_annotation(kContentHashAnnotation, content_hash(d.json()));
    return d;
  }

  // Create, update or leave the copy, against what the destination has under its name.
  void classify(PlannedObject& p, const Object* live) {
    if (live == nullptr) {
      set_used_by(p.desired, nullptr, in_.dest_ns, true);
      p.action = Action::Create;
      return;
    }
    if (!is_managed(*live)) {
      p.action = Action::Skip;
      p.message = "exists in the destination and was not created by drsync: left as it is";
      problems_.warn(fmt::format("{}: {}", p.label(), p.message));
      return;
    }
    p.live = live->clone();
    set_used_by(p.desired, live, in_.dest_ns, true);
    const bool same =
        live->annotation(kContentHashAnnotation) == p.desired.annotation(kContentHashAnnotation);
    p.action = same && used_by(*live).count(in_.dest_ns) ? Action::Unchanged : Action::Update;
  }

  // The ClusterRole a binding refers to: its copy's name, or its own when it is not copied (a
  // bootstrap role every cluster has, or one the source does not have).
  std::string plan_role(const Object& binding) {
    std::string ref(json_str(binding.find("/roleRef/name")));
    if (json_str(binding.find("/roleRef/kind")) != "ClusterRole") return ref;
    auto it = source_roles_.find(ref);
    if (it == source_roles_.end()) {
      problems_.warn(fmt::format(
          "clusterrolebindings.rbac.authorization.k8s.io/{}: ClusterRole {} is not in the source "
          "cluster: the binding is copied, the role is not",
          binding.name(), ref));
      return ref;
    }
    if (is_bootstrap_role(*it->second)) return ref;
    std::string name = cluster_copy_name(*it->second, in_.source_ns, in_.dest_ns);
    if (!roles_.count(name)) {
      PlannedObject p = planned(l_.roles, name);
      p.desired = desired(*it->second, name, l_.roles);
      auto live = live_roles_.find(name);
      classify(p, live == live_roles_.end() ? nullptr : live->second);
      roles_.emplace(name, std::move(p));
    }
    return name;
  }

  void plan_binding(const Object& b) {
    const std::string role = plan_role(b);
    const std::string name = cluster_copy_name(b, in_.source_ns, in_.dest_ns);
    PlannedObject p = planned(l_.bindings, name);
    Object source = b.clone();
    rewrite_subjects(source, in_.source_ns, in_.dest_ns);
    if (rapidjson::Value* ref = source.find("/roleRef/name"))
      ref->SetString(role.c_str(), static_cast<rapidjson::SizeType>(role.size()),
                     source.allocator());
    p.desired = desired(source, name, l_.bindings);
    auto live = live_bindings_.find(name);
    classify(p, live == live_bindings_.end() ? nullptr : live->second);
    wanted_.insert(name);
    bindings_.push_back(std::move(p));
  }

  // Copies this namespace used and no longer does: released (deleted when no user is left).
  void release_unused(const TypeListing& t, Plan& plan) const {
    const bool roles = &t == &l_.roles;
    for (const auto& live : t.dest.items) {
      const std::string name(live.name());
      if (!is_managed(live) || !used_by(live).count(in_.dest_ns)) continue;
      if (roles ? roles_.count(name) > 0 : wanted_.count(name) > 0) continue;
      PlannedObject p = planned(t, name);
      p.live = live.clone();
      std::set<std::string> users = used_by(live);
      users.erase(in_.dest_ns);
      if (users.empty()) {
        p.action = Action::Prune;
      } else {
        p.desired = live.clone();
        strip_server_fields()->apply(p.desired, TransformContext{});
        set_used_by(p.desired, &live, in_.dest_ns, false);
        p.action = Action::Update;
        p.releases = true;
        p.message =
            fmt::format("no longer used by {}; kept for {}", in_.dest_ns, join_users(users));
      }
      plan.objects.push_back(std::move(p));
    }
  }

  const ClusterListing& l_;
  const ClusterPlanInput& in_;
  Problems& problems_;
  std::map<std::string_view, const Object*> source_roles_, live_roles_, live_bindings_;
  std::map<std::string, PlannedObject> roles_;
  std::vector<PlannedObject> bindings_;
  std::set<std::string> wanted_;
};

}  // namespace

bool binds_service_account_of(const Object& binding, std::string_view ns) {
  const rapidjson::Value* subjects = binding.find("/subjects");
  if (!subjects || !subjects->IsArray()) return false;
  for (const auto& s : subjects->GetArray()) {
    if (json_str(json_get(s, "kind")) == "ServiceAccount" &&
        json_str(json_get(s, "namespace")) == ns)
      return true;
  }
  return false;
}

bool is_bootstrap_role(const Object& role) {
  return role.name().rfind("system:", 0) == 0 ||
         role.label("kubernetes.io/bootstrapping") == "rbac-defaults";
}

std::string cluster_copy_name(const Object& original, std::string_view source_ns,
                              std::string_view dest_ns) {
  std::string name(original.annotation(kOriginalNameAnnotation));
  std::string ns(original.annotation(kOriginalNamespaceAnnotation));
  if (name.empty()) name = std::string(original.name());
  if (ns.empty()) ns = std::string(source_ns);
  if (ns == dest_ns) return name;
  std::string copy = fmt::format("{}-{}", name, dest_ns);
  if (copy.size() <= kMaxNameLength) return copy;
  // Too long for a name: a prefix and a hash of the whole keep it distinct.
  std::string hash = fnv1a_hex(copy);
  return fmt::format("{}-{}", copy.substr(0, kMaxNameLength - hash.size() - 1), hash);
}

void rewrite_subjects(Object& binding, std::string_view from, std::string_view to) {
  rapidjson::Value* subjects = binding.find("/subjects");
  if (!subjects || !subjects->IsArray() || from == to) return;
  for (auto& s : subjects->GetArray()) {
    if (json_str(json_get(s, "kind")) != "ServiceAccount") continue;
    auto ns = s.FindMember("namespace");
    if (ns == s.MemberEnd() || json_str(&ns->value) != from) continue;
    ns->value.SetString(to.data(), static_cast<rapidjson::SizeType>(to.size()),
                        binding.allocator());
  }
}

std::set<std::string> used_by(const Object& obj) {
  std::set<std::string> out;
  std::stringstream ss{std::string(obj.annotation(kUsedByAnnotation))};
  for (std::string ns; std::getline(ss, ns, ',');) {
    if (!ns.empty()) out.insert(ns);
  }
  return out;
}

void set_used_by(Object& desired, const Object* live, std::string_view ns, bool use) {
  std::set<std::string> users = live ? used_by(*live) : std::set<std::string>{};
  if (use) {
    users.insert(std::string(ns));
  } else {
    users.erase(std::string(ns));
  }
  desired.set_annotation(kUsedByAnnotation, join_users(users));
}

bool is_managed(const Object& obj) {
  return obj.label(kManagedByLabel) == kManagedByValue;
}

void plan_cluster_objects(const ClusterListing& listing, const ClusterPlanInput& input, Plan& plan,
                          Problems& problems) {
  if (!listing.listed) return;
  ClusterPlanner(listing, input, problems).plan(plan);
}

}  // namespace drsync::detail
