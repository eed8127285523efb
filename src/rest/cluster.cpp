#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <thread>

#include "drsync/cluster.hpp"
#include "rest/cluster_impl.hpp"
#include "rest/list_page.hpp"
#include "rest/status_error.hpp"
#include "rest/verbs.hpp"

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
  return request(Verb::Get).path(path).describe_as("GET " + path).object();
}

RestRequest Cluster::request(Verb verb) const {
  return RestRequest(*this, verb);
}

bool Cluster::reachable(int attempts, std::string* why) const {
  for (int i = 0; i < std::max(1, attempts); ++i) {
    if (i > 0) std::this_thread::sleep_for(std::chrono::milliseconds(300 * i));
    try {
      server_version();
      return true;
    } catch (const Error& e) {
      Errc c = e.code();
      if (c != Errc::network && c != Errc::timeout && c != Errc::server_error && c != Errc::tls &&
          c != Errc::unavailable) {
        return true;  // it answered (403, 404, ...)
      }
      if (why) *why = e.what();
    }
  }
  return false;
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

// Adds one LIST page's items to `result`; returns the continue token ("" on the last page).
std::string add_page(ObjectList& result, const std::string& body, const RestRequest& req,
                     bool without_managed_fields) {
  auto doc = std::make_shared<rapidjson::Document>();
  if (!detail::parse_list_page(*doc, body, without_managed_fields) || !doc->IsObject()) {
    throw Error(Errc::server_error, req.describe() + ": unparseable response");
  }
  stamp_item_types(*doc, result.items, doc);
  ++result.pages;
  const rapidjson::Value* meta = json_get(*doc, "metadata");
  if (!meta) return {};
  result.resource_version = std::string(json_str(json_get(*meta, "resourceVersion")));
  return std::string(json_str(json_get(*meta, "continue")));
}

}  // namespace

ObjectList Cluster::list(const ResourceInfo& r, std::string_view ns,
                         const ListOptions& options) const {
  ObjectList result;
  std::string continue_token;
  bool paging = options.limit > 0;
  while (true) {
    RestRequest req = request(Verb::List).resource(r).in_namespace(ns);
    if (!options.label_selector.empty()) req.param("labelSelector", options.label_selector);
    if (!options.field_selector.empty()) req.param("fieldSelector", options.field_selector);
    if (paging) req.param("limit", std::to_string(options.limit));
    if (!continue_token.empty()) req.param("continue", continue_token);
    if (!options.resource_version.empty() && continue_token.empty()) {
      req.param("resourceVersion", options.resource_version);
    }
    Response resp = req.response();
    if (resp.status == 410 && !continue_token.empty()) {
      // The continue token expired mid-way: fall back to one full, consistent list.
      result = ObjectList{};
      continue_token.clear();
      paging = false;
      continue;
    }
    req.check(resp);
    continue_token = add_page(result, resp.body, req, options.without_managed_fields);
    if (continue_token.empty()) break;
  }
  return result;
}

Object Cluster::get(const ResourceInfo& r, std::string_view ns, std::string_view name) const {
  return request(Verb::Get).resource(r).in_namespace(ns).name(name).object();
}

std::optional<Object> Cluster::try_get(const ResourceInfo& r, std::string_view ns,
                                       std::string_view name) const {
  RestRequest req = request(Verb::Get).resource(r).in_namespace(ns).name(name);
  Response resp = req.response();
  if (resp.status == 404) return std::nullopt;
  req.check(resp);
  return Object::parse(resp.body);
}

bool outcome_unknown(const Error& e) noexcept {
  return e.unanswered();
}

namespace {

// Whether `live` carries every label and annotation of `sent`: what a create of `sent` made.
bool carries(const Object& live, const Object& sent) {
  for (const char* field : {"/metadata/labels", "/metadata/annotations"}) {
    const rapidjson::Value* want = sent.find(field);
    if (want == nullptr || !want->IsObject()) continue;
    const rapidjson::Value* have = live.find(field);
    if (have == nullptr || !have->IsObject()) return false;
    for (const auto& m : want->GetObject()) {
      auto it = have->FindMember(m.name);
      if (it == have->MemberEnd() || it->value != m.value) return false;
    }
  }
  return true;
}

}  // namespace

Object Cluster::create(const ResourceInfo& r, std::string_view ns, const Object& object,
                       const WriteOptions& options) const {
  RestRequest req = request(Verb::Create)
                        .resource(r)
                        .in_namespace(ns)
                        .name(object.name())
                        .body(object)
                        .options(options);
  Response resp;
  try {
    resp = req.response();
  } catch (const Error& e) {
    // No answer: the create may or may not have happened. Look before sending it again.
    if (!outcome_unknown(e) || object.name().empty() || options.dry_run) throw;
    if (auto live = try_get(r, ns, object.name())) {
      if (carries(*live, object)) return std::move(*live);
      throw Error(Errc::already_exists,
                  fmt::format("{}: {}; and {} exists now, unlike what was sent", req.describe(),
                              e.what(), req.target()),
                  409, "AlreadyExists");
    }
    resp = req.response();  // it did not happen: once more
  }
  if (resp.status == 409 && resp.attempts > 1 && req.error(resp).code() == Errc::already_exists) {
    // A repeated create (after 429 / connection refused) found the object: it is our own first
    // attempt's result, so return the live object rather than an AlreadyExists error.
    return get(r, ns, object.name());
  }
  req.check(resp);
  return Object::parse(resp.body);
}

Object Cluster::update(const ResourceInfo& r, std::string_view ns, const Object& object,
                       const WriteOptions& options) const {
  return request(Verb::Update)
      .resource(r)
      .in_namespace(ns)
      .name(object.name())
      .body(object)
      .options(options)
      .object();
}

Object Cluster::patch(const ResourceInfo& r, std::string_view ns, std::string_view name,
                      PatchType type, std::string_view body, const WriteOptions& options) const {
  return request(Verb::Patch)
      .resource(r)
      .in_namespace(ns)
      .name(name)
      .patch(type, std::string(body))
      .options(options)
      .object();
}

Object Cluster::apply(const ResourceInfo& r, std::string_view ns, const Object& object,
                      const WriteOptions& options) const {
  return patch(r, ns, object.name(), PatchType::Apply, object.to_json(), options);
}

void Cluster::remove(const ResourceInfo& r, std::string_view ns, std::string_view name,
                     const DeleteOptions& options) const {
  request(Verb::Delete).resource(r).in_namespace(ns).name(name).options(options).expect();
}

std::int64_t Cluster::get_scale(const ResourceInfo& r, std::string_view ns,
                                std::string_view name) const {
  RestRequest req = request(Verb::Get).resource(r).in_namespace(ns).name(name);
  req.describe_as("get scale of " + req.target()).subresource("scale");
  Object scale = req.object();
  const rapidjson::Value* v = scale.find("/spec/replicas");
  return v && v->IsInt64() ? v->GetInt64() : 0;
}

Object Cluster::set_scale(const ResourceInfo& r, std::string_view ns, std::string_view name,
                          std::int64_t replicas, const WriteOptions& options) const {
  RestRequest req = request(Verb::Patch).resource(r).in_namespace(ns).name(name);
  req.describe_as("scale " + req.target());
  return req.subresource("scale")
      .patch(PatchType::Merge, fmt::format(R"({{"spec":{{"replicas":{}}}}})", replicas))
      .options(options)
      .object();
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
