// The shared state of a Migration: its journal, the workloads it acts on, its report.
#include "migration/migration_impl.hpp"

#include <fmt/format.h>

#include "drsync/error.hpp"

namespace drsync {

std::string workload_key(const detail::Workload& w) {
  return fmt::format("{}/{}", w.type.group_resource(), w.obj.name());
}

Side other_side(Side s) noexcept {
  return s == Side::Source ? Side::Destination : Side::Source;
}

Migration::Impl::Impl(Cluster s, std::string sns, Cluster d, std::string dns, MigrationOptions o)
    : source(std::move(s)),
      source_ns(std::move(sns)),
      dest(std::move(d)),
      dest_ns(std::move(dns)),
      options(std::move(o)),
      ledger(options.sync.custom_scale_kinds),
      source_state(source, source_ns),
      dest_state(dest, dest_ns) {
  options.sync.stop_workloads = true;
}

std::vector<detail::Workload> Migration::Impl::workloads(
    Side s, const std::set<std::string>* only_kinds) const {
  auto list = detail::list_workloads(cluster(s), ns(s), ledger, options.subset, only_kinds);
  if (!options.sync.include_jobs) {
    // Jobs are not copied unless asked, so they are not moved either.
    std::erase_if(list, [](const detail::Workload& w) { return w.obj.kind() == "Job"; });
  }
  return list;
}

WorkloadState Migration::Impl::workload_state(const detail::Workload& w) const {
  WorkloadState st;
  st.resource = w.type.group_resource();
  st.name = std::string(w.obj.name());
  st.value = ledger.live_value(w.obj);
  st.ready = detail::ready_text(w.obj);
  auto recorded = ledger.recorded(w.obj);
  st.recorded = recorded ? recorded->value : "";
  st.original = ledger.original(w.obj).value;
  st.stopped_value = w.spec->stopped_value;
  st.stopped = ledger.is_stopped(w.obj);
  return st;
}

void Migration::Impl::check_cancel() const {
  if (options.cancel.cancelled()) throw Error(Errc::cancelled, "operation cancelled");
}

void Migration::Impl::progress(const std::string& step, const std::string& object, size_t done,
                               size_t total) const {
  if (options.progress) options.progress(MigrationProgress{step, object, done, total});
}

std::string Migration::Impl::subset_text() const {
  std::string s;
  for (const auto& n : options.subset.names) s += n + ",";
  return s + "|" + options.subset.label_selector;
}

bool Migration::Impl::probe_source() const {
  if (options.source_unavailable) return false;
  return source.reachable(std::max(1, options.source_probe_attempts));
}

void Migration::Impl::save_journal() {
  try {
    dest_state.save(std::nullopt, journal);
  } catch (const Error& e) {
    if (!options.journal_file.empty()) {
      report.warnings.push_back(fmt::format("journal not saved in the destination: {}", e.what()));
    } else if (e.code() == Errc::not_found) {
      throw Error(Errc::not_found,
                  fmt::format("the destination namespace {} on {} does not exist: run Stage "
                              "first ({})",
                              dest_ns, dest.server(), e.what()));
    } else {
      throw;
    }
  }
  if (!options.journal_file.empty()) detail::write_journal_file(options.journal_file, journal);
}

std::optional<detail::Journal> Migration::Impl::load_journal() const {
  try {
    if (auto s = dest_state.load(); s && s->journal) return s->journal;
  } catch (const Error&) {
    if (options.journal_file.empty()) throw;
  }
  if (!options.journal_file.empty()) return detail::read_journal_file(options.journal_file);
  return std::nullopt;
}

void Migration::Impl::absorb(const StepResult& r) {
  if (r.sync) report.sync = r.sync;
  report.changes.insert(report.changes.end(), r.changes.begin(), r.changes.end());
  if (!r.readiness.empty()) report.readiness = r.readiness;
  // A re-run check (rollback, resume) replaces the earlier results.
  if (!r.checks.empty()) report.checks = r.checks;
  report.volumes.insert(report.volumes.end(), r.volumes.begin(), r.volumes.end());
  report.warnings.insert(report.warnings.end(), r.warnings.begin(), r.warnings.end());
}

void Migration::Impl::snapshot_state() {
  auto snap = [&](Side s) {
    std::vector<WorkloadState> out;
    for (const auto& w : workloads(s)) out.push_back(workload_state(w));
    return out;
  };
  try {
    report.dest_state = snap(Side::Destination);
  } catch (const Error& e) {
    report.warnings.push_back(fmt::format("destination state not read: {}", e.what()));
  }
  if (!source_reachable) return;
  try {
    report.source_state = snap(Side::Source);
  } catch (const Error& e) {
    report.warnings.push_back(fmt::format("source state not read: {}", e.what()));
  }
}

}  // namespace drsync
