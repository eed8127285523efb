// `drsync preflight`: what in the destination would block (errors) or degrade (warnings) a
// recovery of each namespace pair, from reads only (Migration::preflight). Also part of --dry-run
// of Stage and Cutover, which stop on an error unless forced.
#include <chrono>

#include <fmt/format.h>

#include <drsync/error.hpp>

#include "commands.hpp"
#include "exit_codes.hpp"

namespace drsync_cli {

void add_preflight(const drsync::PreflightReport& report, bool forced, Outcome& out) {
  using drsync::Severity;
  for (Severity s : {Severity::Error, Severity::Warning, Severity::Info}) {
    for (const auto& f : report.findings) {
      if (f.severity != s) continue;
      out.would.push_back(fmt::format("preflight {}: {}: {}\n       fix: {}",
                                      drsync::severity_name(s), f.object, f.message, f.fix));
    }
  }
  out.preflight = report;
  if (report.ok() || forced || out.result != Result::Succeeded) return;
  out.result = Result::Failed;
  out.error = fmt::format(
      "preflight: {} error(s) in the destination would block recovery\n  next: fix them (each "
      "names its fix), or --force",
      report.count(Severity::Error));
}

std::vector<Outcome> run_preflight(RunContext& ctx) {
  return each_pair(ctx, [&](const Target& t, Outcome& out) {
    drsync::MigrationOptions o = t.options;
    o.cancel = ctx.cancel;
    add_preflight(migration_for(ctx, t, o).preflight(), false, out);
    if (out.would.empty()) out.would.push_back("nothing found that would block recovery");
  });
}

}  // namespace drsync_cli
