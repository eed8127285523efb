// Kubernetes strategic merge patch for built-in types, with the patch merge keys of the common
// types hard-coded (there is no OpenAPI schema at hand). Maps merge; lists with a merge key merge
// element by element; other lists are replaced. Directives: `$patch: replace|delete|merge`
// (in maps and list elements) and `$deleteFromPrimitiveList/<key>`; `$setElementOrder/<key>`
// and `$retainKeys` are ignored (docs/transforms.md).
#include <fmt/format.h>

#include <string_view>

#include "drsync/error.hpp"
#include "drsync/transform.hpp"
#include "transform/json_util.hpp"

namespace drsync {
namespace {

using rapidjson::Value;

// The types whose fields have a patch strategy, plus the path down to them.
enum class Type {
  other,
  root_pod,
  root_workload,
  root_cronjob,
  root_service,
  root_pod_template,
  root_other,
  object_meta,
  pod_template_spec,
  pod_spec,
  container,
  workload_spec,
  cronjob_spec,
  job_template_spec,
  service_spec
};

struct ListStrategy {
  std::string_view merge_key;  // empty: replace the whole list (Kubernetes' default)
  Type element = Type::other;
  bool primitive_merge = false;  // a set of scalars (metadata.finalizers)
};

Type root_type(std::string_view kind) {
  if (kind == "Pod") return Type::root_pod;
  if (kind == "Deployment" || kind == "StatefulSet" || kind == "DaemonSet" ||
      kind == "ReplicaSet" || kind == "Job" || kind == "ReplicationController") {
    return Type::root_workload;
  }
  if (kind == "CronJob") return Type::root_cronjob;
  if (kind == "Service") return Type::root_service;
  if (kind == "PodTemplate") return Type::root_pod_template;
  return Type::root_other;
}

Type child_type(Type t, std::string_view key) {
  switch (t) {
    case Type::root_pod:
    case Type::root_workload:
    case Type::root_cronjob:
    case Type::root_service:
    case Type::root_pod_template:
    case Type::root_other:
      if (key == "metadata") return Type::object_meta;
      if (key == "spec") {
        if (t == Type::root_pod) return Type::pod_spec;
        if (t == Type::root_workload) return Type::workload_spec;
        if (t == Type::root_cronjob) return Type::cronjob_spec;
        if (t == Type::root_service) return Type::service_spec;
      }
      if (key == "template" && t == Type::root_pod_template) return Type::pod_template_spec;
      return Type::other;
    case Type::workload_spec:
      return key == "template" ? Type::pod_template_spec : Type::other;
    case Type::cronjob_spec:
      return key == "jobTemplate" ? Type::job_template_spec : Type::other;
    case Type::job_template_spec:
      if (key == "metadata") return Type::object_meta;
      return key == "spec" ? Type::workload_spec : Type::other;
    case Type::pod_template_spec:
      if (key == "metadata") return Type::object_meta;
      return key == "spec" ? Type::pod_spec : Type::other;
    default:
      return Type::other;
  }
}

ListStrategy list_strategy(Type t, std::string_view key) {
  switch (t) {
    case Type::pod_spec:
      if (key == "containers" || key == "initContainers" || key == "ephemeralContainers") {
        return {"name", Type::container};
      }
      if (key == "volumes" || key == "imagePullSecrets" || key == "resourceClaims" ||
          key == "schedulingGates") {
        return {"name"};
      }
      if (key == "hostAliases") return {"ip"};
      if (key == "topologySpreadConstraints") return {"topologyKey"};
      return {};  // tolerations and the rest: replaced
    case Type::container:
      if (key == "ports") return {"containerPort"};
      if (key == "env") return {"name"};
      if (key == "volumeMounts") return {"mountPath"};
      if (key == "volumeDevices") return {"devicePath"};
      return {};
    case Type::service_spec:
      return key == "ports" ? ListStrategy{"port"} : ListStrategy{};
    case Type::object_meta:
      if (key == "finalizers") return {{}, Type::other, true};
      if (key == "ownerReferences") return {"uid"};
      return {};
    default:
      return {};
  }
}

constexpr std::string_view kPatch = "$patch";
constexpr std::string_view kDeleteFromPrimitive = "$deleteFromPrimitiveList/";
constexpr std::string_view kSetElementOrder = "$setElementOrder/";
constexpr std::string_view kRetainKeys = "$retainKeys";

[[noreturn]] void bad(const std::string& what) {
  throw Error(Errc::invalid_argument, fmt::format("strategic merge patch: {}", what));
}

std::string_view directive(const Value& map) {
  const Value* d = json_get(map, kPatch);
  if (!d) return {};
  if (!d->IsString()) bad("$patch must be a string");
  const std::string_view s = json_str(d);
  if (s != "replace" && s != "delete" && s != "merge") bad(fmt::format("unknown $patch: {}", s));
  return s;
}

bool is_directive_key(std::string_view k) {
  return k == kPatch || k == kRetainKeys ||
         k.substr(0, kSetElementOrder.size()) == kSetElementOrder ||
         k.substr(0, kDeleteFromPrimitive.size()) == kDeleteFromPrimitive;
}

class Merger {
 public:
  explicit Merger(Object::Allocator& a) : a_(a) {}

