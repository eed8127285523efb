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

namespace drsync {

enum class Method { Get, Post, Put, Patch, Delete };

struct Request {
  Method method = Method::Get;
  std::string path;  // "/api/v1/namespaces", query appended from `query`
  std::vector<std::pair<std::string, std::string>> query;
  std::string body;
  std::string content_type = "application/json";
  std::string accept = "application/json";
  // Safe to repeat after a connection error, 429 or 5xx. Defaults from the method (GET, PUT,
  // DELETE); a create (POST) is never repeated blindly.
  std::optional<bool> idempotent;
  std::chrono::milliseconds timeout{0};  // 0: the cluster's request_timeout
  // Counted under this verb in RequestStats ("list", "get", "create", ...); empty: from method.
  std::string verb;
};

struct Response {
  long status = 0;
  std::string body;
  std::string content_type;
  int attempts = 1;
  bool ok() const noexcept { return status >= 200 && status < 300; }
};

// Per-verb request counters of one Cluster (every attempt on the wire counts).
struct RequestStats {
  std::uint64_t list = 0, get = 0, create = 0, update = 0, patch = 0, remove = 0, watch = 0,
                discovery = 0, other = 0, retries = 0;
  std::uint64_t total() const noexcept {
    return list + get + create + update + patch + remove + watch + discovery + other;
  }
  std::uint64_t writes() const noexcept { return create + update + patch + remove; }
};

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
};

struct WriteOptions {
  bool dry_run = false;  // dryRun=All: validated and admitted by the server, not persisted
  std::string field_manager = "drsync";
  bool force = false;  // server-side apply: take ownership of conflicting fields
};

enum class PatchType { Json, Merge, StrategicMerge, Apply };

struct DeleteOptions {
  std::string propagation_policy;  // "", "Foreground", "Background", "Orphan"
  std::string precondition_uid;
  std::string precondition_resource_version;
  bool dry_run = false;
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

// A cancellation flag shared between a caller and long operations.
class CancelToken {
 public:
  void cancel() noexcept { flag_->store(true); }
  bool cancelled() const noexcept { return flag_->load(); }

 private:
  std::shared_ptr<std::atomic<bool>> flag_ = std::make_shared<std::atomic<bool>>(false);
};

// Called after every response (on the cluster's event-loop thread; keep it short): request
// counting beyond RequestStats, tracing, and fault-injection in tests.
using RequestObserver = std::function<void(const Request&, const Response&)>;

class DRSYNC_API Cluster {
 public:
  explicit Cluster(RestConfig config);
  // kubectl's loading rules; see KubeconfigOptions.
  static Cluster from_kubeconfig(const std::string& path = {}, const std::string& context = {});
  static Cluster in_cluster();

  const RestConfig& config() const noexcept;
  const std::string& server() const noexcept;
  const std::string& default_namespace() const noexcept;

  // --- Raw requests ---------------------------------------------------------------------------
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

}  // namespace drsync
