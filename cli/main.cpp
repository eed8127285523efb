// drsync: the command line of libdrsync, and an example of embedding its C++ API. Flags are
// DR-Syncer's (dr-syncer-cli) plus drsync's own; see docs/cli.md.
#include <unistd.h>

#include <csignal>
#include <cstdio>

#include <fmt/format.h>
#include <drsync/error.hpp>

#include "cli_options.hpp"
#include "commands.hpp"
#include "exit_codes.hpp"
#include "flags.hpp"
#include "output.hpp"
#include "progress.hpp"
#include "targets.hpp"
#include "version.hpp"

namespace {

using namespace drsync_cli;

drsync::CancelToken* g_cancel = nullptr;

// First SIGINT/SIGTERM: cancel between steps (the journal keeps what was done); second: default.
void on_signal(int sig) {
  if (g_cancel) g_cancel->cancel();
  std::signal(sig, SIG_DFL);
}

int run(const CliOptions& cli) {
  Targets targets = resolve_targets(cli);
  Clusters clusters = connect(targets);
  expand_all_namespaces(targets, clusters);
  Progress progress(stderr, isatty(fileno(stderr)) != 0, cli.log_level);
  drsync::CancelToken cancel;
  g_cancel = &cancel;
  std::signal(SIGINT, on_signal);
  std::signal(SIGTERM, on_signal);

  RunContext ctx{cli, targets, clusters, progress, cancel};
  std::vector<Outcome> outcomes;
  if (cli.command == Command::Status)
    outcomes = run_status(ctx);
  else if (cli.dry_run)
    outcomes = run_dry_run(ctx);
  else
    outcomes = run_modes(ctx);

  if (cli.output == OutputFormat::Json) {
    std::fputs(to_json(cli, targets, outcomes).c_str(), stdout);
    std::fflush(stdout);
    for (const auto& o : outcomes) {  // stdout is for programs; people read stderr
      if (!o.error.empty()) {
        fmt::print(stderr, "drsync: {} -> {}: {}: {}\n", o.source_namespace, o.dest_namespace,
                   result_name(o.result), o.error);
      }
    }
  } else {
    print_text(stdout, stderr, cli, outcomes);
  }
  int code = exit_code(outcomes);
  if (!cli.report_file.empty()) {
    try {
      write_report(cli.report_file, cli, targets, outcomes);
      if (cli.output == OutputFormat::Text && cli.log_level != LogLevel::Error) {
        fmt::print(stderr, "report written to {}\n", cli.report_file);
      }
    } catch (const std::exception& e) {
      fmt::print(stderr, "drsync: error: {}\n", e.what());
      code = kExitFailure;
    }
  }
  if (ctx.cancel.cancelled() && outcomes.size() < targets.pairs.size()) {
    fmt::print(stderr, "drsync: interrupted: {} namespace pair(s) not started\n",
               targets.pairs.size() - outcomes.size());
    code = kExitFailure;
  }
  g_cancel = nullptr;
  return code;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    CliOptions cli = parse_command_line(argc, argv);
    switch (cli.command) {
      case Command::Help:
        std::fputs(usage_text(cli).c_str(), stdout);
        return kExitOk;
      case Command::Version:
        std::puts(version_text().c_str());
        return kExitOk;
      case Command::VersionJson:
        std::puts(version_json().c_str());
        return kExitOk;
      default:
        return run(cli);
    }
  } catch (const UsageError& e) {
    fmt::print(stderr, "drsync: error: {}\nRun `drsync --help` for the flags.\n", e.what());
    return kExitUsage;
  } catch (const drsync::Error& e) {
    fmt::print(stderr, "drsync: error: {}\n", describe(e));
    return exit_code_for(e.code());
  } catch (const std::exception& e) {
    fmt::print(stderr, "drsync: error: {}\n", e.what());
    return kExitFailure;
  }
}
