// The steps a mode is made of (each idempotent, each returning what it did), and the reads an
// embedder or the CLI makes between them.
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <set>

#include "drsync/error.hpp"
#include "migration/migration_impl.hpp"

namespace drsync {

Migration::Migration(Cluster source, std::string source_namespace, Cluster dest,
                     std::string dest_namespace, MigrationOptions options)
    : impl_(std::make_unique<Impl>(std::move(source), std::move(source_namespace), std::move(dest),
                                   std::move(dest_namespace), std::move(options))) {}
Migration::~Migration() = default;

Migration Migration::single(Cluster cluster, std::string ns, MigrationOptions options) {
  options.source_unavailable = true;  // never probed, never touched
  return Migration(cluster, ns, cluster, ns, std::move(options));
}

std::vector<std::string> Migration::stopped_namespaces(const Cluster& cluster,
                                                       const MigrationOptions& options) {
  ReplicaLedger ledger(options.sync.custom_scale_kinds);
  std::set<std::string> found;
  for (const auto& w : detail::list_workloads(cluster, "", ledger, options.subset)) {
    if (ledger.is_stopped(w.obj)) found.insert(std::string(w.obj.namespace_()));
  }
  return {found.begin(), found.end()};
}
Migration::Migration(Migration&&) noexcept = default;
Migration& Migration::operator=(Migration&&) noexcept = default;

StepResult Migration::sync(Side from, Side to) {
  auto& m = *impl_;
  SyncOptions so = m.options.sync;
  so.cancel = m.options.cancel;
  if (m.options.progress) {
    so.progress = [&m](const SyncProgress& p) {
      m.progress(step_name(Step::Sync), p.object, p.done, p.total);
    };
  }
  NamespaceSync ns_sync(m.cluster(from), m.ns(from), m.cluster(to), m.ns(to), so);
  StepResult r;
  r.sync = ns_sync.run();
  r.warnings = r.sync->warnings;
  m.absorb(r);
  if (!r.sync->ok()) {
    // The cause stays: a 403 inside the sync is `forbidden`, a 422 `invalid`.
    throw Error(r.sync->error_code, fmt::format("sync failed: {}", r.sync->errors.front()));
  }
  return r;
}

StepResult Migration::record(Side side) {
  auto& m = *impl_;
  for (const auto& w : m.workloads(side)) {
    // A stopped workload with no record anywhere has no known original: scale_up decides (it
    // fails naming it, or leaves it), never "starts" it at its stopped value.
    // Resuming: the value recorded before the crash wins (the live one may be drsync's 0 now).
    if (auto original = m.ledger.known_original(w.obj))
      m.journal.values.try_emplace(workload_key(w), original->value);
  }
  return {};
}

StepResult Migration::fence(Side side) {
  impl_->state(side).save(std::string("passive"), std::nullopt);
  return {};
}

StepResult Migration::unfence(Side side) {
  impl_->state(side).save(std::string("active"), std::nullopt);
  return {};
}

StepResult Migration::migrate_data(Side from, Side to) {
  auto& m = *impl_;
  if (!m.options.data_hook) return copy_volumes(from, to);
  m.options.data_hook(*this, from, to);
  return {};
}

StepResult Migration::verify(Side active) {
  auto& m = *impl_;
  Side passive = other_side(active);
  std::vector<std::string> wrong;
  for (const auto& w : m.workloads(active)) {
    auto it = m.journal.values.find(workload_key(w));
    std::string live = m.ledger.live_value(w.obj);
    if (it != m.journal.values.end() && live != it->second) {
      wrong.push_back(fmt::format("{} on the {} runs at {}, expected {}", workload_key(w),
                                  side_name(active), live, it->second));
    }
  }
  if (passive == Side::Destination || m.source_reachable) {
    for (const auto& w : m.workloads(passive)) {
      if (!m.ledger.is_stopped(w.obj)) {
        wrong.push_back(
            fmt::format("{} on the {} is not stopped", workload_key(w), side_name(passive)));
      }
    }
  }
  if (!wrong.empty()) throw Error(Errc::conflict, fmt::format("{}", fmt::join(wrong, "; ")));
  return {};
}

StepResult Migration::run_step(const PlannedStep& s) {
  switch (s.step) {
    case Step::Sync:
      return sync(other_side(s.side), s.side);
    case Step::Record:
      return record(s.side);
    case Step::Fence:
      return fence(s.side);
    case Step::Unfence:
      return unfence(s.side);
    case Step::ScaleDown:
      return scale_down(s.side);
    case Step::ScaleUp:
      return scale_up(s.side);
    case Step::WaitGone:
      return wait_gone(s.side);
    case Step::WaitReady:
      return wait_ready(s.side);
    case Step::MigrateData:
      return migrate_data(other_side(s.side), s.side);
    case Step::Verify:
      return verify(s.side);
    case Step::CheckServices:
      return check_services(s.side);
  }
  throw Error(Errc::invalid_argument, "unknown step");
}

MigrationReport Migration::report() const {
  return impl_->report;
}

const MigrationOptions& Migration::options() const noexcept {
  return impl_->options;
}

bool Migration::source_reachable() {
  impl_->source_reachable = impl_->probe_source();
  return impl_->source_reachable;
}

std::vector<WorkloadState> Migration::workloads(Side side) {
  std::vector<WorkloadState> out;
  for (const auto& w : impl_->workloads(side)) out.push_back(impl_->workload_state(w));
  return out;
}

std::map<std::string, std::string> Migration::ledger(Side side) {
  std::map<std::string, std::string> out;
  for (const auto& w : impl_->workloads(side)) {
    if (auto r = impl_->ledger.recorded(w.obj)) out[workload_key(w)] = r->value;
  }
  return out;
}

MigrationStatus Migration::status() {
  auto& m = *impl_;
  MigrationStatus st;
  st.source_reachable = source_reachable();
  if (auto s = m.dest_state.load()) {
    st.dest_role = s->role;
    if (s->journal && s->journal->status == "running") {
      st.pending_mode = s->journal->mode;
      st.pending_steps_done = s->journal->steps_done;
    }
  }
  if (st.source_reachable) {
    if (auto s = m.source_state.load()) st.source_role = s->role;
  }
  st.active_side = st.dest_role == "active" ? "destination"
                                            : (st.source_role == "passive" ? "unknown" : "source");
  st.recorded = ledger(Side::Destination);
  return st;
}

}  // namespace drsync
