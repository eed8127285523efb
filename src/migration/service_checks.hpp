// Internal: the pure parts of check_services — which Services must have ready endpoints and
// whether they do, the manifest of a check Pod and what its end means. No I/O: unit-tested
// without a server (tests/unit/test_service_checks.cpp).
#pragma once

#include <map>
#include <string>
#include <vector>

#include "drsync/migration.hpp"
#include "drsync/object.hpp"

namespace drsync::detail {

using Labels = std::map<std::string, std::string>;

// The Pod template labels of a workload (spec.template.metadata.labels), empty when it has none.
Labels template_labels(const Object& workload);

// One result per Service of `services` that has a selector and selects the Pods of one of
// `running` (the Pod template labels of the workloads the mode started): ok when one of its
// EndpointSlices (`slices`, label kubernetes.io/service-name) has a ready endpoint with an
// address. Services without a selector, ExternalName Services and Services that select none of
// `running` are not checked.
std::vector<CheckResult> endpoint_results(const std::vector<Object>& services,
                                          const std::vector<Object>& slices,
                                          const std::vector<Labels>& running);

// The label on every check Pod (and the value of app.kubernetes.io/managed-by).
inline constexpr const char* kCheckPodLabel = "drsync.io/service-check";

// A check Pod for `check` (index `index` of the options' checks): restartPolicy Never, the
// check's retry loop in sh with the target in the environment (never in the script), the result
// in its termination message.
Object check_pod_manifest(const ServiceCheck& check, std::size_t index,
                          const ServiceCheckOptions& options, const std::string& run_id);

// What a check Pod's status means: done (Succeeded / Failed, or a container that cannot start),
// ok, and the detail for the report.
struct CheckPodState {
  bool done = false;
  bool ok = false;
  std::string detail;
};
CheckPodState check_pod_state(const Object& pod);

// "http" or "tcp"; throws Error(invalid_argument) naming the check when it has both a URL and an
// address, neither, or a URL that is not http(s).
std::string check_kind(const ServiceCheck& check);

}  // namespace drsync::detail