  // Merges `patch` into the map `target`; false when the patch deletes the map itself.
  bool merge_map(Value& target, const Value& patch, Type t) {
    const std::string_view d = directive(patch);
    if (d == "delete") return false;
    if (!target.IsObject() || d == "replace") target.SetObject();
    for (const auto& m : patch.GetObject()) {  // deletions first: they act on the original list
      const std::string_view k = detail::name_of(m.name);
      if (k.substr(0, kDeleteFromPrimitive.size()) != kDeleteFromPrimitive) continue;
      if (!m.value.IsArray()) bad(fmt::format("{} must be a list", k));
      Value* list = detail::array_member(target, k.substr(kDeleteFromPrimitive.size()));
      if (!list) continue;
      for (const auto& gone : m.value.GetArray()) {
        for (rapidjson::SizeType i = list->Size(); i-- > 0;) {
          if ((*list)[i] == gone) list->Erase(list->Begin() + i);
        }
      }
    }
    for (const auto& m : patch.GetObject()) {
      const std::string_view k = detail::name_of(m.name);
      if (is_directive_key(k)) continue;
      auto it = target.FindMember(m.name);
      if (m.value.IsNull()) {
        if (it != target.MemberEnd()) target.EraseMember(it);
        continue;
      }
      if (it == target.MemberEnd()) {
        Value fresh;
        if (!merge_value(fresh, m.value, t, k)) continue;
        target.AddMember(Value(m.name, a_), std::move(fresh), a_);
      } else if (!merge_value(it->value, m.value, t, k)) {
        target.EraseMember(it);
      }
    }
    return true;
  }

 private:
  // Merges the patch value of field `key` of a `parent` map; false when it deletes the field.
  bool merge_value(Value& target, const Value& patch, Type parent, std::string_view key) {
    if (patch.IsObject()) return merge_map(target, patch, child_type(parent, key));
    if (patch.IsArray()) {
      const ListStrategy s = list_strategy(parent, key);
      if (!s.merge_key.empty()) {
        merge_keyed_list(target, patch, s);
      } else if (s.primitive_merge && target.IsArray()) {
        for (const auto& v : patch.GetArray()) {
          bool present = false;
          for (const auto& have : target.GetArray()) present = present || have == v;
          if (!present) target.PushBack(Value(v, a_), a_);
        }
      } else {
        target.CopyFrom(patch, a_);
      }
      return true;
    }
    target.CopyFrom(patch, a_);
    return true;
  }

  void merge_keyed_list(Value& target, const Value& patch, const ListStrategy& s) {
    for (const auto& p : patch.GetArray()) {
      if (p.IsObject() && directive(p) == "replace") {  // {$patch: replace} replaces the list
        target.SetArray();
        for (const auto& q : patch.GetArray()) {
          if (q.IsObject() && directive(q) == "replace") continue;
          append(target, q, s);
        }
        return;
      }
    }
    if (!target.IsArray()) target.SetArray();
    for (const auto& p : patch.GetArray()) {
      if (!p.IsObject())
        bad(fmt::format("list element is not a map (merge key \"{}\")", s.merge_key));
      const Value* key = json_get(p, s.merge_key);
      if (!key) bad(fmt::format("list element has no merge key \"{}\"", s.merge_key));
      Value* match = nullptr;
      rapidjson::SizeType at = 0;
      for (rapidjson::SizeType i = 0; i < target.Size() && !match; ++i) {
        const Value* k = json_get(target[i], s.merge_key);
        if (k && *k == *key) match = &target[i], at = i;
      }
      if (directive(p) == "delete") {
        if (match) target.Erase(target.Begin() + at);
      } else if (match) {
        merge_map(*match, p, s.element);
      } else {
        append(target, p, s);
      }
    }
  }

  void append(Value& list, const Value& element, const ListStrategy& s) {
    Value fresh;
    if (element.IsObject()) {
      if (!merge_map(fresh, element, s.element)) return;
    } else {
      fresh.CopyFrom(element, a_);
    }
    list.PushBack(std::move(fresh), a_);
  }

  Object::Allocator& a_;
};

}  // namespace

void apply_strategic_merge_patch(rapidjson::Value& target, const rapidjson::Value& patch,
                                 std::string_view kind, Object::Allocator& a) {
  if (!patch.IsObject()) bad("the patch must be a map");
  // Merge into a scratch copy so that a malformed patch leaves the target untouched.
  rapidjson::Document scratch;
  scratch.CopyFrom(target, scratch.GetAllocator());
  Merger m(scratch.GetAllocator());
  if (!m.merge_map(scratch, patch, root_type(kind))) scratch.SetObject();
  target.CopyFrom(scratch, a);
}

}  // namespace drsync
