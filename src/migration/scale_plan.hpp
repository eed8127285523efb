// Internal: what scale_down / scale_up would patch, computed from reads only so that a preview
// (Migration::plan(mode, true)) and the step itself share it.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "migration/migration_impl.hpp"

namespace drsync {

// "deployments.apps/web" -> the original scale (the journal's values).
using ScaleValues = std::map<std::string, std::string>;

struct ScalePatch {
  const detail::Workload* workload = nullptr;
  std::string body;  // the merge patch
  WorkloadChange change;
};

struct ScalePlan {
  std::vector<ScalePatch> patches;
  std::vector<std::string> left_alone;  // workloads it does not touch, and why
  // Stopped workloads with no recorded count anywhere: "deployments.apps/web on the destination
  // (looked for annotation drsync.io/original-replicas, ...)".
  std::vector<std::string> unrecorded;
};

ScalePlan plan_scale_down(const Migration::Impl& m, Side side,
                          const std::vector<detail::Workload>& list, const ScaleValues& values);
ScalePlan plan_scale_up(const Migration::Impl& m, Side side,
                        const std::vector<detail::Workload>& list, const ScaleValues& values);

}  // namespace drsync
