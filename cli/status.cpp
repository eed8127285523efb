// `drsync status`: which side is active, what the ledger holds, any half-done operation; and the
// per-pair loop of the read-only commands (each_pair).
#include <chrono>

#include <drsync/error.hpp>

#include "commands.hpp"
#include "exit_codes.hpp"

namespace drsync_cli {

std::vector<Outcome> each_pair(RunContext& ctx,
                               const std::function<void(const Target&, Outcome&)>& fn) {
  std::vector<Outcome> outcomes;
  for (const auto& t : ctx.targets.pairs) {
    if (ctx.cancel.cancelled()) break;
    Outcome out{t.source_namespace, t.dest_namespace};
    auto started = std::chrono::steady_clock::now();
    try {
      fn(t, out);
    } catch (const drsync::Error& e) {
      out.result = Result::Failed;
      out.error = describe(e);
    }
    out.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    outcomes.push_back(std::move(out));
  }
  return outcomes;
}

std::vector<Outcome> run_status(RunContext& ctx) {
  return each_pair(ctx, [&](const Target& t, Outcome& out) {
    drsync::MigrationOptions o = t.options;
    o.source_probe_attempts = 1;
    out.status = migration_for(ctx, t, o).status();
  });
}

}  // namespace drsync_cli
