#include "sync/reporter.hpp"

namespace drsync::detail {

SyncResult make_result(Plan& plan, Problems& problems, const ReportInputs& inputs) {
  SyncResult result;
  result.objects.reserve(plan.objects.size());
  for (auto& p : plan.objects) {
    ObjectOutcome o;
    o.group_resource = p.type->info.group_resource();
    o.kind = p.type->info.kind;
    o.name = std::move(p.name);
    o.action = p.action;
    o.message = std::move(p.message);
    o.diff = std::move(p.diff);
    o.error = p.error;
    result.counts[o.action]++;
    result.objects.push_back(std::move(o));
  }
  result.warnings = std::move(problems.warnings);
  result.errors = std::move(problems.errors);
  result.not_copied = std::move(problems.not_copied);
  result.error_code = problems.first_error;
  result.dry_run = inputs.dry_run;
  result.duration = inputs.duration;
  result.source_requests = inputs.source_requests;
  result.dest_requests = inputs.dest_requests;
  return result;
}

}  // namespace drsync::detail
