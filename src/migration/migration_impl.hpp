// Internal: the state a Migration carries between its steps (clusters, the ledger, the journal,
// the report being built), shared by the step, plan and runner units.
#pragma once

#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "drsync/migration.hpp"
#include "migration/journal.hpp"
#include "migration/workload_watch.hpp"
#include "migration/workloads.hpp"

namespace drsync {

// What the refusal checks of a mode found (read only): whether it may run, resume, or has
// nothing to do.
struct Admission {
  bool resume = false;
  std::optional<detail::Journal> journal;  // the half-done (resume) or finished (repeat) one
  std::optional<detail::StateStore::State> dest;
  bool source_reachable = true;
  std::string nothing_to_do;
};

struct Migration::Impl {
  Cluster source;
  std::string source_ns;
  Cluster dest;
  std::string dest_ns;
  MigrationOptions options;
  ReplicaLedger ledger;
  detail::StateStore source_state;
  detail::StateStore dest_state;
  Mode mode = Mode::Stage;
  detail::Journal journal;
  MigrationReport report;
  bool source_reachable = true;
  // wait_ready's watches once it returned: stopped, joined later (here or at the next wait).
  std::vector<std::unique_ptr<detail::WorkloadWatch>> stopped_watches;

  Impl(Cluster s, std::string sns, Cluster d, std::string dns, MigrationOptions o);

  const Cluster& cluster(Side s) const { return s == Side::Source ? source : dest; }
  const std::string& ns(Side s) const { return s == Side::Source ? source_ns : dest_ns; }
  const detail::StateStore& state(Side s) const {
    return s == Side::Source ? source_state : dest_state;
  }

  // The workloads a mode acts on; `only_kinds` limits the LISTs (pollers).
  std::vector<detail::Workload> workloads(Side s,
                                          const std::set<std::string>* only_kinds = nullptr) const;
  WorkloadState workload_state(const detail::Workload& w) const;
  void check_cancel() const;
  void progress(const std::string& step, const std::string& object, size_t done,
                size_t total) const;
  std::string subset_text() const;
  bool probe_source() const;

  // The journal: in the destination's state ConfigMap and/or the local file.
  void save_journal();
  std::optional<detail::Journal> load_journal() const;

  // The refusal checks of `mode` (reads only); throws Error(fenced / pending / unavailable).
  Admission admit(Mode mode) const;
  // The steps `mode` runs given what admit() found.
  StepPlan steps_for(Mode mode, const Admission& a) const;

  // Adds what a step did to the report.
  void absorb(const StepResult& r);
  StepResult absorbed(StepResult r) {
    absorb(r);
    return r;
  }
  void snapshot_state();
  // check_services: Services that select a started workload, until each has a ready endpoint or
  // wait_timeout is over.
  std::vector<CheckResult> wait_endpoints(Side side) const;
};

// "deployments.apps/web"
std::string workload_key(const detail::Workload& w);
Side other_side(Side s) noexcept;

}  // namespace drsync
