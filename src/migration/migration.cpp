#include "drsync/migration.hpp"

#include <algorithm>
#include <future>
#include <set>
#include <thread>

#include "drsync/error.hpp"
#include "migration/journal.hpp"
#include "migration/workloads.hpp"
#include "rest/status_error.hpp"

namespace drsync {

using detail::Journal;
using detail::Workload;
using Clock = std::chrono::steady_clock;

namespace {

// Paces a polling loop: no wait before the first poll, then the poll interval, doubling up to 1 s
// (one LIST per poll, so a long wait costs a bounded number of requests).
class PollPacer {
 public:
  explicit PollPacer(std::chrono::milliseconds interval) : interval_(interval) {}
  void wait() {
    if (!first_) {
      std::this_thread::sleep_for(interval_);
      interval_ = std::min<std::chrono::milliseconds>(interval_ * 2, std::chrono::seconds(1));
    }
    first_ = false;
  }

 private:
  std::chrono::milliseconds interval_;
  bool first_ = true;
};

std::string join(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& i : items) out += (out.empty() ? "" : ", ") + i;
  return out;
}

}  // namespace

const char* side_name(Side s) noexcept {
  return s == Side::Source ? "source" : "destination";
}
const char* mode_name(Mode m) noexcept {
  switch (m) {
    case Mode::Stage:
      return "Stage";
    case Mode::Cutover:
      return "Cutover";
    case Mode::Failback:
      return "Failback";
  }
  return "?";
}

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
  Journal journal;
  MigrationReport report;
  bool source_reachable = true;

  Impl(Cluster s, std::string sns, Cluster d, std::string dns, MigrationOptions o)
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

  const Cluster& cluster(Side s) const { return s == Side::Source ? source : dest; }
  const std::string& ns(Side s) const { return s == Side::Source ? source_ns : dest_ns; }
  const detail::StateStore& state(Side s) const {
    return s == Side::Source ? source_state : dest_state;
  }

  std::vector<Workload> workloads(Side s, const std::set<std::string>* only_kinds = nullptr) const {
    auto list = detail::list_workloads(cluster(s), ns(s), ledger, options.subset, only_kinds);
    if (!options.sync.include_jobs) {
      // Jobs are not copied unless asked, so they are not moved either.
      std::erase_if(list, [](const Workload& w) { return w.obj.kind() == "Job"; });
    }
    return list;
  }

  void check_cancel() const {
    if (options.cancel.cancelled()) throw Error(Errc::cancelled, "operation cancelled");
  }

  void progress(const std::string& step, const std::string& object, size_t done,
                size_t total) const {
    if (options.progress) options.progress(MigrationProgress{step, object, done, total});
  }

  void save_journal() {
    try {
      dest_state.save(std::nullopt, journal);
    } catch (const Error& e) {
      if (!options.journal_file.empty()) {
        report.warnings.push_back(std::string("journal not saved in the destination: ") + e.what());
      } else if (e.code() == Errc::not_found) {
        throw Error(Errc::not_found, "the destination namespace " + dest_ns + " on " +
                                         dest.server() + " does not exist: run Stage first (" +
                                         e.what() + ")");
      } else {
        throw;
      }
    }
    if (!options.journal_file.empty()) detail::write_journal_file(options.journal_file, journal);
  }

  std::optional<Journal> load_journal() {
    try {
      if (auto s = dest_state.load(); s && s->journal) return s->journal;
    } catch (const Error&) {
      if (options.journal_file.empty()) throw;
    }
    if (!options.journal_file.empty()) return detail::read_journal_file(options.journal_file);
    return std::nullopt;
  }

  std::string subset_text() const {
    std::string s;
    for (const auto& n : options.subset.names) s += n + ",";
    return s + "|" + options.subset.label_selector;
  }

  // Runs one step: hook before, the step, journal, hook after; recorded in the report. Whatever an
  // embedder's hook or callback throws leaves as a drsync::Error, so the modes' bookkeeping holds.
  void call_hook(Migration& self, const std::string& name, bool before) {
    if (!options.step_hook) return;
    try {
      options.step_hook(StepEvent{mode, name, before, &self});
    } catch (const Error&) {
      throw;
    } catch (const std::exception& e) {
      throw Error(Errc::cancelled, std::string("step hook ") + (before ? "before " : "after ") +
                                       name + " failed: " + e.what());
    }
  }

  template <typename F>
  void step(Migration& self, const std::string& name, F&& body) {
    check_cancel();
    call_hook(self, name, true);
    StepRecord rec;
    rec.name = name;
    rec.started = detail::now_rfc3339();
    progress(name, "", 0, 0);
    try {
      try {
        body();
      } catch (const Error&) {
        throw;
      } catch (const std::exception& e) {
        throw Error(Errc::internal, name + ": " + e.what());
      }
      rec.status = "ok";
    } catch (const Error& e) {
      rec.status = "failed";
      rec.message = e.what();
      rec.finished = detail::now_rfc3339();
      report.steps.push_back(rec);
      throw;
    }
    rec.finished = detail::now_rfc3339();
    report.steps.push_back(rec);
    if (!journal.done(name)) journal.steps_done.push_back(name);
    save_journal();
    call_hook(self, name, false);
  }

  void skipped(const std::string& name, const std::string& why) {
    std::string now = detail::now_rfc3339();
    report.steps.push_back(StepRecord{name, now, now, "skipped", why});
  }

  bool probe_source() {
    if (options.source_unavailable) return false;
    for (int i = 0; i < std::max(1, options.source_probe_attempts); ++i) {
      try {
        source.server_version();
        return true;
      } catch (const Error& e) {
        if (e.code() != Errc::network && e.code() != Errc::timeout &&
            e.code() != Errc::server_error && e.code() != Errc::tls) {
          return true;  // it answered (403, ...): reachable
        }
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(300 * (i + 1)));
    }
    return false;
  }

  // Refuses to start `m` while another mode is half-done (unless forced); returns true when the
  // same mode is half-done and should be resumed.
  bool begin(Mode m) {
    mode = m;
    report = MigrationReport{};
    report.mode = m;
    report.started = detail::now_rfc3339();
    auto pending = load_journal();
    if (pending && pending->status == "running") {
      if (pending->mode != mode_name(m) && !options.force) {
        std::string steps;
        for (const auto& s : pending->steps_done) steps += (steps.empty() ? "" : ", ") + s;
        throw Error(Errc::pending,
                    std::string("a ") + pending->mode + " started " + pending->started +
                        " is not finished (steps done: " + (steps.empty() ? "none" : steps) +
                        "): re-run " + pending->mode + " to complete it, or force");
      }
      if (pending->mode == mode_name(m) && pending->subset == subset_text()) {
        journal = *pending;
        return true;
      }
    }
    journal = Journal{};
    journal.mode = mode_name(m);
    journal.status = "running";
    journal.subset = subset_text();
    journal.started = report.started;
    return false;
  }

  // Ends a mode that finds nothing to do (a repeat): no write at all.
  MigrationReport nothing_to_do(const std::string& step, const std::string& why) {
    skipped(step, why);
    report.ok = true;
    report.source_reachable = source_reachable;
    report.finished = detail::now_rfc3339();
    snapshot_state();
    return report;
  }

  void finish(bool ok) {
    journal.status = "done";
    try {
      save_journal();
    } catch (const Error& e) {
      // Never let a journal write hide the failure being reported.
      if (ok) throw;
      report.warnings.push_back(std::string("journal not saved: ") + e.what());
    }
    report.ok = ok && report.errors.empty();
    report.source_reachable = source_reachable;
    report.finished = detail::now_rfc3339();
    snapshot_state();
  }

  void snapshot_state() {
    auto snap = [&](Side s) {
      std::vector<WorkloadState> out;
      for (const auto& w : workloads(s)) {
        WorkloadState st;
        st.resource = w.type.group_resource();
        st.name = std::string(w.obj.name());
        st.value = ledger.live_value(w.obj);
        st.ready = detail::ready_text(w.obj);
        auto r = ledger.recorded(w.obj);
        st.recorded = r ? r->value : "";
        out.push_back(std::move(st));
      }
      return out;
    };
    try {
      report.dest_state = snap(Side::Destination);
    } catch (const Error& e) {
      report.warnings.push_back(std::string("destination state not read: ") + e.what());
    }
    if (source_reachable) {
      try {
        report.source_state = snap(Side::Source);
      } catch (const Error& e) {
        report.warnings.push_back(std::string("source state not read: ") + e.what());
      }
    }
  }

  // Sends one merge patch per workload, concurrently; returns failures.
  void patch_all(Side side, const std::string& step_name,
                 std::vector<std::pair<const Workload*, std::string>>& patches,
                 const std::function<void(const Workload&)>& on_done) {
    std::vector<std::future<Response>> inflight;
    for (auto& [w, body] : patches) {
      Request req;
      req.method = Method::Patch;
      req.verb = "patch";
      req.idempotent = true;
      req.content_type = "application/merge-patch+json";
      req.path = Cluster::path_for(w->type, ns(side), w->obj.name());
      req.body = body;
      inflight.push_back(cluster(side).send_async(std::move(req)));
    }
    std::vector<std::string> failures;
    for (size_t i = 0; i < inflight.size(); ++i) {
      const Workload& w = *patches[i].first;
      std::string label = w.type.group_resource() + "/" + std::string(w.obj.name());
      try {
        Cluster::check(inflight[i].get(), step_name + " " + side_name(side) + " " + label);
        on_done(w);
      } catch (const Error& e) {
        failures.push_back(e.what());
      }
      progress(step_name, label, i + 1, inflight.size());
    }
    if (!failures.empty()) {
      std::string all;
      for (const auto& f : failures) all += (all.empty() ? "" : "; ") + f;
      throw Error(Errc::server_error, all);
    }
  }
};

