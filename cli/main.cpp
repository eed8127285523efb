// drsync: the command line of libdrsync, and an example of embedding its C++ API. Flags are
// DR-Syncer's (dr-syncer-cli) plus drsync's own; see docs/cli.md.
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <optional>

#include <fmt/format.h>
#include <drsync/error.hpp>

#include "cli_options.hpp"
#include "commands.hpp"
#include "exit_codes.hpp"
#include "flags.hpp"
#include "generated_docs.hpp"
#include "log_line.hpp"
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

// "drsync: MESSAGE" on stderr, or a JSON log line with --log-format json.
void log_error(const CliOptions& cli, const std::string& message) {
  if (cli.log_format == LogFormat::Json)
    std::fputs(json_log_line("error", message).c_str(), stderr);
  else
    fmt::print(stderr, "drsync: {}\n", message);
}

int run(const CliOptions& cli) {
  Targets targets = resolve_targets(cli);
  Clusters clusters = connect(targets, cli.timeouts);
  expand_all_namespaces(targets, clusters);
  Progress progress(stderr, isatty(fileno(stderr)) != 0, cli.log_level, cli.log_format);
  drsync::CancelToken cancel;
  g_cancel = &cancel;
  std::signal(SIGINT, on_signal);
  std::signal(SIGTERM, on_signal);

  RunContext ctx{cli, targets, clusters, progress, cancel};
  if (cli.continuous.any()) {
    const int code = cli.continuous.continuous ? run_continuous(ctx) : run_scheduled_stage(ctx);
    g_cancel = nullptr;
    return code;
  }
  std::vector<Outcome> outcomes;
  if (cli.command == Command::Status)
    outcomes = run_status(ctx);
  else if (cli.command == Command::Preflight)
    outcomes = run_preflight(ctx);
  else if (cli.dry_run)
    outcomes = run_dry_run(ctx);
  else
    outcomes = run_modes(ctx);

  if (cli.output == OutputFormat::Json) {
    std::fputs(to_json(cli, targets, outcomes).c_str(), stdout);
    std::fflush(stdout);
    for (const auto& o : outcomes) {  // stdout is for programs; people read stderr
      if (!o.error.empty()) {
        log_error(cli, fmt::format("{} -> {}: {}: {}", o.source_namespace, o.dest_namespace,
                                   result_name(o.result), o.error));
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
      log_error(cli, fmt::format("error: {}", e.what()));
      code = kExitFailure;
    }
  }
  if (ctx.cancel.cancelled() && outcomes.size() < targets.pairs.size()) {
    log_error(cli, fmt::format("interrupted: {} namespace pair(s) not started",
                               targets.pairs.size() - outcomes.size()));
    code = kExitFailure;
  }
  g_cancel = nullptr;
  return code;
}

// Help, version, completion, man page: printed, exit 0; nullopt for the commands that run.
std::optional<int> print_command(const CliOptions& cli) {
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
    case Command::Completion:
      std::fputs(completion_script(cli.completion_shell).c_str(), stdout);
      return kExitOk;
    case Command::Man:
      std::fputs(man_page(version_number()).c_str(), stdout);
      return kExitOk;
    default:
      return std::nullopt;
  }
}

}  // namespace

int main(int argc, char** argv) {
  CliOptions cli;
  try {
    cli = parse_command_line(argc, argv);
  } catch (const UsageError& e) {
    fmt::print(stderr, "drsync: error: {}\nRun `drsync --help` for the flags.\n", e.what());
    return kExitUsage;
  }
  try {
    if (auto code = print_command(cli)) return *code;
    return run(cli);
  } catch (const UsageError& e) {  // found once the flags are combined (targets.cpp)
    log_error(cli,
              fmt::format(
                  "error: {}{}", e.what(),
                  cli.log_format == LogFormat::Text ? "\nRun `drsync --help` for the flags." : ""));
    return kExitUsage;
  } catch (const drsync::Error& e) {
    log_error(cli, fmt::format("error: {}", describe(e)));
    return exit_code_for(e.code());
  } catch (const std::exception& e) {
    log_error(cli, fmt::format("error: {}", e.what()));
    return kExitFailure;
  }
}
