// "remap-namespace": moves a namespaced object into the destination namespace, and rewrites the
// references inside it that Kubernetes resolves by namespace name and that point at the source
// namespace itself (so the copy refers to its own namespace, as the original did).
// docs/transforms.md lists what is and is not rewritten.
#include "drsync/transform.hpp"
#include "transform/json_util.hpp"
#include "transform/pod_spec.hpp"

namespace drsync {
namespace {

constexpr std::string_view kNameLabel = "kubernetes.io/metadata.name";

struct Remap {
  std::string_view from;
  std::string_view to;
  Object::Allocator& a;

  // A string member naming the source namespace.
  void field(rapidjson::Value* obj, std::string_view key) const {
    if (!obj || !obj->IsObject()) return;
    rapidjson::Value* v = detail::member(*obj, key);
    if (v && v->IsString() && detail::name_of(*v) == from) {
      v->SetString(to.data(), static_cast<rapidjson::SizeType>(to.size()), a);
    }
  }

  // Every string of a list naming the source namespace.
  void list(rapidjson::Value* arr) const {
    if (!arr || !arr->IsArray()) return;
    for (auto& v : arr->GetArray()) {
      if (v.IsString() && detail::name_of(v) == from) {
        v.SetString(to.data(), static_cast<rapidjson::SizeType>(to.size()), a);
      }
    }
  }

  // A namespaceSelector that selects the source namespace by its automatic name label.
  void namespace_selector(rapidjson::Value* sel) const {
    if (!sel || !sel->IsObject()) return;
    field(detail::object_member(*sel, "matchLabels"), kNameLabel);
    rapidjson::Value* exprs = detail::array_member(*sel, "matchExpressions");
    if (!exprs) return;
    for (auto& e : exprs->GetArray()) {
      if (json_str(detail::member(e, "key")) == kNameLabel) list(detail::member(e, "values"));
    }
  }

  // Pod (anti-)affinity terms: `namespaces` and `namespaceSelector`.
  void affinity_term(rapidjson::Value& term) const {
    if (!term.IsObject()) return;
    list(detail::member(term, "namespaces"));
    namespace_selector(detail::member(term, "namespaceSelector"));
  }

  void affinity(rapidjson::Value* pod_spec) const {
    rapidjson::Value* aff = pod_spec ? detail::object_member(*pod_spec, "affinity") : nullptr;
    if (!aff) return;
    for (std::string_view kind : {"podAffinity", "podAntiAffinity"}) {
      rapidjson::Value* a = detail::object_member(*aff, kind);
      if (!a) continue;
      if (auto* req = detail::array_member(*a, "requiredDuringSchedulingIgnoredDuringExecution")) {
        for (auto& t : req->GetArray()) affinity_term(t);
      }
      if (auto* pref =
              detail::array_member(*a, "preferredDuringSchedulingIgnoredDuringExecution")) {
        for (auto& w : pref->GetArray()) {
          if (auto* t = detail::object_member(w, "podAffinityTerm")) affinity_term(*t);
        }
      }
    }
  }

  // RoleBinding: ServiceAccount subjects of the source namespace.
  void role_binding(rapidjson::Value& root) const {
    rapidjson::Value* subjects = detail::array_member(root, "subjects");
    if (!subjects) return;
    for (auto& s : subjects->GetArray()) {
      if (json_str(detail::member(s, "kind")) == "ServiceAccount") field(&s, "namespace");
    }
  }

  // NetworkPolicy: ingress `from` / egress `to` peers selecting the namespace by name.
  void network_policy(rapidjson::Value& root) const {
    rapidjson::Value* spec = detail::object_member(root, "spec");
    if (!spec) return;
    for (auto [dir, peers] : {std::pair{"ingress", "from"}, std::pair{"egress", "to"}}) {
      rapidjson::Value* rules = detail::array_member(*spec, dir);
      if (!rules) continue;
      for (auto& r : rules->GetArray()) {
        rapidjson::Value* list = detail::array_member(r, peers);
        if (!list) continue;
        for (auto& p : list->GetArray()) namespace_selector(detail::member(p, "namespaceSelector"));
      }
    }
  }

  // Endpoints / EndpointSlice written by hand for selector-less Services: targetRef.namespace.
  void endpoints(rapidjson::Value& root, bool slice) const {
    if (slice) {
      if (auto* eps = detail::array_member(root, "endpoints")) {
        for (auto& e : eps->GetArray()) field(detail::member(e, "targetRef"), "namespace");
      }
      return;
    }
    rapidjson::Value* subsets = detail::array_member(root, "subsets");
    if (!subsets) return;
    for (auto& s : subsets->GetArray()) {
      for (std::string_view key : {"addresses", "notReadyAddresses"}) {
        if (auto* addrs = detail::array_member(s, key)) {
          for (auto& ad : addrs->GetArray()) field(detail::member(ad, "targetRef"), "namespace");
        }
      }
    }
  }

  // Gateway API routes: parentRefs[] and rules[].backendRefs[] with an explicit namespace.
  void gateway_route(rapidjson::Value& root) const {
    rapidjson::Value* spec = detail::object_member(root, "spec");
    if (!spec) return;
    if (auto* parents = detail::array_member(*spec, "parentRefs")) {
      for (auto& p : parents->GetArray()) field(&p, "namespace");
    }
    rapidjson::Value* rules = detail::array_member(*spec, "rules");
    if (!rules) return;
    for (auto& r : rules->GetArray()) {
      if (auto* backends = detail::array_member(r, "backendRefs")) {
        for (auto& b : backends->GetArray()) field(&b, "namespace");
      }
    }
  }
};

class RemapNamespace final : public Transform {
 public:
  std::string_view name() const noexcept override { return "remap-namespace"; }

  void apply(Object& obj, const TransformContext& ctx) const override {
    if (ctx.dest_namespace.empty() || !obj.json().IsObject()) return;
    // Cluster-scoped objects carry no namespace and are left alone.
    if (ctx.source_namespace.empty() && obj.namespace_().empty()) return;
    obj.set_namespace(ctx.dest_namespace);
    if (ctx.source_namespace.empty() || ctx.source_namespace == ctx.dest_namespace) return;

    const Remap r{ctx.source_namespace, ctx.dest_namespace, obj.allocator()};
    rapidjson::Value& root = obj.json();
    const std::string_view kind = obj.kind();
    const std::string_view group = obj.group();
    if (kind == "RoleBinding" && group == "rbac.authorization.k8s.io") {
      r.role_binding(root);
    } else if (kind == "NetworkPolicy" && group == "networking.k8s.io") {
      r.network_policy(root);
    } else if (kind == "PersistentVolumeClaim" && group.empty()) {
      rapidjson::Value* spec = detail::object_member(root, "spec");
      r.field(spec ? detail::member(*spec, "dataSourceRef") : nullptr, "namespace");
    } else if (kind == "Endpoints" && group.empty()) {
      r.endpoints(root, false);
    } else if (kind == "EndpointSlice" && group == "discovery.k8s.io") {
      r.endpoints(root, true);
    } else if (group == "gateway.networking.k8s.io" && kind.size() > 5 &&
               kind.substr(kind.size() - 5) == "Route") {
      r.gateway_route(root);
    } else {
      r.affinity(detail::pod_spec(root, kind));
    }
  }
};

}  // namespace

std::shared_ptr<const Transform> remap_namespace() {
  static const auto t = std::make_shared<const RemapNamespace>();
  return t;
}

}  // namespace drsync