Migration::Migration(Cluster source, std::string source_namespace, Cluster dest,
                     std::string dest_namespace, MigrationOptions options)
    : impl_(std::make_unique<Impl>(std::move(source), std::move(source_namespace), std::move(dest),
                                   std::move(dest_namespace), std::move(options))) {}
Migration::~Migration() = default;
Migration::Migration(Migration&&) noexcept = default;
Migration& Migration::operator=(Migration&&) noexcept = default;

// ---- steps -----------------------------------------------------------------------------------

void Migration::sync(Side from, Side to) {
  auto& m = *impl_;
  SyncOptions so = m.options.sync;
  so.cancel = m.options.cancel;
  if (m.options.progress) {
    so.progress = [&m](const SyncProgress& p) { m.progress("sync", p.object, p.done, p.total); };
  }
  NamespaceSync ns_sync(m.cluster(from), m.ns(from), m.cluster(to), m.ns(to), so);
  SyncResult r = ns_sync.run();
  for (const auto& w : r.warnings) m.report.warnings.push_back(w);
  bool ok = r.ok();
  std::string first_error = ok ? "" : r.errors.front();
  m.report.sync = std::move(r);
  if (!ok) throw Error(Errc::server_error, "sync failed: " + first_error);
}

void Migration::record(Side side) {
  auto& m = *impl_;
  for (const auto& w : m.workloads(side)) {
    std::string key = w.type.group_resource() + "/" + std::string(w.obj.name());
    // Resuming: the value recorded before the crash wins (the live one may be drsync's 0 now).
    if (!m.journal.values.count(key)) m.journal.values[key] = m.ledger.original(w.obj).value;
  }
}

