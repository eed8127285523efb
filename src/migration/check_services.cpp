// check_services: after a mode started workloads, every Service that selects them has a ready
// endpoint, and the user's HTTP / TCP checks pass — from the library host, or from short-lived
// Pods in the namespace (created, polled with one LIST per poll, always deleted).
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <future>
#include <thread>

#include "core/ids.hpp"
#include "drsync/error.hpp"
#include "migration/migration_impl.hpp"
#include "migration/poll.hpp"
#include "migration/service_checks.hpp"
#include "rest/probe.hpp"

namespace drsync {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

long long ms_since(Clock::time_point t0) {
  return std::chrono::duration_cast<milliseconds>(Clock::now() - t0).count();
}

std::string check_name(const ServiceCheck& c) {
  return c.name.empty() ? c.target() : c.name;
}

// One check from the library host, retried once a second until it passes or its time is over
// (each attempt bounded by what is left, at most 5 s).
CheckResult run_host_check(const ServiceCheck& c, const CancelToken& cancel) {
  CheckResult r{check_name(c), detail::check_kind(c), c.target(), "host", false, "", 0};
  const auto t0 = Clock::now();
  const auto deadline = t0 + c.timeout;
  while (!cancel.cancelled()) {
    auto left = std::chrono::duration_cast<milliseconds>(deadline - Clock::now());
    auto attempt = std::clamp(left, milliseconds(500), milliseconds(5000));
    auto outcome = r.kind == "http" ? detail::probe_http(c.url, c.expect_status, attempt,
                                                         c.insecure_skip_tls_verify)
                                    : detail::probe_tcp(c.address, attempt);
    r.ok = outcome.ok;
    r.detail = outcome.detail;
    if (r.ok || Clock::now() + std::chrono::seconds(1) > deadline) break;
    std::this_thread::sleep_for(std::chrono::seconds(1));
  }
  if (cancel.cancelled() && !r.ok) r.detail = "cancelled";
  r.duration_ms = ms_since(t0);
  return r;
}

// The check Pods of one run: leftovers of a killed run are removed first, and every Pod this
// run created is deleted when it ends (passed, failed, thrown or cancelled).
class CheckPods {
 public:
  CheckPods(const Cluster& c, std::string ns, const ServiceCheckOptions& o)
      : cluster_(c), ns_(std::move(ns)), options_(o), pods_(c.resolve("pods")) {}
  CheckPods(const CheckPods&) = delete;
  CheckPods& operator=(const CheckPods&) = delete;
  ~CheckPods() { remove(fmt::format("{}={}", detail::kCheckPodLabel, run_id_)); }

  void start(const std::vector<std::size_t>& indexes) {
    if (indexes.empty()) return;
    remove(detail::kCheckPodLabel);  // any run's: a crashed run left them
    for (auto i : indexes) {
      const auto& check = options_.checks[i];
      cluster_.create(pods_, ns_, detail::check_pod_manifest(check, i, options_, run_id_));
      pending_[fmt::format("drsync-check-{}-{}", run_id_, i)] = i;
    }
  }

  // Results by check index, once every Pod is done or the longest check's time (plus a minute
  // for scheduling and the image) is over.
  std::map<std::size_t, CheckResult> wait(const Migration::Impl& m) {
    std::map<std::size_t, CheckResult> out;
    if (pending_.empty()) return out;
    const auto t0 = Clock::now();
    auto deadline = t0 + std::chrono::seconds(60);
    for (const auto& [name, i] : pending_) deadline += options_.checks[i].timeout;
    detail::PollPacer pacer(m.options.poll_interval);
    std::map<std::string, detail::CheckPodState> last;
    while (!pending_.empty()) {
      m.check_cancel();
      pacer.wait();
      ListOptions lo;
      lo.label_selector = fmt::format("{}={}", detail::kCheckPodLabel, run_id_);
      for (const auto& pod : cluster_.list(pods_, ns_, lo).items) {
        auto it = pending_.find(std::string(pod.name()));
        if (it == pending_.end()) continue;
        auto state = detail::check_pod_state(pod);
        if (state.done) {
          out[it->second] = result(it->second, state, t0);
          pending_.erase(it);
        } else {
          last[it->first] = std::move(state);
        }
      }
      if (Clock::now() > deadline) break;
    }
    for (const auto& [name, i] : pending_) {
      auto it = last.find(name);
      out[i] = result(i,
                      it != last.end()
                          ? it->second
                          : detail::CheckPodState{false, false,
                                                  fmt::format("check Pod {} was not found", name)},
                      t0);
    }
    return out;
  }

