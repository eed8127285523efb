// migrate_data per PVC pair: every pair copied by a MoverRun (the built-in mover) or handed to
// the embedder's volume hook, `parallelism` at a time on worker threads; the calling thread
// reports progress, journals each finished PVC (a resumed run skips them) and gathers the results.
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <atomic>
#include <mutex>
#include <optional>
#include <thread>

#include "drsync/error.hpp"
#include "migration/migration_impl.hpp"
#include "migration/mover_run.hpp"

namespace drsync {
namespace {

using detail::PvcTask;
using detail::RsyncProgress;

// What the workers share with the calling thread.
struct Board {
  std::mutex mu;
  std::map<std::string, RsyncProgress> progress;  // by PVC, latest
  std::vector<VolumeCopy> finished;               // not yet journalled
  std::atomic<std::size_t> next{0};
  std::atomic<std::size_t> running{0};
  std::exception_ptr error;  // cancellation (or a bug) in a worker
};

// Copies one PVC pair, reporting progress; failures are in the result, cancellation throws.
using Copier =
    std::function<VolumeCopy(const PvcTask&, const std::function<void(const RsyncProgress&)>&)>;

void work(const Copier& copy, const std::vector<PvcTask>& tasks, Board& b) {
  for (std::size_t i = b.next++; i < tasks.size(); i = b.next++) {
    const auto& t = tasks[i];
    try {
      VolumeCopy r = copy(t, [&](const RsyncProgress& p) {
        std::lock_guard lock(b.mu);
        b.progress[t.pvc] = p;
      });
      std::lock_guard lock(b.mu);
      b.finished.push_back(std::move(r));
    } catch (...) {
      std::lock_guard lock(b.mu);
      if (!b.error) b.error = std::current_exception();
      return;
    }
  }
}

std::string journal_key(Side to, const std::string& pvc) {
  return fmt::format("{}/{}", side_name(to), pvc);
}

// Reports progress and journals finished PVCs until every worker is done; passes the caller's
// cancellation on to the run.
void watch(Migration::Impl& m, Side to, Board& b, CancelToken& stop,
           std::vector<VolumeCopy>& results) {
  while (true) {
    std::map<std::string, RsyncProgress> progress;
    std::vector<VolumeCopy> finished;
    {
      std::lock_guard lock(b.mu);
      progress.swap(b.progress);
      finished.swap(b.finished);
    }
    for (const auto& [pvc, p] : progress) {
      if (m.options.progress)
        m.options.progress(MigrationProgress{step_name(Step::MigrateData), pvc, p.bytes_done,
                                             p.bytes_total, p.files_done, p.files_total});
    }
    for (auto& r : finished) {
      if (r.ok) {
        m.journal.volumes_done.push_back(journal_key(to, r.pvc));
        m.save_journal();
      }
      if (m.options.progress)
        m.options.progress(MigrationProgress{step_name(Step::MigrateData), r.pvc, r.bytes_total,
                                             r.bytes_total, r.files_total, r.files_total});
      results.push_back(std::move(r));
    }
    if (b.running == 0) return;
    if (m.options.cancel.cancelled()) stop.cancel();  // the workers stop at their next poll
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
  }
}

// The volume hook as a Copier: its exceptions fail the PVC, as a failed rsync would.
Copier hook_copier(const VolumeHook& hook, VolumePair pair) {
  return [&hook, pair](const PvcTask& t,
                       const std::function<void(const RsyncProgress&)>& progress) {
    VolumePair p = pair;
    p.from_pvc = p.to_pvc = t.pvc;
    VolumeCopy r;
    r.pvc = t.pvc;
    VolumeProgress last;
    const auto t0 = std::chrono::steady_clock::now();
    try {
      hook(p, [&](const VolumeProgress& v) {
        last = v;
        progress({v.bytes_done, v.bytes_total, v.files_done, v.files_total});
      });
      r.ok = true;
      r.message = "copied by the volume hook";
    } catch (const Error& e) {
      if (e.code() == Errc::cancelled) throw;
      r.message = e.what();
    } catch (const std::exception& e) {
      r.message = e.what();
    }
    r.bytes_total = last.bytes_total;
    r.bytes_sent = last.bytes_done;
    r.files_total = last.files_total;
    r.files_transferred = last.files_done;
    r.duration_ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0)
            .count();
    return r;
  };
}

// Stops the workers when the calling thread leaves early (an exception), before they are joined.
struct StopOnExit {
  CancelToken& stop;
  ~StopOnExit() { stop.cancel(); }
};

// The tasks not journalled as copied by an interrupted earlier run (those become warnings).
std::vector<PvcTask> pending_tasks(const Migration::Impl& m, Side to, std::vector<PvcTask> all,
                                   StepResult& r) {
  std::vector<PvcTask> tasks;
  for (auto& t : all) {
    const auto& done = m.journal.volumes_done;
    if (std::find(done.begin(), done.end(), journal_key(to, t.pvc)) != done.end()) {
      r.warnings.push_back(fmt::format("{}: copied before this run was interrupted", t.pvc));
      continue;
    }
    tasks.push_back(std::move(t));
  }
  return tasks;
}

// Copies `tasks` on parallelism worker threads while this thread reports and journals.
void run_workers(Migration::Impl& m, Side to, const Copier& copy, const std::vector<PvcTask>& tasks,
                 CancelToken& stop, std::vector<VolumeCopy>& results) {
  Board board;
  const auto parallelism = static_cast<std::size_t>(std::max(1, m.options.data_mover.parallelism));
  const auto n = std::min(parallelism, tasks.size());
  board.running = n;
  {
    std::vector<std::jthread> workers;
    StopOnExit guard{stop};
    for (std::size_t i = 0; i < n; ++i) {
      workers.emplace_back([&] {
        work(copy, tasks, board);
        --board.running;
      });
    }
    watch(m, to, board, stop, results);
  }
  m.check_cancel();
  if (board.error) std::rethrow_exception(board.error);
}

}  // namespace

StepResult Migration::copy_volumes(Side from, Side to) {
  return copy_volumes(from, to, impl_->options.volume_hook);
}

StepResult Migration::copy_volumes(Side from, Side to, const VolumeHook& hook) {
  auto& m = *impl_;
  const auto& o = m.options.data_mover;
  CancelToken stop;
  const detail::MoverRun::Side source{m.cluster(from), m.ns(from)}, dest{m.cluster(to), m.ns(to)};
  std::optional<detail::MoverRun> run;
  Copier copy;
  if (hook) {
    copy = hook_copier(hook, {from, to, source.cluster, source.ns, "", dest.cluster, dest.ns, ""});
  } else {
    run.emplace(source, dest, o, stop);
    run->remove_leftovers();
    copy = [&run](const PvcTask& t, const std::function<void(const RsyncProgress&)>& progress) {
      return run->copy(t, progress);
    };
  }
  StepResult r;
  auto tasks = pending_tasks(m, to, detail::list_pvc_tasks(source, dest), r);
  run_workers(m, to, copy, tasks, stop, r.volumes);  // throws when cancelled
  m.absorb(r);
  std::vector<std::string> failed;
  for (const auto& v : r.volumes) {
    if (!v.ok) failed.push_back(fmt::format("{}: {}", v.pvc, v.message));
  }
  if (!failed.empty()) {
    throw Error(Errc::unavailable, fmt::format("volume data not copied to the {}: {}",
                                               side_name(to), fmt::join(failed, "; ")));
  }
  return r;
}

}  // namespace drsync
