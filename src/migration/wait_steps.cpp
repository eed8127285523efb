// wait_gone: poll with one LIST of Pods (never a GET per workload), backing off. wait_ready: one
// LIST per kind, then one WATCH per kind (detail::WorkloadWatch) until every workload is ready;
// polling again only if a watch fails.
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

namespace {

// The workloads wait_ready waits on: those of the kinds that report readiness (one LIST each).
std::vector<detail::Workload> readiness_workloads(const Migration::Impl& m, Side side) {
  std::set<std::string> kinds;
  for (const auto& w : m.workloads(side)) {
    if (!detail::ready_text(w.obj).empty()) kinds.insert(std::string(w.obj.kind()));
  }
  return kinds.empty() ? std::vector<detail::Workload>{} : m.workloads(side, &kinds);
}

}  // namespace

StepResult Migration::wait_ready(Side side) {
  auto& m = *impl_;
  const auto deadline = Clock::now() + m.options.wait_timeout;
  m.stopped_watches.clear();  // joins the watches of an earlier wait (stopped long ago)
  auto list = readiness_workloads(m, side);
  Readiness r = readiness_of(list);
  std::unique_ptr<detail::WorkloadWatch> watch;
  if (!r.not_ready.empty()) {
    std::vector<detail::Workload> watched;
    for (const auto& w : list) watched.push_back({w.type, w.spec, w.obj.clone()});
    watch =
        std::make_unique<detail::WorkloadWatch>(m.cluster(side), m.ns(side), std::move(watched));
  }
  PollPacer pacer(m.options.poll_interval);  // only when a watch failed
  while (true) {
    m.check_cancel();
    if (watch && watch->failed().empty()) {  // a change, or a second for cancel and timeout
      watch->next(std::chrono::seconds(1), [&](const auto& now) { r = readiness_of(now); });
    } else if (watch) {
      pacer.wait();
      r = readiness_of(readiness_workloads(m, side));
    }
    m.progress(step_name(Step::WaitReady), "", r.lines.size() - r.not_ready.size(), r.lines.size());
    if (r.not_ready.empty()) {
      if (watch) {
        watch->stop();  // joined at the next wait or with the migration: not on the RTO's path
        m.stopped_watches.push_back(std::move(watch));
      }
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
