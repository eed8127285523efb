#include "drsync/sync.hpp"

#include <rapidjson/pointer.h>

#include <algorithm>
#include <future>
#include <map>
#include <set>
#include <thread>

#include "drsync/error.hpp"
#include "rest/status_error.hpp"
#include "sync/diff.hpp"
#include "sync/select.hpp"

namespace drsync {

using detail::SelectedType;
using Clock = std::chrono::steady_clock;

namespace {

// One object's way through transform -> diff -> apply.
struct Planned {
  const SelectedType* type = nullptr;
  Object desired;
  std::optional<Object> live;
  Action action = Action::Unchanged;
  std::string message;
  bool merge_only = false;  // the default ServiceAccount: merged, never replaced
  std::string name;
  std::string diff_holder;  // plan only
};

std::string short_sha(std::string_view text) {
  // FNV-1a 64 is enough to tell sources apart in a label value; not a security boundary.
  std::uint64_t h = 1469598103934665603ULL;
  for (unsigned char c : text) {
    h ^= c;
    h *= 1099511628211ULL;
  }
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
  return buf;
}

bool is_immutable_rejection(const Error& e) {
  if (e.code() != Errc::invalid) return false;
  if (std::string(e.what()).find("immutable") != std::string::npos) return true;
  return std::any_of(e.causes().begin(), e.causes().end(), [](const FieldCause& c) {
    return c.message.find("immutable") != std::string::npos;
  });
}

std::string immutable_fields(const Error& e) {
  std::string fields;
  for (const auto& c : e.causes()) {
    if (c.message.find("immutable") == std::string::npos || c.field.empty()) continue;
    if (!fields.empty()) fields += ", ";
    fields += c.field;
  }
  return fields;
}

void copy_member(Object& to, const Object& from, const char* pointer) {
  const rapidjson::Value* v = from.find(pointer);
  rapidjson::Pointer p(pointer);
  if (v) {
    p.Set(to.json(), rapidjson::Value(*v, to.allocator()), to.allocator());
  }
}

// Fields the destination owns on an update: allocated by its API server or controllers, or the
// live scale that the ReplicaLedger (not the sync) manages.
void carry_over(Object& desired, const Object& live, const ReplicaLedger& ledger) {
  desired.metadata().RemoveMember("resourceVersion");
  desired.metadata().AddMember("resourceVersion",
                               json_string(live.resource_version(), desired.allocator()),
                               desired.allocator());
  if (const ScaleSpec* spec = ledger.spec_for(live.group(), live.kind())) {
    if (live.find(spec->path)) copy_member(desired, live, spec->path.c_str());
  }
  std::string_view kind = live.kind();
  if (kind == "Service") {
    copy_member(desired, live, "/spec/clusterIP");
    copy_member(desired, live, "/spec/clusterIPs");
    copy_member(desired, live, "/spec/healthCheckNodePort");
  } else if (kind == "PersistentVolumeClaim") {
    copy_member(desired, live, "/spec/volumeName");
    const rapidjson::Value* anns = live.find("/metadata/annotations");
    if (anns && anns->IsObject()) {
      for (const auto& m : anns->GetObject()) {
        std::string_view key(m.name.GetString(), m.name.GetStringLength());
        if (key.starts_with("pv.kubernetes.io/") || key.starts_with("volume.kubernetes.io/") ||
            key == "volume.beta.kubernetes.io/storage-provisioner") {
          desired.set_annotation(key, json_str(&m.value));
        }
      }
    }
  } else if (kind == "Job") {
    copy_member(desired, live, "/spec/selector");
    copy_member(desired, live, "/spec/template/metadata/labels");
  } else if (kind == "ServiceAccount") {
    copy_member(desired, live, "/secrets");
  }
}

std::string merge_patch_for_default_sa(const Object& desired) {
  Object patch;
  auto& a = patch.allocator();
  rapidjson::Value meta(rapidjson::kObjectType);
  for (const char* field : {"labels", "annotations"}) {
    const rapidjson::Value* v = json_get(desired.json()["metadata"], field);
    if (v) meta.AddMember(rapidjson::StringRef(field), rapidjson::Value(*v, a), a);
  }
  patch.json().AddMember("metadata", meta, a);
  for (const char* field : {"imagePullSecrets", "automountServiceAccountToken"}) {
    const rapidjson::Value* v = json_get(desired.json(), field);
    if (v) patch.json().AddMember(rapidjson::StringRef(field), rapidjson::Value(*v, a), a);
  }
  return patch.to_json();
}

}  // namespace

const char* action_name(Action a) noexcept {
  switch (a) {
    case Action::Create:
      return "create";
    case Action::Update:
      return "update";
    case Action::Unchanged:
      return "unchanged";
    case Action::Skip:
      return "skip";
    case Action::Prune:
      return "prune";
    case Action::Conflict:
      return "conflict";
    case Action::Error:
      return "error";
  }
  return "unknown";
}

struct NamespaceSync::Impl {
  Cluster source;
  std::string source_ns;
  Cluster dest;
  std::string dest_ns;
  SyncOptions options;
  ReplicaLedger ledger;
  TransformList transforms;
  std::string id;

