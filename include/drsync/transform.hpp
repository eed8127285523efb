// Transforms: an ordered list of small named units that turn a source object into the object
// written to the destination (step 3 of discover -> select -> transform -> diff -> apply ->
// report). Each unit is pure: it reads the object and the context and edits the object in place.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "drsync/export.hpp"
#include "drsync/object.hpp"

namespace drsync {

class ResourceModifiers;

// What every transform may look at. group_resource is "deployments.apps", "configmaps", ...
struct TransformContext {
  std::string source_namespace;
  std::string dest_namespace;
  std::string group_resource;
  // PVC / Service options.
  std::map<std::string, std::string> storage_class_map;  // old -> new
  std::map<std::string, std::string> access_mode_map;    // ReadWriteOnce -> ReadWriteMany, ...
  std::vector<std::pair<std::string, std::string>> image_map;  // registry prefix old -> new
  bool preserve_node_ports = false;
  const ResourceModifiers* modifiers = nullptr;  // user resource-modifier rules, may be null
};

class DRSYNC_API Transform {
 public:
  virtual ~Transform() = default;
  virtual std::string_view name() const noexcept = 0;
  // Edits `obj` in place. Throws Error(invalid_argument) when the object cannot be transformed
  // (e.g. a resource-modifier `test` operation failed is NOT an error: the patch is skipped).
  virtual void apply(Object& obj, const TransformContext& ctx) const = 0;
};

using TransformList = std::vector<std::shared_ptr<const Transform>>;

// The named units, in the order the default pipeline runs them.
DRSYNC_API std::shared_ptr<const Transform> strip_server_fields();       // "strip-server-fields"
DRSYNC_API std::shared_ptr<const Transform> remap_namespace();           // "remap-namespace"
DRSYNC_API std::shared_ptr<const Transform> service_cluster_fields();    // "service"
DRSYNC_API std::shared_ptr<const Transform> pvc_binding();               // "persistentvolumeclaim"
DRSYNC_API std::shared_ptr<const Transform> job_controller_uid();        // "job"
DRSYNC_API std::shared_ptr<const Transform> image_rewrite();             // "image-rewrite"
DRSYNC_API std::shared_ptr<const Transform> apply_resource_modifiers();  // "resource-modifiers"

// The default pipeline (all of the above, in that order). Workload scale-to-zero is not a
// transform here: it belongs to the ReplicaLedger (drsync/ledger.hpp), which NamespaceSync runs
// after this pipeline.
DRSYNC_API TransformList default_transforms();
DRSYNC_API void run_transforms(const TransformList& list, Object& obj, const TransformContext& ctx);

// Content hash of an object's transformed form: SHA-256 (hex) of its canonical JSON (object keys
// sorted, no whitespace), ignoring metadata.annotations["drsync.io/content-hash"] itself. Equal
// for equal objects whatever their key order.
DRSYNC_API std::string content_hash(const rapidjson::Value& value);
// Canonical JSON (sorted keys) used by content_hash and by diffs.
DRSYNC_API std::string canonical_json(const rapidjson::Value& value);

// --- Resource modifiers (Velero's format, also taken by CloudCasa) -------------------------------
// version: v1
// resourceModifierRules:
// - conditions: {groupResource, resourceNameRegex, namespaces, labelSelector, matches}
//   patches: [RFC 6902 ops incl. test] | mergePatches: [{patchData}] | strategicPatches:
//   [{patchData}]
class DRSYNC_API ResourceModifiers {
 public:
  // Strict parsing: unknown keys, a bad regex, a bad JSON pointer or a bad operation is an
  // Error(invalid_argument) naming the rule index and the field.
  static ResourceModifiers parse(std::string_view yaml, std::string_view origin = "<modifiers>");
  static ResourceModifiers load_file(const std::string& path);

  ResourceModifiers();
  ~ResourceModifiers();
  ResourceModifiers(ResourceModifiers&&) noexcept;
  ResourceModifiers& operator=(ResourceModifiers&&) noexcept;

  // Applies every matching rule, in order. `namespace_` is the object's SOURCE namespace (Velero
  // matches conditions.namespaces against the backup's namespace). Returns how many rules matched.
  int apply(Object& obj, std::string_view group_resource, std::string_view namespace_) const;
  std::size_t size() const noexcept;

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

// --- Patch primitives (also used by resource modifiers and by the apply step) -------------------
// RFC 6902. Throws Error(invalid_argument) for a malformed patch; returns false (and leaves
// `target` unchanged) when a `test` op fails or a path does not exist.
DRSYNC_API bool apply_json_patch(rapidjson::Value& target, const rapidjson::Value& patch,
                                 Object::Allocator& a);
// RFC 7386.
DRSYNC_API void apply_merge_patch(rapidjson::Value& target, const rapidjson::Value& patch,
                                  Object::Allocator& a);
// Kubernetes strategic merge for built-in types: lists with a patch merge key (containers by
// name, ports by containerPort, env by name, volumes by name, ...) are merged by that key;
// `$patch: delete|replace` directives are honoured. `kind` selects the schema ("Deployment").
DRSYNC_API void apply_strategic_merge_patch(rapidjson::Value& target, const rapidjson::Value& patch,
                                            std::string_view kind, Object::Allocator& a);

}  // namespace drsync