void Migration::fence(Side side) {
  impl_->state(side).save(std::string("passive"), std::nullopt);
}
void Migration::unfence(Side side) {
  impl_->state(side).save(std::string("active"), std::nullopt);
}

void Migration::scale_down(Side side) {
  auto& m = *impl_;
  auto list = m.workloads(side);
  std::vector<std::pair<const Workload*, std::string>> patches;
  for (const auto& w : list) {
    std::string key = w.type.group_resource() + "/" + std::string(w.obj.name());
    auto it = m.journal.values.find(key);
    ScaleValue original =
        it != m.journal.values.end() ? ScaleValue{it->second, "journal"} : m.ledger.original(w.obj);
    auto recorded = m.ledger.recorded(w.obj);
    if (m.ledger.is_stopped(w.obj) && recorded && recorded->value == original.value) continue;
    // One request: the original goes onto the object in the same write that stops it.
    patches.emplace_back(&w, m.ledger.scale_patch(*w.spec, w.spec->stopped_value, original, false));
  }
  m.patch_all(side, "scale_down", patches, [&](const Workload& w) {
    m.report.changes.push_back({side, w.type.group_resource(), std::string(w.obj.name()),
                                m.ledger.live_value(w.obj), w.spec->stopped_value});
  });
}

void Migration::scale_up(Side side) {
  auto& m = *impl_;
  auto list = m.workloads(side);
  std::vector<std::pair<const Workload*, std::string>> patches;
  std::map<const Workload*, std::string> targets;
  for (const auto& w : list) {
    std::string key = w.type.group_resource() + "/" + std::string(w.obj.name());
    std::string target;
    if (auto it = m.journal.values.find(key); it != m.journal.values.end()) {
      target = it->second;
    } else if (auto r = m.ledger.recorded(w.obj)) {
      target = r->value;
    } else {
      m.report.warnings.push_back(key + " on the " + side_name(side) +
                                  " has no recorded original scale: left as it is");
      continue;
    }
    // The source, once active again, carries no record: its live value is the original.
    bool clear = side == Side::Source && m.ledger.recorded(w.obj).has_value();
    if (m.ledger.live_value(w.obj) == target && !clear) continue;
    targets[&w] = target;
    patches.emplace_back(&w, m.ledger.scale_patch(*w.spec, target, std::nullopt, clear));
  }
  m.patch_all(side, "scale_up", patches, [&](const Workload& w) {
    m.report.changes.push_back({side, w.type.group_resource(), std::string(w.obj.name()),
                                m.ledger.live_value(w.obj), targets[&w]});
  });
}

