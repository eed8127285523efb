// migrate_data's built-in mover: every PVC pair copied by a MoverRun, `parallelism` at a time on
// worker threads; the calling thread reports progress, journals each finished PVC (a resumed run
// skips them) and gathers the results.
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <atomic>
#include <mutex>
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

void work(detail::MoverRun& run, const std::vector<PvcTask>& tasks, Board& b) {
  for (std::size_t i = b.next++; i < tasks.size(); i = b.next++) {
    const auto& t = tasks[i];
    try {
      VolumeCopy r = run.copy(t, [&](const RsyncProgress& p) {
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

// Stops the workers when the calling thread leaves early (an exception), before they are joined.
struct StopOnExit {
  CancelToken& stop;
  ~StopOnExit() { stop.cancel(); }
};

}  // namespace

StepResult Migration::copy_volumes(Side from, Side to) {
  auto& m = *impl_;
  const auto& o = m.options.data_mover;
  CancelToken stop;
  detail::MoverRun run({m.cluster(from), m.ns(from)}, {m.cluster(to), m.ns(to)}, o, stop);
  run.remove_leftovers();
  std::vector<PvcTask> tasks;
  StepResult r;
  for (auto& t : run.tasks()) {
    if (std::find(m.journal.volumes_done.begin(), m.journal.volumes_done.end(),
                  journal_key(to, t.pvc)) != m.journal.volumes_done.end()) {
      r.warnings.push_back(fmt::format("{}: copied before this run was interrupted", t.pvc));
      continue;
    }
    tasks.push_back(std::move(t));
  }
  Board board;
  const auto n =
      std::min<std::size_t>(static_cast<std::size_t>(std::max(1, o.parallelism)), tasks.size());
  board.running = n;
  {
    std::vector<std::jthread> workers;
    StopOnExit guard{stop};
    for (std::size_t i = 0; i < n; ++i) {
      workers.emplace_back([&] {
        work(run, tasks, board);
        --board.running;
      });
    }
    watch(m, to, board, stop, r.volumes);
  }
  m.check_cancel();
  if (board.error) std::rethrow_exception(board.error);
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
