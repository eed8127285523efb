// What a run prints and writes: a text summary per namespace pair (stdout; errors and advice on
// stderr), the same as one JSON document (--output json), and report files (--report x.json|md).
#pragma once

#include <cstdio>
#include <string>
#include <vector>

#include "cli_options.hpp"
#include "outcome.hpp"
#include "targets.hpp"

namespace drsync_cli {

// The command as a word: "Stage", "Cutover", "Failback" or "status".
std::string command_word(const CliOptions& cli);

void print_text(std::FILE* out, std::FILE* err, const CliOptions& cli,
                const std::vector<Outcome>& outcomes);

// {"command", "dryRun", "plan", "exitCode", "ok", "results": [...]}
std::string to_json(const CliOptions& cli, const Targets& targets,
                    const std::vector<Outcome>& outcomes);
std::string to_markdown(const CliOptions& cli, const std::vector<Outcome>& outcomes);

// Writes the report (JSON or Markdown by the file's extension) through a temporary file and a
// rename. Throws std::runtime_error when it cannot.
void write_report(const std::string& path, const CliOptions& cli, const Targets& targets,
                  const std::vector<Outcome>& outcomes);

}  // namespace drsync_cli
