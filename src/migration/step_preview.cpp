// Migration::plan(mode, preview): the steps of a mode and, with a preview, what each would
// change, worked out from reads only (a sync plan, the scale plans the steps themselves use).
#include <fmt/format.h>

#include <map>

#include "migration/migration_impl.hpp"
#include "migration/scale_plan.hpp"

namespace drsync {
namespace {

// Walks a plan in order, keeping what the earlier steps would have recorded, so a scale_up is
// previewed with the values the record step before it would write.
class Preview {
 public:
  Preview(Migration::Impl& m, const Admission& a) : m_(m) {
    if (a.journal && a.resume) values_ = a.journal->values;
  }

  void fill(PlannedStep& s) {
    switch (s.step) {
      case Step::Sync:
        s.sync = sync_plan(other_side(s.side), s.side);
        break;
      case Step::Record:
        for (const auto& w : list(s.side)) {  // as record() does
          if (auto original = m_.ledger.known_original(w.obj))
            values_.try_emplace(workload_key(w), original->value);
        }
        break;
      case Step::ScaleDown:
        take(s, plan_scale_down(m_, s.side, list(s.side), values_));
        break;
      case Step::ScaleUp:
        take(s, plan_scale_up(m_, s.side, list(s.side), values_));
        break;
      case Step::WaitGone:
        s.notes.push_back(fmt::format("up to {} s", m_.options.gone_timeout.count()));
        break;
      case Step::WaitReady:
        s.notes.push_back(fmt::format("up to {} s", m_.options.wait_timeout.count()));
        break;
      default:
        break;
    }
  }

 private:
  const std::vector<detail::Workload>& list(Side side) {
    auto it = lists_.find(side);
    if (it == lists_.end()) it = lists_.emplace(side, m_.workloads(side)).first;
    return it->second;
  }

  SyncResult sync_plan(Side from, Side to) {
    SyncOptions so = m_.options.sync;
    so.cancel = m_.options.cancel;
    return NamespaceSync(m_.cluster(from), m_.ns(from), m_.cluster(to), m_.ns(to), so).plan();
  }

  static void take(PlannedStep& s, ScalePlan plan) {
    for (auto& p : plan.patches) s.changes.push_back(std::move(p.change));
    s.notes = std::move(plan.left_alone);
    for (auto& u : plan.unrecorded)
      s.notes.push_back(fmt::format("would FAIL: no recorded replica count for {}", u));
  }

  Migration::Impl& m_;
  ScaleValues values_;
  std::map<Side, std::vector<detail::Workload>> lists_;
};

}  // namespace

StepPlan Migration::plan(Mode mode, bool preview) {
  auto& m = *impl_;
  Admission a = m.admit(mode);
  StepPlan plan = m.steps_for(mode, a);
  if (!preview) return plan;
  Preview p(m, a);
  for (auto& s : plan.steps) p.fill(s);
  // What the mode itself checks first (and would stop at).
  if ((mode == Mode::Stage || mode == Mode::Cutover) && a.source_reachable &&
      plan.nothing_to_do.empty())
    plan.preflight = preflight();
  return plan;
}

}  // namespace drsync
