#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <cctype>

#include "drsync/cluster.hpp"
#include "rest/cluster_impl.hpp"
#include "rest/status_error.hpp"

namespace drsync {

Cluster::Impl::Impl(RestConfig config)
    : transport(config, detail::make_credential_source(config)) {}

Response Cluster::Impl::send(Request request) {
  return transport.submit(std::move(request)).get();
}

bool ResourceInfo::has_verb(std::string_view verb) const {
  return std::find(verbs.begin(), verbs.end(), verb) != verbs.end();
}
bool ResourceInfo::has_subresource(std::string_view sub) const {
  return std::find(subresources.begin(), subresources.end(), sub) != subresources.end();
}

Cluster::Cluster(RestConfig config) : impl_(std::make_shared<Impl>(std::move(config))) {}

Cluster Cluster::from_kubeconfig(const std::string& path, const std::string& context) {
  return Cluster(load_kubeconfig(KubeconfigOptions{path, context}));
}

Cluster Cluster::in_cluster() {
  return Cluster(in_cluster_config());
}

const RestConfig& Cluster::config() const noexcept {
  return impl_->transport.config();
}
const std::string& Cluster::server() const noexcept {
  return config().server;
}
const std::string& Cluster::default_namespace() const noexcept {
  return config().namespace_;
}

Response Cluster::send(Request request) const {
  return impl_->send(std::move(request));
}

std::future<Response> Cluster::send_async(Request request) const {
  return impl_->transport.submit(std::move(request));
}

void Cluster::check(const Response& response, std::string_view what) {
  if (!response.ok()) throw detail::error_from_response(response, what);
}

Object Cluster::get_path(const std::string& path) const {
  Request req;
  req.path = path;
  Response r = send(req);
  if (!r.ok()) throw detail::error_from_response(r, "GET " + path, server());
  return Object::parse(r.body);
}

std::string Cluster::server_version() const {
  Object v = get_path("/version");
  return std::string(json_str(json_get(v.json(), "gitVersion")));
}

std::string Cluster::path_for(const ResourceInfo& r, std::string_view ns, std::string_view name,
                              std::string_view subresource) {
  std::string p = r.group.empty() ? "/api/" + r.version : "/apis/" + r.group + "/" + r.version;
  if (r.namespaced && !ns.empty()) {
    p += "/namespaces/";
    p += ns;
  }
  p += "/";
  p += r.resource;
  if (!name.empty()) {
    p += "/";
    p += name;
  }
  if (!subresource.empty()) {
    p += "/";
    p += subresource;
  }
  return p;
}

namespace {

// Cluster::check, naming this cluster's server in the message of server-side failures.
void check_on(const Cluster& c, const Response& response, std::string_view what) {
  if (!response.ok()) throw detail::error_from_response(response, what, c.server());
}

std::string describe(const ResourceInfo& r, std::string_view ns, std::string_view name) {
  std::string s = r.group_resource();
  if (!name.empty()) {
    s += " ";
    if (!ns.empty() && r.namespaced) {
      s += ns;
      s += "/";
    }
    s += name;
  } else if (!ns.empty() && r.namespaced) {
    s += " in namespace ";
    s += ns;
  }
  return s;
}

void add_write_query(Request& req, const WriteOptions& o) {
  if (o.dry_run) req.query.emplace_back("dryRun", "All");
  if (!o.field_manager.empty()) req.query.emplace_back("fieldManager", o.field_manager);
}

// A list response's items do not carry apiVersion/kind: set them from the list's own.
void stamp_item_types(rapidjson::Document& doc, std::vector<Object>& out,
                      const std::shared_ptr<rapidjson::Document>& owner) {
  auto items = doc.FindMember("items");
  if (items == doc.MemberEnd() || !items->value.IsArray()) return;
  std::string list_kind(json_str(json_get(doc, "kind")));
  std::string kind = list_kind.size() > 4 && list_kind.ends_with("List")
                         ? list_kind.substr(0, list_kind.size() - 4)
                         : list_kind;
  std::string_view api_version = json_str(json_get(doc, "apiVersion"));
  auto& a = doc.GetAllocator();
  out.reserve(out.size() + items->value.Size());
  for (auto& item : items->value.GetArray()) {
    if (!item.IsObject()) continue;
    if (!item.HasMember("apiVersion")) item.AddMember("apiVersion", json_string(api_version, a), a);
    if (!item.HasMember("kind")) item.AddMember("kind", json_string(kind, a), a);
    out.emplace_back(owner, &item);
  }
}

}  // namespace

ObjectList Cluster::list(const ResourceInfo& r, std::string_view ns,
                         const ListOptions& options) const {
  ObjectList result;
  std::string continue_token;
  bool paging = options.limit > 0;
  while (true) {
    Request req;
    req.verb = "list";
    req.path = path_for(r, ns);
    if (!options.label_selector.empty())
      req.query.emplace_back("labelSelector", options.label_selector);
    if (!options.field_selector.empty())
      req.query.emplace_back("fieldSelector", options.field_selector);
    if (paging) req.query.emplace_back("limit", std::to_string(options.limit));
    if (!continue_token.empty()) req.query.emplace_back("continue", continue_token);
    if (!options.resource_version.empty() && continue_token.empty()) {
      req.query.emplace_back("resourceVersion", options.resource_version);
    }
    Response resp = send(req);
    if (resp.status == 410 && !continue_token.empty()) {
      // The continue token expired mid-way: fall back to one full, consistent list.
      result = ObjectList{};
      continue_token.clear();
      paging = false;
      continue;
    }
    check_on(*this, resp, "list " + describe(r, ns, {}));
    auto doc = std::make_shared<rapidjson::Document>();
    doc->Parse(resp.body.data(), resp.body.size());
    if (doc->HasParseError() || !doc->IsObject()) {
      throw Error(Errc::server_error, "list " + describe(r, ns, {}) + ": unparseable response");
    }
    stamp_item_types(*doc, result.items, doc);
    ++result.pages;
    const rapidjson::Value* meta = json_get(*doc, "metadata");
    continue_token = meta ? std::string(json_str(json_get(*meta, "continue"))) : std::string();
    if (meta) result.resource_version = std::string(json_str(json_get(*meta, "resourceVersion")));
    if (continue_token.empty()) break;
  }
  return result;
}

Object Cluster::get(const ResourceInfo& r, std::string_view ns, std::string_view name) const {
  Request req;
  req.verb = "get";
  req.path = path_for(r, ns, name);
  Response resp = send(req);
  check_on(*this, resp, "get " + describe(r, ns, name));
  return Object::parse(resp.body);
}

std::optional<Object> Cluster::try_get(const ResourceInfo& r, std::string_view ns,
                                       std::string_view name) const {
  Request req;
  req.verb = "get";
  req.path = path_for(r, ns, name);
  Response resp = send(req);
  if (resp.status == 404) return std::nullopt;
  check_on(*this, resp, "get " + describe(r, ns, name));
  return Object::parse(resp.body);
}

Object Cluster::create(const ResourceInfo& r, std::string_view ns, const Object& object,
                       const WriteOptions& options) const {
  Request req;
  req.method = Method::Post;
  req.verb = "create";
  req.path = path_for(r, ns);
  req.body = object.to_json();
  add_write_query(req, options);
  Response resp = send(req);
  if (resp.status == 409 && resp.attempts > 1) {
    // A repeated create (after 429 / connection refused) found the object: it is our own first
    // attempt's result, so return the live object rather than an AlreadyExists error.
    Error e = detail::error_from_response(resp, "create");
    if (e.code() == Errc::already_exists) return get(r, ns, object.name());
  }
  check_on(*this, resp, "create " + describe(r, ns, object.name()));
  return Object::parse(resp.body);
}

Object Cluster::update(const ResourceInfo& r, std::string_view ns, const Object& object,
                       const WriteOptions& options) const {
  Request req;
  req.method = Method::Put;
  req.verb = "update";
  req.path = path_for(r, ns, object.name());
  req.body = object.to_json();
  add_write_query(req, options);
  Response resp = send(req);
  check_on(*this, resp, "update " + describe(r, ns, object.name()));
  return Object::parse(resp.body);
}

Object Cluster::patch(const ResourceInfo& r, std::string_view ns, std::string_view name,
                      PatchType type, std::string_view body, const WriteOptions& options) const {
  Request req;
  req.method = Method::Patch;
  req.verb = "patch";
  req.path = path_for(r, ns, name);
  req.body = std::string(body);
  switch (type) {
    case PatchType::Json:
      req.content_type = "application/json-patch+json";
      break;
    case PatchType::Merge:
      req.content_type = "application/merge-patch+json";
      break;
    case PatchType::StrategicMerge:
      req.content_type = "application/strategic-merge-patch+json";
      break;
    case PatchType::Apply:
      req.content_type = "application/apply-patch+yaml";
      req.idempotent = true;  // applying the same configuration twice is the same as once
      if (options.force) req.query.emplace_back("force", "true");
      break;
  }
  if (type == PatchType::Merge) req.idempotent = true;
  add_write_query(req, options);
  Response resp = send(req);
  check_on(*this, resp, "patch " + describe(r, ns, name));
  return Object::parse(resp.body);
}

Object Cluster::apply(const ResourceInfo& r, std::string_view ns, const Object& object,
                      const WriteOptions& options) const {
  return patch(r, ns, object.name(), PatchType::Apply, object.to_json(), options);
}

void Cluster::remove(const ResourceInfo& r, std::string_view ns, std::string_view name,
                     const DeleteOptions& options) const {
  Request req;
  req.method = Method::Delete;
  req.verb = "delete";
  req.path = path_for(r, ns, name);
  if (!options.propagation_policy.empty() || !options.precondition_uid.empty() ||
      !options.precondition_resource_version.empty() || options.dry_run) {
    rapidjson::StringBuffer buf;
    rapidjson::Writer<rapidjson::StringBuffer> w(buf);
    w.StartObject();
    w.Key("apiVersion");
    w.String("v1");
    w.Key("kind");
    w.String("DeleteOptions");
    if (!options.propagation_policy.empty()) {
      w.Key("propagationPolicy");
      w.String(options.propagation_policy.c_str());
    }
    if (!options.precondition_uid.empty() || !options.precondition_resource_version.empty()) {
      w.Key("preconditions");
      w.StartObject();
      if (!options.precondition_uid.empty()) {
        w.Key("uid");
        w.String(options.precondition_uid.c_str());
      }
      if (!options.precondition_resource_version.empty()) {
        w.Key("resourceVersion");
        w.String(options.precondition_resource_version.c_str());
      }
      w.EndObject();
    }
    if (options.dry_run) {
      w.Key("dryRun");
      w.StartArray();
      w.String("All");
      w.EndArray();
    }
    w.EndObject();
    req.body = buf.GetString();
  }
  Response resp = send(req);
  check_on(*this, resp, "delete " + describe(r, ns, name));
}

std::int64_t Cluster::get_scale(const ResourceInfo& r, std::string_view ns,
                                std::string_view name) const {
  Request req;
  req.verb = "get";
  req.path = path_for(r, ns, name, "scale");
  Response resp = send(req);
  check_on(*this, resp, "get scale of " + describe(r, ns, name));
  Object scale = Object::parse(resp.body);
  const rapidjson::Value* v = scale.find("/spec/replicas");
  return v && v->IsInt64() ? v->GetInt64() : 0;
}

Object Cluster::set_scale(const ResourceInfo& r, std::string_view ns, std::string_view name,
                          std::int64_t replicas, const WriteOptions& options) const {
  Request req;
  req.method = Method::Patch;
  req.verb = "patch";
  req.idempotent = true;
  req.path = path_for(r, ns, name, "scale");
  req.content_type = "application/merge-patch+json";
  req.body = "{\"spec\":{\"replicas\":" + std::to_string(replicas) + "}}";
  add_write_query(req, options);
  Response resp = send(req);
  check_on(*this, resp, "scale " + describe(r, ns, name));
  return Object::parse(resp.body);
}

RequestStats Cluster::stats() const {
  return impl_->transport.counters().snapshot();
}
void Cluster::reset_stats() const {
  impl_->transport.counters().reset();
}
void Cluster::cancel_all() const {
  impl_->transport.cancel_all();
}
void Cluster::set_observer(RequestObserver observer) const {
  impl_->transport.set_observer(std::move(observer));
}

}  // namespace drsync
