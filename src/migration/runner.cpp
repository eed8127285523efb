// Stage, Cutover and Failback: each runs the plan Migration::plan would show, step by step, with
// the embedder's hook around every step, the journal saved after each, and a report at the end.
#include <fmt/format.h>

#include "drsync/error.hpp"
#include "migration/migration_impl.hpp"

namespace drsync {
namespace {

class Runner {
 public:
  Runner(Migration& self, Migration::Impl& m, Mode mode) : self_(self), m_(m), mode_(mode) {}

  MigrationReport execute() {
    begin_report();
    Admission a = m_.admit(mode_);  // throws the refusals (fenced, pending, unavailable)
    StepPlan plan = m_.steps_for(mode_, a);
    m_.source_reachable = a.source_reachable;
    if (!plan.nothing_to_do.empty()) return nothing_to_do(a, plan.nothing_to_do);
    if (!preflight_passes(a)) return refused_by_preflight();
    begin_journal(a);
    for (auto& w : plan.warnings) m_.report.warnings.push_back(w);
    for (auto s : plan.skipped) skipped(std::move(s));
    if (mode_ != Mode::Stage) m_.save_journal();  // Stage creates the namespace first
    try {
      if (!run_steps(plan)) return finish(false);
      // A first Stage marks the destination passive: the state a DR site waits in.
      if (mode_ == Mode::Stage && (!a.dest || a.dest->role.empty()))
        m_.dest_state.save(std::string("passive"), std::nullopt);
      return finish(true);
    } catch (const Error& e) {
      if (e.code() == Errc::cancelled) throw;
      m_.report.errors.push_back(e.what());
      // Stage closes its journal; a failed Cutover or Failback leaves it running, so re-running
      // the mode completes it.
      if (mode_ == Mode::Stage) return finish(false);
      m_.report.ok = false;
      m_.report.finished = detail::now_rfc3339();
      m_.report.source_reachable = m_.source_reachable;
      return m_.report;
    }
  }

 private:
  // Runs the steps; when the started side does not become ready or its Services do not answer
  // (wait_ready timeout, failed check_services) and a rollback is planned, rolls back and
  // returns false.
  bool run_steps(const StepPlan& plan) {
    for (const auto& s : plan.steps) {
      try {
        run(s);
      } catch (const Error& e) {
        const bool not_serving = s.step == Step::WaitReady || s.step == Step::CheckServices;
        if (!not_serving || plan.rollback.empty() || e.code() != Errc::timeout) throw;
        m_.report.errors.push_back(e.what());
        for (const auto& r : plan.rollback) run(r);
        m_.report.rolled_back = true;
        m_.report.source_fenced = false;
        return false;
      }
    }
    return true;
  }

  // One step: hook before, the step, the journal, hook after; recorded in the report.
  void run(const PlannedStep& s) {
    m_.check_cancel();
    const std::string name = s.name();
    call_hook(s, name, true);
    StepRecord rec{name, detail::now_rfc3339(), "", "ok", ""};
    m_.progress(name, "", 0, 0);
    try {
      run_body(s, name);
    } catch (const Error& e) {
      rec.status = "failed";
      rec.message = e.what();
      rec.finished = detail::now_rfc3339();
      m_.report.steps.push_back(std::move(rec));
      throw;
    }
    rec.finished = detail::now_rfc3339();
    m_.report.steps.push_back(std::move(rec));
    if (s.step == Step::WaitGone && s.side == Side::Source) m_.report.source_fenced = true;
    if (!m_.journal.done(name)) m_.journal.steps_done.push_back(name);
    m_.save_journal();
    call_hook(s, name, false);
  }

  // Whatever a step (or an embedder's data hook inside it) throws leaves as a drsync::Error.
  void run_body(const PlannedStep& s, const std::string& name) {
    try {
      self_.run_step(s);
    } catch (const Error&) {
      throw;
    } catch (const std::exception& e) {
      throw Error(Errc::internal, fmt::format("{}: {}", name, e.what()));
    }
  }

