// Options as a document (JSON or YAML), and DR plan files. One format for the C ABI, the Python
// package, the CLI's --plan files and embedders' own configuration (docs/options.md).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "drsync/export.hpp"
#include "drsync/migration.hpp"

namespace drsync {

// Parses an options document into `options` (fields not in the document keep their value).
// Strict: an unknown key or a wrong type is an Error(invalid_argument) naming the key.
// Relative file paths (resourceModifiers, journalFile) resolve against `base_dir`.
DRSYNC_API void apply_options_document(MigrationOptions& options, std::string_view document,
                                       std::string_view origin = "<options>",
                                       const std::string& base_dir = ".");
DRSYNC_API void apply_options_value(MigrationOptions& options, const rapidjson::Value& value,
                                    std::string_view origin, const std::string& base_dir);

struct ClusterRef {
  std::string kubeconfig;  // empty: kubectl's default loading rules
  std::string context;
};

struct PlanNamespace {
  std::string source;
  std::string destination;   // defaults to source
  MigrationOptions options;  // plan defaults + this pair's overrides
};

// A DR plan: two clusters and several namespace pairs with their options, like a CloudCasa
// DR plan:
//   apiVersion: drsync.io/v1
//   kind: DRPlan
//   source: {kubeconfig: src.kubeconfig, context: prod}
//   destination: {kubeconfig: dr.kubeconfig, context: dr}
//   defaults: {prune: true}
//   namespaces:
//   - {source: shop, destination: shop-dr, options: {imageMap: {docker.io: mirror.local}}}
struct DrPlan {
  std::string name;
  ClusterRef source;
  ClusterRef destination;
  std::vector<PlanNamespace> namespaces;
};

DRSYNC_API DrPlan parse_plan(std::string_view yaml, std::string_view origin = "<plan>",
                             const std::string& base_dir = ".");
DRSYNC_API DrPlan load_plan(const std::string& path);

}  // namespace drsync
