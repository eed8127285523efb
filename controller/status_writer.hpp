// Writes the status of the custom resources (merge patches of the status subresource) and
// clears the sync-now annotation. Failures are logged, never thrown: the next change writes the
// status again.
#pragma once

#include <drsync/cluster.hpp>

#include <chrono>
#include <string>

#include "resources.hpp"

namespace drsync_controller {

// RFC 3339, seconds, UTC: metav1.Time.
std::string rfc3339(std::chrono::system_clock::time_point t);
// A JSON string literal (quoted, escaped).
std::string json_string(std::string_view s);

// One metav1.Condition, as JSON.
struct Condition {
  std::string type;
  bool status = false;
  std::string reason;
  std::string message;
  std::int64_t observed_generation = 0;
  std::string last_transition;  // RFC 3339
  std::string to_json() const;
};

class StatusWriter {
 public:
  explicit StatusWriter(drsync::Cluster home) : home_(std::move(home)) {}
  // `status_fields`: the members of the status object, without braces ("\"phase\":\"Running\"").
  bool patch_status(const drsync::ResourceInfo& r, const ObjectRef& ref,
                    const std::string& status_fields) const;
  void clear_annotation(const drsync::ResourceInfo& r, const ObjectRef& ref,
                        std::string_view key) const;

 private:
  drsync::Cluster home_;
};

}  // namespace drsync_controller
