// RestRequest: the one request builder behind every verb of drsync::Cluster.
#include <fmt/format.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "drsync/cluster.hpp"
#include "rest/status_error.hpp"
#include "rest/verbs.hpp"

namespace drsync {
namespace {

std::string delete_options_json(const DeleteOptions& o) {
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w(buf);
  w.StartObject();
  w.Key("apiVersion");
  w.String("v1");
  w.Key("kind");
  w.String("DeleteOptions");
  if (!o.propagation_policy.empty()) {
    w.Key("propagationPolicy");
    w.String(o.propagation_policy.c_str());
  }
  if (!o.precondition_uid.empty() || !o.precondition_resource_version.empty()) {
    w.Key("preconditions");
    w.StartObject();
    if (!o.precondition_uid.empty()) {
      w.Key("uid");
      w.String(o.precondition_uid.c_str());
    }
    if (!o.precondition_resource_version.empty()) {
      w.Key("resourceVersion");
      w.String(o.precondition_resource_version.c_str());
    }
    w.EndObject();
  }
  if (o.dry_run) {
    w.Key("dryRun");
    w.StartArray();
    w.String("All");
    w.EndArray();
  }
  w.EndObject();
  return buf.GetString();
}

}  // namespace

RestRequest::RestRequest(Cluster cluster, Verb verb) : cluster_(std::move(cluster)), verb_(verb) {
  request_.method = detail::method_for(verb);
  request_.verb = verb;
}

RestRequest& RestRequest::resource(const ResourceInfo& r) {
  prefix_ = r.group.empty() ? "/api/" + r.version : "/apis/" + r.group + "/" + r.version;
  resource_ = r.resource;
  group_resource_ = r.group_resource();
  namespaced_ = r.namespaced;
  return *this;
}

RestRequest& RestRequest::in_namespace(std::string_view ns) {
  namespace_ = ns;
  return *this;
}

RestRequest& RestRequest::name(std::string_view name) {
  name_ = name;
  return *this;
}

RestRequest& RestRequest::subresource(std::string_view subresource) {
  subresource_ = subresource;
  return *this;
}

RestRequest& RestRequest::path(std::string path) {
  request_.path = std::move(path);
  return *this;
}

RestRequest& RestRequest::param(std::string key, std::string value) {
  request_.query.emplace_back(std::move(key), std::move(value));
  return *this;
}

RestRequest& RestRequest::body(std::string json, std::string content_type) {
  request_.body = std::move(json);
  request_.content_type = std::move(content_type);
  return *this;
}

RestRequest& RestRequest::body(const Object& object) {
  return body(object.to_json());
}

RestRequest& RestRequest::patch(PatchType type, std::string body) {
  request_.body = std::move(body);
  request_.content_type = patch_content_type(type);
  // Applying the same configuration, or merging the same fields, twice is the same as once.
  if (type == PatchType::Apply || type == PatchType::Merge) request_.idempotent = true;
  return *this;
}

RestRequest& RestRequest::options(const WriteOptions& o) {
  write_ = o;
  return *this;
}

RestRequest& RestRequest::options(const DeleteOptions& o) {
  if (!o.empty()) request_.body = delete_options_json(o);
  return *this;
}

RestRequest& RestRequest::accept(std::string media_type) {
  request_.accept = std::move(media_type);
  return *this;
}

RestRequest& RestRequest::idempotent(bool idempotent) {
  request_.idempotent = idempotent;
  return *this;
}

RestRequest& RestRequest::timeout(std::chrono::milliseconds timeout) {
  request_.timeout = timeout;
  return *this;
}

RestRequest& RestRequest::describe_as(std::string what) {
  what_ = std::move(what);
  return *this;
}

Request RestRequest::build() const {
  Request r = request_;
  r.what = describe();
  if (write_) {
    if (write_->force && r.content_type == patch_content_type(PatchType::Apply)) {
      r.query.emplace_back("force", "true");
    }
    if (write_->dry_run) r.query.emplace_back("dryRun", "All");
    if (!write_->field_manager.empty()) r.query.emplace_back("fieldManager", write_->field_manager);
  }
  if (!prefix_.empty()) {
    r.path = prefix_;
    if (namespaced_ && !namespace_.empty()) r.path += fmt::format("/namespaces/{}", namespace_);
    r.path += "/" + resource_;
    // A create posts to the collection, except on a subresource (serviceaccounts/NAME/token).
    if (!name_.empty() && (verb_ != Verb::Create || !subresource_.empty())) r.path += "/" + name_;
    if (!subresource_.empty()) r.path += "/" + subresource_;
  }
  return r;
}

std::string RestRequest::target() const {
  if (prefix_.empty()) return request_.path;
  const bool in_ns = namespaced_ && !namespace_.empty();
  if (name_.empty()) {
    return in_ns ? fmt::format("{} in namespace {}", group_resource_, namespace_) : group_resource_;
  }
  return in_ns ? fmt::format("{} {}/{}", group_resource_, namespace_, name_)
               : fmt::format("{} {}", group_resource_, name_);
}

std::string RestRequest::describe() const {
  return what_.empty() ? fmt::format("{} {}", verb_name(verb_), target()) : what_;
}

Response RestRequest::response() const {
  return cluster_.send(build());
}

std::future<Response> RestRequest::start() const {
  return cluster_.send_async(build());
}

Error RestRequest::error(const Response& response) const {
  return detail::error_from_response(response, describe(), cluster_.server());
}

void RestRequest::check(const Response& response) const {
  if (!response.ok()) throw error(response);
}

Response RestRequest::expect() const {
  Response r = response();
  check(r);
  return r;
}

Object RestRequest::object() const {
  return Object::parse(expect().body);
}

}  // namespace drsync
