// run_plan: a DR plan's namespace pairs, each through its own Migration on its own thread,
// `parallelism` of them working at a time, held together at the phase boundaries of the modes
// that start a side (PhaseGate).
#include <fmt/format.h>

#include <chrono>
#include <map>
#include <mutex>
#include <optional>
#include <semaphore>
#include <thread>

#include "drsync/error.hpp"
#include "drsync/plan.hpp"
#include "plan/phase_gate.hpp"
#include "plan/type_census.hpp"

namespace drsync {
namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

// The phase a step opens in a mode that starts a side: 1 = start it (scale_up), 2 = wait for it
// (wait_ready and what follows). 0: no boundary. Rollback steps never wait for other pairs.
int phase_opened_by(const StepEvent& e) {
  if (!e.before || e.step.rollback) return 0;
  if (e.step.step == Step::ScaleUp) return 1;
  if (e.step.step == Step::WaitReady) return 2;
  return 0;
}

class PlanRun {
 public:
  PlanRun(const Cluster& source, const Cluster& dest, const std::vector<PlanNamespace>& pairs,
          Mode mode, const PlanRunOptions& options)
      : source_(source),
        dest_(dest),
        pairs_(pairs),
        mode_(mode),
        options_(options),
        slots_(static_cast<std::ptrdiff_t>(std::max<std::size_t>(options.parallelism, 1))),
        gate_(pairs.size()),
        reports_(pairs.size()) {}

  PlanReport run() {
    started_ = Clock::now();
    // The modes that sync from the source: its empty types are not listed per pair.
    if (options_.type_census && (mode_ == Mode::Stage || mode_ == Mode::Cutover) &&
        pairs_.size() > 1)
      absent_ = detail::absent_source_types(source_, dest_, pairs_);
    {
      std::vector<std::jthread> threads;
      threads.reserve(pairs_.size());
      for (std::size_t i = 0; i < pairs_.size(); ++i)
        threads.emplace_back([this, i] { run_pair(i); });
    }  // joined
    return report();
  }

 private:
  void run_pair(std::size_t i) {
    slots_.acquire();
    const auto started = Clock::now();
    PlanPairReport& r = reports_[i];
    r.source_namespace = pairs_[i].source;
    r.dest_namespace = pairs_[i].destination.empty() ? pairs_[i].source : pairs_[i].destination;
    if (options_.cancel.cancelled())
      r.error = "not started: the plan run was cancelled";
    else
      run_migration(i, r);
    gate_.leave(i);
    slots_.release();
    r.seconds = seconds_since(started);
  }

  void run_migration(std::size_t i, PlanPairReport& r) {
    std::optional<Migration> m;
    try {
      m.emplace(source_, r.source_namespace, dest_, r.dest_namespace, options_for(i));
      r.report = m->run(mode_);
      r.ran = true;
      r.ok = r.report.ok;
      if (!r.ok && !r.report.errors.empty()) r.error = r.report.errors.front();
    } catch (const Error& e) {  // refused (fenced, pending, unavailable), cancelled, ...
      stopped(m, r, e.code(), e.what());
    } catch (const std::exception& e) {
      stopped(m, r, Errc::internal, e.what());
    }
  }

  static void stopped(std::optional<Migration>& m, PlanPairReport& r, Errc code,
                      const std::string& what) {
    if (m) r.report = m->report();
    r.ran = m && !r.report.steps.empty();
    r.code = code;
    r.error = what;
  }

  MigrationOptions options_for(std::size_t i) {
    MigrationOptions o = pairs_[i].options;
    o.cancel = options_.cancel;
    if (absent_ && !o.sync.absent_source_types) o.sync.absent_source_types = absent_;
    o.progress = [this, i, own = std::move(o.progress)](const MigrationProgress& p) {
      if (own) own(p);
      if (!options_.progress) return;
      std::lock_guard lock(callbacks_);
      options_.progress(i, p);
    };
    o.step_hook = [this, i, own = std::move(o.step_hook)](const StepEvent& e) {
      at_boundary(i, e);
      if (own) own(e);
      if (!e.before && e.step.step == Step::WaitReady && !e.step.rollback) note_ready();
      if (!options_.step_hook) return;
      std::lock_guard lock(callbacks_);
      options_.step_hook(i, e);
    };
    return o;
  }

  // Waits, without holding a slot, until every other pair has reached this phase or left.
  void at_boundary(std::size_t i, const StepEvent& e) {
    const int phase = phase_opened_by(e);
    if (phase == 0 || pairs_.size() < 2) return;
    slots_.release();
    gate_.wait(i, phase);
    slots_.acquire();
    if (options_.cancel.cancelled())
      throw Error(Errc::cancelled, "the plan run was cancelled before " + e.name);
  }

  void note_ready() {
    std::lock_guard lock(callbacks_);
    ready_seconds_ = std::max(ready_seconds_, seconds_since(started_));
  }

  PlanReport report() {
    PlanReport out;
    out.mode = mode_;
    out.parallelism = std::max<std::size_t>(options_.parallelism, 1);
    out.cancelled = options_.cancel.cancelled();
    out.seconds = seconds_since(started_);
    out.ready_seconds = ready_seconds_;
    out.pairs = std::move(reports_);
    out.ok = !out.cancelled && out.failed() == 0;
    return out;
  }

  const Cluster& source_;
  const Cluster& dest_;
  const std::vector<PlanNamespace>& pairs_;
  Mode mode_;
  const PlanRunOptions& options_;
  std::counting_semaphore<> slots_;
  detail::PhaseGate gate_;
  std::vector<PlanPairReport> reports_;
  std::mutex callbacks_;
  Clock::time_point started_;
  double ready_seconds_ = 0;
  std::shared_ptr<const std::set<std::string>> absent_;  // the source's empty types (census)
};

// Pairs run at the same time: two of them writing one local journal would corrupt it.
void check_journals(const std::vector<PlanNamespace>& pairs) {
  std::map<std::string, const PlanNamespace*> seen;
  for (const auto& p : pairs) {
    if (p.options.journal_file.empty()) continue;
    auto [it, fresh] = seen.emplace(p.options.journal_file, &p);
    if (!fresh) {
      throw Error(Errc::invalid_argument,
                  fmt::format("journalFile {} is set for the pairs of {} and {}: pairs run "
                              "together, give each its own journal file",
                              p.options.journal_file, it->second->source, p.source));
    }
  }
}

}  // namespace

PlanReport run_plan(const Cluster& source, const Cluster& dest,
                    const std::vector<PlanNamespace>& pairs, Mode mode,
                    const PlanRunOptions& options) {
  check_journals(pairs);
  return PlanRun(source, dest, pairs, mode, options).run();
}

}  // namespace drsync
