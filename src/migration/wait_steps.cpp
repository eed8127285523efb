// wait_gone and wait_ready: poll with one LIST per kind (never a GET per workload), backing off.
#include <fmt/format.h>
#include <fmt/ranges.h>

#include "drsync/error.hpp"
#include "migration/migration_impl.hpp"
#include "migration/poll.hpp"

namespace drsync {
namespace {

using detail::PollPacer;
using Clock = std::chrono::steady_clock;

struct Readiness {
  std::vector<std::string> lines;      // "deployments.apps/web: 2/2 ready"
  std::vector<std::string> not_ready;  // "deployments.apps/web (1/2)"
};

Readiness readiness_of(const std::vector<detail::Workload>& list) {
  Readiness r;
  for (const auto& w : list) {
    std::string ready = detail::ready_text(w.obj);
    if (ready.empty()) continue;
    r.lines.push_back(fmt::format("{}: {} ready", workload_key(w), ready));
    if (!detail::is_ready(w.obj))
      r.not_ready.push_back(fmt::format("{} ({})", workload_key(w), ready));
  }
  return r;
}

}  // namespace

StepResult Migration::wait_gone(Side side) {
  auto& m = *impl_;
  auto deadline = Clock::now() + m.options.gone_timeout;
  auto list = m.workloads(side);
  auto pods = m.cluster(side).resolve("pods");
  PollPacer pacer(m.options.poll_interval);
  while (true) {
    m.check_cancel();
    pacer.wait();
    std::vector<std::string> remaining;
    for (const auto& pod : m.cluster(side).list(pods, m.ns(side)).items) {
      if (detail::pod_belongs_to(pod, list)) remaining.emplace_back(pod.name());
    }
    m.progress(step_name(Step::WaitGone), "", 0, remaining.size());
    if (remaining.empty()) return {};
    if (Clock::now() > deadline) {
      throw Error(Errc::timeout,
                  fmt::format("pods still running on the {} after {} s: {}", side_name(side),
                              m.options.gone_timeout.count(), fmt::join(remaining, ", ")));
    }
  }
}

StepResult Migration::wait_ready(Side side) {
  auto& m = *impl_;
  auto deadline = Clock::now() + m.options.wait_timeout;
  // Poll only the kinds that report readiness and are present.
  std::set<std::string> kinds;
  for (const auto& w : m.workloads(side)) {
    if (!detail::ready_text(w.obj).empty()) kinds.insert(std::string(w.obj.kind()));
  }
  PollPacer pacer(m.options.poll_interval);
  while (true) {
    m.check_cancel();
    pacer.wait();
    auto r =
        readiness_of(kinds.empty() ? std::vector<detail::Workload>{} : m.workloads(side, &kinds));
    m.progress(step_name(Step::WaitReady), "", r.lines.size() - r.not_ready.size(), r.lines.size());
    if (r.not_ready.empty()) {
      StepResult result;
      result.readiness = r.lines;
      return m.absorbed(std::move(result));
    }
    if (Clock::now() > deadline) {
      m.report.readiness = r.lines;  // what the failed step saw, for the report
      throw Error(Errc::timeout,
                  fmt::format("not ready on the {} after {} s: {}", side_name(side),
                              m.options.wait_timeout.count(), fmt::join(r.not_ready, ", ")));
    }
  }
}

}  // namespace drsync