  Impl(Cluster s, std::string sns, Cluster d, std::string dns, SyncOptions o)
      : source(std::move(s)),
        source_ns(std::move(sns)),
        dest(std::move(d)),
        dest_ns(std::move(dns)),
        options(std::move(o)),
        ledger(options.custom_scale_kinds),
        transforms(default_transforms()),
        id(short_sha(source.server() + "/" + source_ns)) {
    for (auto& t : options.extra_transforms) transforms.push_back(t);
    if (options.concurrency < 1) options.concurrency = 1;
  }

  void progress(const char* phase, size_t done, size_t total, std::string object = {}) const {
    if (options.progress) options.progress(SyncProgress{phase, done, total, std::move(object)});
  }
  void check_cancel() const {
    if (options.cancel.cancelled()) throw Error(Errc::cancelled, "sync cancelled");
  }

  SyncResult execute(bool apply);
  Object desired_for(const Object& source_obj, const SelectedType& type) const;
  void write(Planned& p, SyncResult& result) const;
  std::future<Response> start_write(const Planned& p) const;
  void finish_write(Planned& p, Response response, SyncResult& result) const;
  void ensure_namespace(SyncResult& result) const;
  void copy_crds(const std::vector<std::string>& group_resources, SyncResult& result) const;
};

// Copies the CustomResourceDefinitions of `group_resources` ("shirts.stable.example.com") from
// the source cluster and waits until the destination serves them.
void NamespaceSync::Impl::copy_crds(const std::vector<std::string>& group_resources,
                                    SyncResult& result) const {
  ResourceInfo crds{"apiextensions.k8s.io",
                    "v1",
                    "customresourcedefinitions",
                    "CustomResourceDefinition",
                    false,
                    {},
                    {},
                    {},
                    {}};
  for (const auto& name : group_resources) {
    Object crd = source.get(crds, "", name);
    strip_server_fields()->apply(crd, TransformContext{});
    crd.set_label(kManagedByLabel, kManagedByValue);
    WriteOptions wo;
    wo.dry_run = options.dry_run;
    try {
      dest.create(crds, "", crd, wo);
      result.warnings.push_back("copied CustomResourceDefinition " + name + " to the destination");
    } catch (const Error& e) {
      if (e.code() != Errc::already_exists) throw;
    }
  }
  if (options.dry_run) return;
  auto deadline = Clock::now() + std::chrono::seconds(60);
  while (true) {
    auto served = dest.resources(true);
    bool all =
        std::all_of(group_resources.begin(), group_resources.end(), [&](const std::string& gr) {
          return std::any_of(served.begin(), served.end(),
                             [&](const ResourceInfo& r) { return r.group_resource() == gr; });
        });
    if (all) return;
    if (Clock::now() > deadline) {
      throw Error(Errc::timeout,
                  "copied CustomResourceDefinitions are not served by the destination after 60 s");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
  }
}

Object NamespaceSync::Impl::desired_for(const Object& source_obj, const SelectedType& type) const {
  Object desired = source_obj.clone();
  TransformContext ctx;
  ctx.source_namespace = source_ns;
  ctx.dest_namespace = dest_ns;
  ctx.group_resource = type.info.group_resource();
  ctx.storage_class_map = options.storage_class_map;
  ctx.access_mode_map = options.access_mode_map;
  ctx.image_map = options.image_map;
  ctx.preserve_node_ports = options.preserve_node_ports;
  ctx.modifiers = options.modifiers.get();
  run_transforms(transforms, desired, ctx);
  if (options.stop_workloads && ledger.is_workload(desired)) {
    // Created stopped: the original scale lives in the ledger annotation, never in the spec.
    ledger.record(desired, ledger.original(source_obj));
    ledger.set_stopped(desired);
  }
  desired.set_label(kManagedByLabel, kManagedByValue);
  desired.set_label(kSourceIdLabel, id);
  desired.set_annotation(kSourceAnnotation, source.server() + "/namespaces/" + source_ns);
  desired.set_annotation(kContentHashAnnotation, content_hash(desired.json()));
  return desired;
}

void NamespaceSync::Impl::ensure_namespace(SyncResult& result) const {
  Object ns = Object::parse(R"({"apiVersion":"v1","kind":"Namespace","metadata":{}})");
  ns.set_name(dest_ns);
  ns.set_label(kManagedByLabel, kManagedByValue);
  ResourceInfo namespaces{"", "v1", "namespaces", "Namespace", false, {}, {}, {}, {}};
  try {
    WriteOptions wo;
    wo.dry_run = options.dry_run;
    dest.create(namespaces, "", ns, wo);
    if (options.dry_run) {
      result.warnings.push_back("destination namespace " + dest_ns +
                                " does not exist: the dry run could not validate writes into it");
    }
  } catch (const Error& e) {
    // Exists already, or a namespace-scoped identity that may not create namespaces: the
    // writes into it will tell whether it exists.
    if (e.code() != Errc::already_exists && e.code() != Errc::forbidden) throw;
  }
}

std::future<Response> NamespaceSync::Impl::start_write(const Planned& p) const {
  Request req;
  const ResourceInfo& r = p.type->info;
  if (options.dry_run) req.query.emplace_back("dryRun", "All");
  req.query.emplace_back("fieldManager", "drsync");
  switch (p.action) {
    case Action::Create:
      req.method = Method::Post;
      req.verb = "create";
      req.path = Cluster::path_for(r, dest_ns);
      req.body = p.desired.to_json();
      break;
    case Action::Update:
      if (p.merge_only) {
        req.method = Method::Patch;
        req.verb = "patch";
        req.idempotent = true;
        req.content_type = "application/merge-patch+json";
        req.path = Cluster::path_for(r, dest_ns, p.name);
        req.body = merge_patch_for_default_sa(p.desired);
      } else {
        Object body = p.desired.clone();
        carry_over(body, *p.live, ledger);
        req.method = Method::Put;
        req.verb = "update";
        req.path = Cluster::path_for(r, dest_ns, p.name);
        req.body = body.to_json();
      }
      break;
    case Action::Prune:
      req.method = Method::Delete;
      req.verb = "delete";
      req.path = Cluster::path_for(r, dest_ns, p.name);
      req.body =
          options.dry_run
              ? R"({"apiVersion":"v1","kind":"DeleteOptions","propagationPolicy":"Background","dryRun":["All"]})"
              : R"({"apiVersion":"v1","kind":"DeleteOptions","propagationPolicy":"Background"})";
      req.query.clear();
      break;
    default:
      break;
  }
  return dest.send_async(std::move(req));
}

void NamespaceSync::Impl::finish_write(Planned& p, Response response, SyncResult& result) const {
  const std::string label = p.type->info.group_resource() + "/" + p.name;
  for (int attempt = 0; attempt < 4; ++attempt) {
    if (response.ok()) return;
    if (p.action == Action::Prune && response.status == 404) return;  // already gone
    Error e =
        detail::error_from_response(response, std::string(action_name(p.action)) + " " + label);
    if (e.code() == Errc::conflict && p.action == Action::Update && !p.merge_only) {
      // Someone changed it since our LIST: re-read and write again with its new version.
      auto fresh = dest.try_get(p.type->info, dest_ns, p.name);
      if (!fresh) {
        p.action = Action::Create;
      } else {
        p.live = std::move(*fresh);
      }
      response = start_write(p).get();
      continue;
    }
    if (e.code() == Errc::already_exists && p.action == Action::Create) {
      // Created since our LIST — by the destination itself (a new namespace's `default`
      // ServiceAccount) or by a concurrent sync. Merge into ours; never overwrite others'.
      auto fresh = dest.try_get(p.type->info, dest_ns, p.name);
      if (fresh && (p.merge_only || fresh->label(kSourceIdLabel) == id)) {
        p.live = std::move(*fresh);
        p.action = Action::Update;
        response = start_write(p).get();
        continue;
      }
    }
    if (is_immutable_rejection(e)) {
      std::string fields = immutable_fields(e);
      if (options.immutable == ImmutablePolicy::Recreate && p.action == Action::Update) {
        if (options.dry_run) {
          p.message = "would be recreated (immutable field " + fields + ")";
          return;
        }
        DeleteOptions del;
        del.propagation_policy = "Foreground";
        dest.remove(p.type->info, dest_ns, p.name, del);
        auto deadline = Clock::now() + std::chrono::seconds(60);
        while (dest.try_get(p.type->info, dest_ns, p.name)) {
          if (Clock::now() > deadline) {
            throw Error(Errc::timeout, label + ": not deleted within 60 s for recreation");
          }
          std::this_thread::sleep_for(std::chrono::milliseconds(200));
        }
        p.message = "recreated: immutable field " + fields + " changed";
        p.action = Action::Create;
        response = start_write(p).get();
        p.action = Action::Update;
        if (response.ok()) return;
        continue;
      }
      e = Error(
          Errc::invalid,
          label + ": immutable field " + (fields.empty() ? std::string("?") : fields) +
              " differs from the source; use the recreate policy to delete and recreate it (" +
              e.what() + ")",
          e.http_status(), e.reason(), e.causes());
    }
    p.action = Action::Error;
    p.message = e.what();
    result.errors.push_back(e.what());
    return;
  }
  p.action = Action::Error;
  p.message = label + ": still conflicting after 4 attempts";
  result.errors.push_back(p.message);
}

SyncResult NamespaceSync::Impl::execute(bool apply) {
  auto started = Clock::now();
  RequestStats src_before = source.stats();
  RequestStats dst_before = dest.stats();
  SyncResult result;
  result.dry_run = options.dry_run || !apply;

  // discover + select
  progress("discover", 0, 1);
  std::vector<SelectedType> types = detail::select_types(source.resources(), options);
  std::vector<ResourceInfo> dest_types = dest.resources();
  auto dest_serves = [&](const ResourceInfo& r) {
    return std::any_of(dest_types.begin(), dest_types.end(), [&](const ResourceInfo& d) {
      return d.group == r.group && d.resource == r.resource;
    });
  };
  check_cancel();

  // LIST every selected type on both sides, concurrently: one request per type per 500 objects.
  progress("list", 0, types.size());
  struct Listing {
    std::future<ObjectList> source_items;
    std::future<ObjectList> dest_items;
    bool dest_served = false;
  };
  std::vector<Listing> listings(types.size());
  ListOptions src_opts;
  src_opts.label_selector = options.label_selector;
  for (size_t i = 0; i < types.size(); ++i) {
    const ResourceInfo& r = types[i].info;
    listings[i].source_items = std::async(
        std::launch::async, [this, r, src_opts] { return source.list(r, source_ns, src_opts); });
    listings[i].dest_served = dest_serves(r);
    if (listings[i].dest_served) {
      listings[i].dest_items =
          std::async(std::launch::async, [this, r] { return dest.list(r, dest_ns); });
    }
  }
  std::vector<ObjectList> source_lists(types.size()), dest_lists(types.size());
  std::vector<std::string> missing_crds;
  for (size_t i = 0; i < types.size(); ++i) {
    try {
      source_lists[i] = listings[i].source_items.get();
    } catch (const Error& e) {
      if (e.code() == Errc::forbidden && types[i].custom) {
        result.warnings.push_back(std::string("not permitted to list ") +
                                  types[i].info.group_resource() + ": skipped");
        continue;
      }
      throw;
    }
    if (listings[i].dest_served)
      dest_lists[i] = listings[i].dest_items.get();
    else if (!source_lists[i].items.empty())
      missing_crds.push_back(types[i].info.group_resource());
  }
  if (!missing_crds.empty() && options.copy_crds && apply) {
    copy_crds(missing_crds, result);
    missing_crds.clear();
    dest_types = dest.resources(true);
    for (size_t i = 0; i < types.size(); ++i) {
      if (!listings[i].dest_served && dest_serves(types[i].info)) {
        listings[i].dest_served = true;
        dest_lists[i] = dest.list(types[i].info, dest_ns);
      }
    }
  }
  if (!missing_crds.empty()) {
    std::string list;
    for (const auto& m : missing_crds) list += (list.empty() ? "" : ", ") + m;
    throw Error(Errc::not_found,
                "the destination cluster does not serve these types used in " + source_ns +
                    " (install their CustomResourceDefinitions there, or exclude them): " + list);
  }
  check_cancel();

  // transform + diff
  std::set<std::string> copied_kinds;
  for (const auto& t : types) copied_kinds.insert(t.info.kind);
  std::set<std::string> selector_services;
  for (size_t i = 0; i < types.size(); ++i) {
    if (types[i].info.group_resource() != "services") continue;
    for (const auto& s : source_lists[i].items) {
      if (s.find("/spec/selector")) selector_services.insert(std::string(s.name()));
    }
  }
  std::vector<Planned> planned;
  for (size_t i = 0; i < types.size(); ++i) {
    const SelectedType& type = types[i];
    std::map<std::string_view, Object*> live_by_name;
    for (auto& o : dest_lists[i].items) live_by_name[o.name()] = &o;
    std::set<std::string_view> source_names;
    for (const auto& item : source_lists[i].items) {
      source_names.insert(item.name());
      Planned p;
      p.type = &type;
      p.name = std::string(item.name());
      std::string reason = detail::skip_reason(item, copied_kinds, selector_services);
      if (!reason.empty()) {
        p.action = Action::Skip;
        p.message = reason;
        planned.push_back(std::move(p));
        continue;
      }
      try {
        p.desired = desired_for(item, type);
      } catch (const Error& e) {
        p.action = Action::Error;
        p.message = type.info.group_resource() + "/" + p.name + ": " + e.what();
        result.errors.push_back(p.message);
        planned.push_back(std::move(p));
        continue;
      }
      auto live = live_by_name.find(item.name());
      p.merge_only = type.info.group_resource() == "serviceaccounts" && p.name == "default";
      if (live == live_by_name.end()) {
        p.action = Action::Create;
      } else {
        p.live = live->second->clone();
        bool ours = p.live->label(kSourceIdLabel) == id;
        bool same = p.live->annotation(kContentHashAnnotation) ==
                    p.desired.annotation(kContentHashAnnotation);
        if (ours || p.merge_only) {
          p.action = same && ours ? Action::Unchanged : Action::Update;
        } else if (p.live->label(kManagedByLabel) == kManagedByValue &&
                   p.live->has_label(kSourceIdLabel) &&
                   options.unmanaged != UnmanagedPolicy::Adopt) {
          p.action = Action::Conflict;
          p.message = "managed by drsync from another source (" +
                      std::string(p.live->annotation(kSourceAnnotation)) + ")";
        } else if (options.unmanaged == UnmanagedPolicy::Adopt) {
          p.action = Action::Update;
          p.message = "adopted";
        } else if (options.unmanaged == UnmanagedPolicy::Fail) {
          p.action = Action::Conflict;
          p.message = "exists in the destination and is not managed by drsync";
          result.errors.push_back(type.info.group_resource() + "/" + p.name + ": " + p.message);
        } else {
          p.action = Action::Skip;
          p.message = "exists in the destination and is not managed by drsync (policy: skip)";
          result.warnings.push_back(type.info.group_resource() + "/" + p.name + ": " + p.message);
        }
      }
      planned.push_back(std::move(p));
    }
    if (options.prune) {
      for (auto& [name, live] : live_by_name) {
        if (source_names.count(name) || live->label(kSourceIdLabel) != id) continue;
        if (type.info.group_resource() == "serviceaccounts" && name == "default") continue;
        Planned p;
        p.type = &type;
        p.name = std::string(name);
        p.action = Action::Prune;
        p.live = live->clone();
        planned.push_back(std::move(p));
      }
    }
  }
  if (!apply) {
    for (auto& p : planned) {
      if (p.action == Action::Create || p.action == Action::Update) {
        p.diff_holder = detail::unified_diff(p.live ? &*p.live : nullptr, p.desired,
                                             p.type->info.group_resource() + "/" + p.name);
      }
    }
  }

  // apply, tier by tier, concurrently within a tier
  if (apply) {
    bool any_create = std::any_of(planned.begin(), planned.end(),
                                  [](const Planned& p) { return p.action == Action::Create; });
    if (any_create) ensure_namespace(result);
    size_t total = std::count_if(planned.begin(), planned.end(), [](const Planned& p) {
      return p.action == Action::Create || p.action == Action::Update || p.action == Action::Prune;
    });
    size_t done = 0;
    progress("apply", 0, total);
    // Prunes go last, workloads first among them (reverse tiers), after every create/update.
    for (int pass = 0; pass < 2; ++pass) {
      std::map<int, std::vector<Planned*>> tiers;
      for (auto& p : planned) {
        bool is_prune = p.action == Action::Prune;
        if ((pass == 0 && (p.action == Action::Create || p.action == Action::Update)) ||
            (pass == 1 && is_prune)) {
          tiers[pass == 0 ? p.type->tier : -p.type->tier].push_back(&p);
        }
      }
      for (auto& [tier, batch] : tiers) {
        check_cancel();
        std::vector<std::future<Response>> inflight;
        inflight.reserve(batch.size());
        for (Planned* p : batch) inflight.push_back(start_write(*p));
        for (size_t k = 0; k < batch.size(); ++k) {
          Response resp;
          try {
            resp = inflight[k].get();
            finish_write(*batch[k], std::move(resp), result);
          } catch (const Error& e) {
            batch[k]->action = Action::Error;
            batch[k]->message = e.what();
            result.errors.push_back(batch[k]->type->info.group_resource() + "/" + batch[k]->name +
                                    ": " + e.what());
          }
          progress("apply", ++done, total,
                   batch[k]->type->info.group_resource() + "/" + batch[k]->name);
        }
      }
    }
  }

  // report
  for (auto& p : planned) {
    ObjectOutcome o;
    o.group_resource = p.type->info.group_resource();
    o.kind = p.type->info.kind;
    o.name = p.name;
    o.action = p.action;
    o.message = p.message;
    o.diff = std::move(p.diff_holder);
    result.counts[o.action]++;
    result.objects.push_back(std::move(o));
  }
  RequestStats src_after = source.stats(), dst_after = dest.stats();
  auto delta = [](const RequestStats& a, const RequestStats& b) {
    RequestStats d;
    d.list = a.list - b.list;
    d.get = a.get - b.get;
    d.create = a.create - b.create;
    d.update = a.update - b.update;
    d.patch = a.patch - b.patch;
    d.remove = a.remove - b.remove;
    d.watch = a.watch - b.watch;
    d.discovery = a.discovery - b.discovery;
    d.other = a.other - b.other;
    d.retries = a.retries - b.retries;
    return d;
  };
  result.source_requests = delta(src_after, src_before);
  result.dest_requests = delta(dst_after, dst_before);
  result.duration = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - started);
  return result;
}

NamespaceSync::NamespaceSync(Cluster source, std::string source_namespace, Cluster dest,
                             std::string dest_namespace, SyncOptions options)
    : impl_(std::make_unique<Impl>(std::move(source), std::move(source_namespace), std::move(dest),
                                   std::move(dest_namespace), std::move(options))) {}
NamespaceSync::~NamespaceSync() = default;
NamespaceSync::NamespaceSync(NamespaceSync&&) noexcept = default;
NamespaceSync& NamespaceSync::operator=(NamespaceSync&&) noexcept = default;

SyncResult NamespaceSync::plan() {
  return impl_->execute(false);
}
SyncResult NamespaceSync::run() {
  return impl_->execute(true);
}
std::string NamespaceSync::source_id() const {
  return impl_->id;
}
const SyncOptions& NamespaceSync::options() const noexcept {
  return impl_->options;
}

}  // namespace drsync