void Migration::wait_gone(Side side) {
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
    m.progress("wait_gone", "", 0, remaining.size());
    if (remaining.empty()) return;
    if (Clock::now() > deadline) {
      throw Error(Errc::timeout, std::string("pods still running on the ") + side_name(side) +
                                     " after " + std::to_string(m.options.gone_timeout.count()) +
                                     " s: " + join(remaining));
    }
  }
}

void Migration::wait_ready(Side side) {
  auto& m = *impl_;
  auto deadline = Clock::now() + m.options.wait_timeout;
  // Poll only the kinds that report readiness and are present, backing off to 1 s: a LIST per
  // kind per poll, never a GET per workload.
  std::set<std::string> kinds;
  for (const auto& w : m.workloads(side)) {
    if (!detail::ready_text(w.obj).empty()) kinds.insert(std::string(w.obj.kind()));
  }
  PollPacer pacer(m.options.poll_interval);
  while (true) {
    m.check_cancel();
    pacer.wait();
    std::vector<std::string> not_ready;
    std::vector<std::string> lines;
    auto list = kinds.empty() ? std::vector<Workload>{} : m.workloads(side, &kinds);
    for (const auto& w : list) {
      std::string label = w.type.group_resource() + "/" + std::string(w.obj.name());
      std::string ready = detail::ready_text(w.obj);
      if (ready.empty()) continue;
      lines.push_back(label + ": " + ready + " ready");
      if (!detail::is_ready(w.obj)) not_ready.push_back(label + " (" + ready + ")");
    }
    m.progress("wait_ready", "", lines.size() - not_ready.size(), lines.size());
    if (not_ready.empty()) {
      m.report.readiness = lines;
      return;
    }
    if (Clock::now() > deadline) {
      m.report.readiness = lines;
      throw Error(Errc::timeout, std::string("not ready on the ") + side_name(side) + " after " +
                                     std::to_string(m.options.wait_timeout.count()) +
                                     " s: " + join(not_ready));
    }
  }
}

void Migration::migrate_data(Side from, Side to) {
  auto& m = *impl_;
  if (m.options.data_hook) m.options.data_hook(*this, from, to);
}

