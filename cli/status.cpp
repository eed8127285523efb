// `drsync status`: which side is active, what the ledger holds, any half-done operation.
#include <chrono>

#include <drsync/error.hpp>

#include "commands.hpp"
#include "exit_codes.hpp"

namespace drsync_cli {

std::vector<Outcome> run_status(RunContext& ctx) {
  std::vector<Outcome> outcomes;
  for (const auto& t : ctx.targets.pairs) {
    Outcome out{t.source_namespace, t.dest_namespace};
    auto started = std::chrono::steady_clock::now();
    try {
      drsync::MigrationOptions o = t.options;
      o.source_probe_attempts = 1;
      drsync::Migration m(ctx.clusters.source, t.source_namespace, ctx.clusters.dest,
                          t.dest_namespace, o);
      out.status = m.status();
    } catch (const drsync::Error& e) {
      out.result = Result::Failed;
      out.error = describe(e);
    }
    out.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    outcomes.push_back(std::move(out));
  }
  return outcomes;
}

}  // namespace drsync_cli