 private:
  CheckResult result(std::size_t i, const detail::CheckPodState& s, Clock::time_point t0) const {
    const auto& c = options_.checks[i];
    return {check_name(c), detail::check_kind(c), c.target(), "pod", s.ok, s.detail, ms_since(t0)};
  }

  // Best effort (also from the destructor): a Pod that cannot be deleted now is removed by the
  // next run's start().
  void remove(const std::string& selector) noexcept {
    try {
      ListOptions lo;
      lo.label_selector = selector;
      for (const auto& pod : cluster_.list(pods_, ns_, lo).items) {
        try {
          cluster_.remove(pods_, ns_, pod.name());
        } catch (const Error&) {
        }
      }
    } catch (const std::exception&) {
    }
  }

  const Cluster& cluster_;
  std::string ns_;
  const ServiceCheckOptions& options_;
  ResourceInfo pods_;
  std::string run_id_ = detail::new_run_id();
  std::map<std::string, std::size_t> pending_;  // Pod name -> check index
};

}  // namespace

// Services that select a started workload have a ready endpoint, polled until wait_timeout.
std::vector<CheckResult> Migration::Impl::wait_endpoints(Side side) const {
  std::vector<detail::Labels> running;
  for (const auto& w : workloads(side)) {
    if (ledger.is_stopped(w.obj)) continue;
    auto labels = detail::template_labels(w.obj);
    if (!labels.empty()) running.push_back(std::move(labels));
  }
  if (running.empty()) return {};
  const Cluster& c = cluster(side);
  auto services = c.list(c.resolve("services"), ns(side)).items;
  auto slices_type = c.resolve("endpointslices.discovery.k8s.io");
  const auto t0 = Clock::now();
  const auto deadline = t0 + options.wait_timeout;
  detail::PollPacer pacer(options.poll_interval);
  while (true) {
    check_cancel();
    pacer.wait();
    auto results = detail::endpoint_results(services, c.list(slices_type, ns(side)).items, running);
    std::size_t ok = 0;
    for (auto& r : results) ok += r.ok ? 1 : 0;
    progress(step_name(Step::CheckServices), "endpoints", ok, results.size());
    if (ok == results.size() || Clock::now() > deadline) {
      for (auto& r : results) r.duration_ms = ms_since(t0);
      return results;
    }
  }
}

StepResult Migration::check_services(Side side) {
  auto& m = *impl_;
  const auto& o = m.options.service_checks;
  std::vector<std::size_t> from_pod;
  std::vector<std::pair<std::size_t, std::future<CheckResult>>> from_host;
  for (std::size_t i = 0; i < o.checks.size(); ++i) detail::check_kind(o.checks[i]);  // validates
  CheckPods pods(m.cluster(side), m.ns(side), o);
  for (std::size_t i = 0; i < o.checks.size(); ++i) {
    if (o.checks[i].from == ServiceCheck::From::Pod) from_pod.push_back(i);
  }
  pods.start(from_pod);
  for (std::size_t i = 0; i < o.checks.size(); ++i) {
    if (o.checks[i].from == ServiceCheck::From::Host)
      from_host.emplace_back(i, std::async(std::launch::async, run_host_check,
                                           std::cref(o.checks[i]), m.options.cancel));
  }
  StepResult r;
  try {
    if (o.endpoints) r.checks = m.wait_endpoints(side);
  } catch (const Error& e) {
    if (e.code() != Errc::forbidden) throw;
    // Not the application's fault: said in the report, the user's own checks still decide.
    r.warnings.push_back(
        fmt::format("Services' endpoints not checked on the {}: {} (grant list on "
                    "endpointslices.discovery.k8s.io, docs/rbac.md)",
                    side_name(side), e.what()));
  }
  std::map<std::size_t, CheckResult> by_index = pods.wait(m);
  for (auto& [i, f] : from_host) by_index[i] = f.get();
  m.check_cancel();
  for (auto& [i, result] : by_index) r.checks.push_back(std::move(result));
  m.absorb(r);
  std::vector<std::string> failed;
  for (const auto& c : r.checks) {
    if (!c.ok) failed.push_back(fmt::format("{} ({}): {}", c.name, c.target, c.detail));
  }
  if (!failed.empty()) {
    throw Error(Errc::timeout, fmt::format("service checks failed on the {}: {}", side_name(side),
                                           fmt::join(failed, "; ")));
  }
  return r;
}

}  // namespace drsync
