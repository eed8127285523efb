// The data of one request to a Kubernetes API server: verbs, the raw request and response, write
// and delete options, and the per-verb request counters. drsync::Cluster (cluster.hpp) sends them;
// drsync::RestRequest builds them.
#pragma once

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "drsync/export.hpp"

namespace drsync {

enum class Method { Get, Post, Put, Patch, Delete };

// What a request does, as counted in RequestStats. One table (src/rest/verbs.cpp) gives each its
// name, its counter and whether it writes.
enum class Verb { List, Get, Create, Update, Patch, Delete, Watch, Discovery, Other };
inline constexpr std::array<Verb, 9> kAllVerbs = {Verb::List,   Verb::Get,       Verb::Create,
                                                  Verb::Update, Verb::Patch,     Verb::Delete,
                                                  Verb::Watch,  Verb::Discovery, Verb::Other};
// "list", "get", "create", "update", "patch", "delete", "watch", "discovery", "other".
DRSYNC_API const char* verb_name(Verb v) noexcept;
// The verb a request of `method` counts under when it names none (GET: get, POST: create, ...).
DRSYNC_API Verb default_verb(Method method) noexcept;

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
  // One attempt's limit; 0: the cluster's request_timeout. A longer one also extends the call's
  // deadline (RestConfig::call_timeout) to it.
  std::chrono::milliseconds timeout{0};
  std::optional<Verb> verb;  // counted under; unset: default_verb(method)
  std::string what;          // names it in errors ("get configmaps shop/web"); "": verb and path
};

struct Response {
  long status = 0;
  std::string body;
  std::string content_type;
  int attempts = 1;
  bool ok() const noexcept { return status >= 200 && status < 300; }
};

// Per-verb request counters of one Cluster (every attempt on the wire counts).
struct DRSYNC_API RequestStats {
  std::uint64_t list = 0, get = 0, create = 0, update = 0, patch = 0, remove = 0, watch = 0,
                discovery = 0, other = 0, retries = 0;
  std::uint64_t& operator[](Verb v) noexcept;
  std::uint64_t operator[](Verb v) const noexcept;
  std::uint64_t total() const noexcept;
  std::uint64_t writes() const noexcept;  // create + update + patch + delete
  // Counter by counter (what happened between two snapshots).
  RequestStats operator-(const RequestStats& before) const noexcept;
};

struct WriteOptions {
  bool dry_run = false;  // dryRun=All: validated and admitted by the server, not persisted
  std::string field_manager = "drsync";
  bool force = false;  // server-side apply: take ownership of conflicting fields
};

enum class PatchType { Json, Merge, StrategicMerge, Apply };
// "application/json-patch+json", "application/merge-patch+json", ...
DRSYNC_API const char* patch_content_type(PatchType type) noexcept;

struct DeleteOptions {
  std::string propagation_policy;  // "", "Foreground", "Background", "Orphan"
  std::string precondition_uid;
  std::string precondition_resource_version;
  bool dry_run = false;
  bool empty() const noexcept {
    return propagation_policy.empty() && precondition_uid.empty() &&
           precondition_resource_version.empty() && !dry_run;
  }
};

}  // namespace drsync