void Migration::verify(Side active) {
  auto& m = *impl_;
  Side passive = active == Side::Source ? Side::Destination : Side::Source;
  for (const auto& w : m.workloads(active)) {
    std::string key = w.type.group_resource() + "/" + std::string(w.obj.name());
    auto it = m.journal.values.find(key);
    if (it != m.journal.values.end() && m.ledger.live_value(w.obj) != it->second) {
      m.report.errors.push_back(key + " on the " + side_name(active) + " runs at " +
                                m.ledger.live_value(w.obj) + ", expected " + it->second);
    }
  }
  if (passive == Side::Source && !m.source_reachable) return;
  for (const auto& w : m.workloads(passive)) {
    if (!m.ledger.is_stopped(w.obj)) {
      m.report.errors.push_back(w.type.group_resource() + "/" + std::string(w.obj.name()) +
                                " on the " + side_name(passive) + " is not stopped");
    }
  }
}

MigrationReport Migration::report() const {
  return impl_->report;
}

std::map<std::string, std::string> Migration::ledger(Side side) {
  auto& m = *impl_;
  std::map<std::string, std::string> out;
  for (const auto& w : m.workloads(side)) {
    if (auto r = m.ledger.recorded(w.obj))
      out[w.type.group_resource() + "/" + std::string(w.obj.name())] = r->value;
  }
  return out;
}

MigrationStatus Migration::status() {
  auto& m = *impl_;
  MigrationStatus st;
  m.source_reachable = m.probe_source();
  st.source_reachable = m.source_reachable;
  if (auto s = m.dest_state.load()) {
    st.dest_role = s->role;
    if (s->journal && s->journal->status == "running") {
      st.pending_mode = s->journal->mode;
      st.pending_steps_done = s->journal->steps_done;
    }
  }
  if (m.source_reachable) {
    if (auto s = m.source_state.load()) st.source_role = s->role;
  }
  st.active_side = st.dest_role == "active" ? "destination"
                                            : (st.source_role == "passive" ? "unknown" : "source");
  st.recorded = ledger(Side::Destination);
  return st;
}

// ---- modes -----------------------------------------------------------------------------------

MigrationReport Migration::stage() {
  auto& m = *impl_;
  auto dest = m.dest_state.load();
  if (dest && dest->role == "active" && !m.options.force) {
    throw Error(Errc::fenced,
                "the destination namespace " + m.dest_ns +
                    " is the active side: a Stage would overwrite a live DR site. Run "
                    "Failback first, or force (live replica counts are left untouched)");
  }
  bool resumed = m.begin(Mode::Stage);
  (void)resumed;
  m.source_reachable = true;
  try {
    m.step(*this, "sync", [&] { sync(Side::Source, Side::Destination); });
    m.step(*this, "record", [&] { record(Side::Source); });
    if (!dest || dest->role.empty()) m.dest_state.save(std::string("passive"), std::nullopt);
    m.finish(true);
  } catch (const Error& e) {
    if (e.code() == Errc::cancelled) throw;
    m.report.errors.push_back(e.what());
    m.finish(false);
  }
  return m.report;
}