  void call_hook(const PlannedStep& s, const std::string& name, bool before) {
    if (!m_.options.step_hook) return;
    try {
      m_.options.step_hook(StepEvent{mode_, s, name, before, &self_});
    } catch (const Error&) {
      throw;
    } catch (const std::exception& e) {
      throw Error(Errc::cancelled, fmt::format("step hook {} {} failed: {}",
                                               before ? "before" : "after", name, e.what()));
    }
  }

  // Stage and Cutover check the destination first (Migration::preflight): warnings are
  // reported; an error stops the mode before any write, unless forced.
  bool preflight_passes(const Admission& a) {
    if ((mode_ != Mode::Stage && mode_ != Mode::Cutover) || !a.source_reachable) return true;
    PreflightReport pre;
    try {
      pre = self_.preflight();
    } catch (const Error& e) {
      if (e.code() == Errc::cancelled) throw;
      m_.report.warnings.push_back(fmt::format("preflight not run: {}", e.what()));
      return true;
    }
    for (auto& l : pre.lines(Severity::Warning)) m_.report.warnings.push_back(std::move(l));
    auto& errors = m_.options.force ? m_.report.warnings : m_.report.errors;
    for (auto& l : pre.lines(Severity::Error)) errors.push_back(std::move(l));
    const bool ok = pre.ok();
    m_.report.preflight = std::move(pre);
    return ok || m_.options.force;
  }

  MigrationReport refused_by_preflight() {
    const std::string now = detail::now_rfc3339();
    m_.report.steps.push_back(StepRecord{
        "preflight", now, now, "failed",
        fmt::format("{} error(s) in the destination would block recovery; fix them or force",
                    m_.report.preflight->count(Severity::Error))});
    m_.report.ok = false;
    m_.report.source_reachable = m_.source_reachable;
    m_.report.finished = now;
    return m_.report;
  }

  void begin_report() {
    m_.mode = mode_;
    m_.report = MigrationReport{};
    m_.report.mode = mode_;
    m_.report.started = detail::now_rfc3339();
  }

  void begin_journal(const Admission& a) {
    if (a.resume) {
      m_.journal = *a.journal;
      return;
    }
    m_.journal = detail::Journal{};
    m_.journal.mode = mode_name(mode_);
    m_.journal.status = "running";
    m_.journal.subset = m_.subset_text();
    m_.journal.started = m_.report.started;
  }

  void skipped(StepRecord rec) {
    rec.started = rec.finished = detail::now_rfc3339();
    m_.report.steps.push_back(std::move(rec));
  }

  // A repeat that finds nothing to do: no write at all.
  MigrationReport nothing_to_do(const Admission& a, const std::string& why) {
    if (a.journal) m_.journal = *a.journal;
    m_.report.source_fenced = mode_ == Mode::Cutover && a.source_reachable;
    skipped(StepRecord{mode_id(mode_), "", "", "skipped", why});
    m_.report.ok = true;
    m_.report.source_reachable = m_.source_reachable;
    m_.report.finished = detail::now_rfc3339();
    m_.snapshot_state();
    return m_.report;
  }

  MigrationReport finish(bool ok) {
    m_.journal.status = "done";
    try {
      m_.save_journal();
    } catch (const Error& e) {
      if (ok) throw;  // never let a journal write hide the failure being reported
      m_.report.warnings.push_back(fmt::format("journal not saved: {}", e.what()));
    }
    m_.report.ok = ok && m_.report.errors.empty();
    m_.report.source_reachable = m_.source_reachable;
    m_.report.finished = detail::now_rfc3339();
    m_.snapshot_state();
    return m_.report;
  }

  Migration& self_;
  Migration::Impl& m_;
  Mode mode_;
};

}  // namespace

MigrationReport Migration::run(Mode mode) {
  return Runner(*this, *impl_, mode).execute();
}

MigrationReport Migration::stage() {
  return Runner(*this, *impl_, Mode::Stage).execute();
}

MigrationReport Migration::cutover() {
  return Runner(*this, *impl_, Mode::Cutover).execute();
}

MigrationReport Migration::failback() {
  return Runner(*this, *impl_, Mode::Failback).execute();
}

MigrationReport Migration::activate() {
  return Runner(*this, *impl_, Mode::Activate).execute();
}

MigrationReport Migration::deactivate() {
  return Runner(*this, *impl_, Mode::Deactivate).execute();
}

}  // namespace drsync
