// Internal: the Reporter — turns a plan that was applied (or only planned) into the SyncResult.
#pragma once

#include <chrono>

#include "drsync/sync.hpp"
#include "sync/plan.hpp"

namespace drsync::detail {

struct ReportInputs {
  bool dry_run = false;
  std::chrono::milliseconds duration{0};
  RequestStats source_requests;  // made by this sync
  RequestStats dest_requests;
};

SyncResult make_result(Plan& plan, Problems& problems, const ReportInputs& inputs);

}  // namespace drsync::detail
