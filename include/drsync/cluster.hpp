// drsync::Cluster: one Kubernetes API server — configuration, authentication, a thin REST client
// over libcurl (HTTP/2, connection reuse, rate limiting, retries), discovery and typed verbs.
//
// Thread-safety: a Cluster may be used from any number of threads at once. Copies share one
// connection pool, one discovery cache and one set of request counters.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <future>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "drsync/config.hpp"
#include "drsync/error.hpp"
#include "drsync/export.hpp"
#include "drsync/object.hpp"
#include "drsync/request.hpp"

namespace drsync {

// A resource type as discovery reports it.
struct DRSYNC_API ResourceInfo {
  std::string group;  // "" for core
  std::string version;
  std::string resource;  // plural, "deployments"
  std::string kind;      // "Deployment"
  bool namespaced = true;
  std::vector<std::string> verbs;
  std::vector<std::string> subresources;  // "status", "scale", ...
  std::vector<std::string> short_names;
  std::vector<std::string> categories;

  std::string api_version() const { return group.empty() ? version : group + "/" + version; }
  // "deployments.apps", "configmaps"
  std::string group_resource() const { return group.empty() ? resource : resource + "." + group; }
  bool has_verb(std::string_view verb) const;
  bool has_subresource(std::string_view sub) const;
};

struct ListOptions {
  std::string label_selector;
  std::string field_selector;
  std::int64_t limit = 500;  // page size; 0: no paging
  std::string resource_version;
  // Leaves metadata.managedFields out of the items (never parsed into memory): a sync does not
  // read it, and it is often a third of an object's JSON.
  bool without_managed_fields = false;
};

struct WatchOptions {
  std::string resource_version;  // start after this; empty: LIST first, then watch from it
  std::string label_selector;
  std::string field_selector;
  bool allow_bookmarks = true;
  std::chrono::seconds timeout{0};  // server-side timeoutSeconds per watch request; 0: default
};

struct WatchEvent {
  std::string type;  // ADDED, MODIFIED, DELETED, BOOKMARK; "RELISTED" after a 410 re-list
  Object object;
};

// A cancellation flag shared between a caller and long operations. Copies share the flag.
class CancelToken {
 public:
  void cancel() noexcept { flag_->store(true); }
  bool cancelled() const noexcept { return flag_->load(); }
  // Clears the flag for the next operation (of every copy).
  void reset() noexcept { flag_->store(false); }

 private:
  std::shared_ptr<std::atomic<bool>> flag_ = std::make_shared<std::atomic<bool>>(false);
};

// Called after every response (on the cluster's event-loop thread; keep it short): request
// counting beyond RequestStats, tracing, and fault-injection in tests.
using RequestObserver = std::function<void(const Request&, const Response&)>;

// Whether a request failed without an answer after it may have reached the server (connection
// lost after sending, timeout; not a refused connection): a write that failed so may or may not
// have happened. A create that failed so is looked up (GET) before it is sent again, never
// repeated blindly.
DRSYNC_API bool outcome_unknown(const Error& e) noexcept;

class RestRequest;

class DRSYNC_API Cluster {
 public:
  explicit Cluster(RestConfig config);
  // kubectl's loading rules; see KubeconfigOptions.
  static Cluster from_kubeconfig(const std::string& path = {}, const std::string& context = {});
  static Cluster in_cluster();

  const RestConfig& config() const noexcept;
  const std::string& server() const noexcept;
  const std::string& default_namespace() const noexcept;

  // --- Requests -------------------------------------------------------------------------------
  // The request builder every verb below is a thin wrapper over (see RestRequest).
  RestRequest request(Verb verb) const;
  // Whether the server answers at all: a 403 or 404 is an answer; network, TLS, timeout and 5xx
  // errors are not. Tries `attempts` times (backing off 0.3 s, 0.6 s, ...); `why` gets the last
  // error when it returns false.
  bool reachable(int attempts = 1, std::string* why = nullptr) const;

  // Sends a request (rate-limited, retried when idempotent) and returns the response whatever
  // its status.
  Response send(Request request) const;
  // The same, concurrently: many may be in flight, multiplexed over HTTP/2.
  std::future<Response> send_async(Request request) const;
  // Throws the typed Error for a non-2xx response (parsed from the server's Status body).
  static void check(const Response& response, std::string_view what);
  // GET of a path returning the parsed body; throws on non-2xx.
  Object get_path(const std::string& path) const;

  // --- Discovery (cached per Cluster) ---------------------------------------------------------
  std::vector<ResourceInfo> resources(bool refresh = false) const;
  // Resolves "deployments", "deployments.apps", "deploy", "Deployment", "apps/v1/deployments".
  // Throws Error(not_found) when the server does not serve it.
  ResourceInfo resolve(std::string_view name) const;
  ResourceInfo resolve_kind(std::string_view api_version, std::string_view kind) const;
  std::optional<ResourceInfo> find_kind(std::string_view api_version, std::string_view kind) const;
  // "/apis/apps/v1/namespaces/NS/deployments/NAME/SUB" (NS ignored for cluster-scoped types).
  static std::string path_for(const ResourceInfo& r, std::string_view ns,
                              std::string_view name = {}, std::string_view subresource = {});
  // /version gitVersion.
  std::string server_version() const;