MigrationReport Migration::cutover() {
  auto& m = *impl_;
  bool resumed = m.begin(Mode::Cutover);
  if (!resumed) {
    auto last = m.load_journal();
    auto dest = m.dest_state.load();
    if (last && last->mode == "Cutover" && last->status == "done" &&
        last->subset == m.subset_text() && dest && dest->role == "active" && !m.options.force) {
      m.journal = *last;
      m.source_reachable = m.probe_source();
      m.report.source_fenced = m.source_reachable;
      return m.nothing_to_do("cutover", "already cut over: the destination is active");
    }
  }
  m.source_reachable = m.probe_source();
  m.save_journal();
  try {
    if (m.source_reachable) {
      m.step(*this, "sync", [&] { sync(Side::Source, Side::Destination); });
      m.step(*this, "record", [&] { record(Side::Source); });
      m.step(*this, "fence", [&] { fence(Side::Source); });
      m.step(*this, "scale_down", [&] { scale_down(Side::Source); });
      m.step(*this, "wait_gone", [&] { wait_gone(Side::Source); });
      m.report.source_fenced = true;
    } else {
      m.report.warnings.push_back(
          "the source cluster " + m.source.server() +
          " is unreachable: it was NOT fenced or scaled down; fence it when it "
          "returns (re-run Cutover, or Failback)");
      for (const char* s : {"sync", "fence", "scale_down", "wait_gone"})
        m.skipped(s, "source unreachable");
      m.step(*this, "record", [&] { record(Side::Destination); });
    }
    if (m.options.migrate_data) {
      m.step(*this, "migrate_data", [&] { migrate_data(Side::Source, Side::Destination); });
    }
    m.step(*this, "unfence", [&] { unfence(Side::Destination); });
    m.step(*this, "scale_up", [&] { scale_up(Side::Destination); });
    try {
      m.step(*this, "wait_ready", [&] { wait_ready(Side::Destination); });
    } catch (const Error& e) {
      if (!m.options.rollback_on_failure || !m.source_reachable || e.code() != Errc::timeout) throw;
      m.report.errors.push_back(e.what());
      m.step(*this, "rollback_scale_down", [&] { scale_down(Side::Destination); });
      m.step(*this, "rollback_wait_gone", [&] { wait_gone(Side::Destination); });
      m.step(*this, "rollback_fence", [&] { fence(Side::Destination); });
      m.step(*this, "rollback_unfence", [&] { unfence(Side::Source); });
      m.step(*this, "rollback_scale_up", [&] { scale_up(Side::Source); });
      m.report.rolled_back = true;
      m.report.source_fenced = false;
      m.finish(false);
      return m.report;
    }
    m.step(*this, "verify", [&] { verify(Side::Destination); });
    m.finish(true);
  } catch (const Error& e) {
    if (e.code() == Errc::cancelled) throw;
    m.report.errors.push_back(e.what());
    m.report.ok = false;
    m.report.finished = detail::now_rfc3339();
    m.report.source_reachable = m.source_reachable;
    // The journal stays "running": re-running Cutover completes it.
  }
  return m.report;
}

MigrationReport Migration::failback() {
  auto& m = *impl_;
  bool resumed = m.begin(Mode::Failback);
  m.source_reachable = m.probe_source();
  if (!m.source_reachable) {
    throw Error(Errc::unavailable,
                "the source cluster " + m.source.server() + " is unreachable: cannot fail back");
  }
  if (!resumed && !m.options.force) {
    auto dest = m.dest_state.load();
    auto src = m.source_state.load();
    bool dest_active = dest && dest->role == "active";
    bool source_passive = src && src->role == "passive";
    if (!dest_active && !source_passive) {
      // Never cut over (or already back): scaling the source to recorded values could undo the
      // user's own changes there.
      return m.nothing_to_do("failback", "the source is already the active side");
    }
  }
  m.save_journal();
  try {
    if (m.options.reverse_sync)
      m.step(*this, "sync", [&] { sync(Side::Destination, Side::Source); });
    if (m.options.reverse_migrate_data) {
      m.step(*this, "migrate_data", [&] { migrate_data(Side::Destination, Side::Source); });
    }
    m.step(*this, "record", [&] { record(Side::Destination); });
    m.step(*this, "fence", [&] { fence(Side::Destination); });
    m.step(*this, "scale_down", [&] { scale_down(Side::Destination); });
    m.step(*this, "wait_gone", [&] { wait_gone(Side::Destination); });
    m.step(*this, "unfence", [&] { unfence(Side::Source); });
    m.step(*this, "scale_up", [&] { scale_up(Side::Source); });
    m.step(*this, "wait_ready", [&] { wait_ready(Side::Source); });
    m.step(*this, "verify", [&] { verify(Side::Source); });
    m.report.source_fenced = false;
    m.finish(true);
  } catch (const Error& e) {
    if (e.code() == Errc::cancelled) throw;
    m.report.errors.push_back(e.what());
    m.report.ok = false;
    m.report.finished = detail::now_rfc3339();
  }
  return m.report;
}

}  // namespace drsync