  // --- Verbs (throw Error on failure) ---------------------------------------------------------
  ObjectList list(const ResourceInfo& r, std::string_view ns,
                  const ListOptions& options = {}) const;
  Object get(const ResourceInfo& r, std::string_view ns, std::string_view name) const;
  std::optional<Object> try_get(const ResourceInfo& r, std::string_view ns,
                                std::string_view name) const;
  Object create(const ResourceInfo& r, std::string_view ns, const Object& object,
                const WriteOptions& options = {}) const;
  // PUT; the object's metadata.resourceVersion is the optimistic-concurrency precondition.
  Object update(const ResourceInfo& r, std::string_view ns, const Object& object,
                const WriteOptions& options = {}) const;
  Object patch(const ResourceInfo& r, std::string_view ns, std::string_view name, PatchType type,
               std::string_view body, const WriteOptions& options = {}) const;
  // Server-side apply of a full object (apply-patch+yaml with JSON body).
  Object apply(const ResourceInfo& r, std::string_view ns, const Object& object,
               const WriteOptions& options = {}) const;
  void remove(const ResourceInfo& r, std::string_view ns, std::string_view name,
              const DeleteOptions& options = {}) const;
  // The scale subresource.
  std::int64_t get_scale(const ResourceInfo& r, std::string_view ns, std::string_view name) const;
  Object set_scale(const ResourceInfo& r, std::string_view ns, std::string_view name,
                   std::int64_t replicas, const WriteOptions& options = {}) const;

  // Streams events to `on_event` until it returns false, `cancel` is set, or an error. Resumes
  // after a dropped connection from the last resourceVersion seen; on 410 Gone it re-lists and
  // delivers a "RELISTED" event per current object before continuing.
  void watch(const ResourceInfo& r, std::string_view ns, const WatchOptions& options,
             const std::function<bool(WatchEvent&)>& on_event,
             const CancelToken& cancel = {}) const;

  RequestStats stats() const;
  void reset_stats() const;
  // Installs (or, with an empty function, removes) the request observer.
  void set_observer(RequestObserver observer) const;
  // Aborts every queued and in-flight request of this cluster (and its copies): their futures
  // fail with Errc::cancelled. Watches are cancelled through their CancelToken.
  void cancel_all() const;

  struct Impl;

 private:
  std::shared_ptr<Impl> impl_;
};

// One request, built step by step in the manner of client-go's rest.Request, then sent with a
// blocking ending (response(), object(), expect()) or an async one (start()):
//
//   Object cm = cluster.request(Verb::Get).resource(configmaps).in_namespace("shop").name("web")
//                   .object();
//   auto pending = cluster.request(Verb::Create).resource(r).in_namespace(ns).body(obj)
//                      .options(write_options).start();
//
// The method follows the verb (list/get/watch: GET, create: POST, update: PUT, patch: PATCH,
// delete: DELETE). Errors are typed drsync::Errors naming the request ("create configmaps
// shop/web") and, for the server's own failures (429, 5xx), the server.
class DRSYNC_API RestRequest {
 public:
  RestRequest(Cluster cluster, Verb verb);

  RestRequest& resource(const ResourceInfo& r);
  RestRequest& in_namespace(std::string_view ns);  // ignored for cluster-scoped resources
  // The object's name. A create POSTs to the collection: there the name only names the request
  // in messages.
  RestRequest& name(std::string_view name);
  RestRequest& subresource(std::string_view subresource);
  RestRequest& path(std::string path);  // a raw path instead of resource/namespace/name
  RestRequest& param(std::string key, std::string value);
  RestRequest& body(std::string json, std::string content_type = "application/json");
  RestRequest& body(const Object& object);
  RestRequest& patch(PatchType type, std::string body);
  RestRequest& options(const WriteOptions& options);   // dryRun, fieldManager, force (apply)
  RestRequest& options(const DeleteOptions& options);  // a DeleteOptions body
  RestRequest& accept(std::string media_type);
  RestRequest& idempotent(bool idempotent);
  RestRequest& timeout(std::chrono::milliseconds timeout);
  // Replaces the description used in error messages ("scale deployments.apps shop/web").
  RestRequest& describe_as(std::string what);

  Request build() const;
  // What it acts on: "configmaps shop/web", "deployments.apps in namespace shop", or the path.
  std::string target() const;
  // "create configmaps shop/web", "list deployments.apps in namespace shop".
  std::string describe() const;

  // Endings. response(): whatever the status. start(): the same, concurrently (many may be in
  // flight, multiplexed over HTTP/2). object(): the parsed body, throwing the typed Error for a
  // non-2xx status. expect(): throws for a non-2xx status, returns the response.
  Response response() const;
  std::future<Response> start() const;
  Object object() const;
  Response expect() const;
  // The typed Error for a non-2xx response of this request.
  Error error(const Response& response) const;
  // Throws error(response) unless the response is a 2xx.
  void check(const Response& response) const;

 private:
  Cluster cluster_;
  Verb verb_;
  Request request_;
  std::string prefix_;  // "/apis/apps/v1"
  std::string resource_;
  std::string group_resource_;
  bool namespaced_ = true;
  std::string namespace_;
  std::string name_;
  std::string subresource_;
  std::string what_;
  std::optional<WriteOptions> write_;
};

}  // namespace drsync
