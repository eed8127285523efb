// Progress of a running mode on stderr: a bar per step on a terminal (objects done/total, the
// object being worked on; for migrate_data the PVC's bytes and files), plain lines otherwise
// (logs, CI). Fed by MigrationOptions::progress
// and MigrationOptions::step_hook.
#pragma once

#include <chrono>
#include <cstdio>
#include <map>
#include <mutex>
#include <string>

#include <drsync/migration.hpp>

#include "cli_options.hpp"

namespace drsync_cli {

class Progress {
 public:
  // `tty`: draw bars (isatty(stderr)); `level`: debug prints every event in plain mode, warn
  // and error print nothing; `format` json: one JSON object per line, never bars.
  Progress(std::FILE* out, bool tty, LogLevel level, LogFormat format = LogFormat::Text);

  // Installs the callbacks into `options` (keeps any step_hook already set).
  void attach(drsync::MigrationOptions& options);
  // A heading line ("Cutover shop -> shop-dr").
  void begin(const std::string& title);
  // Ends the current bar line, if any.
  void end();

  void on_progress(const drsync::MigrationProgress& p);
  void on_step(const drsync::StepEvent& e);
  // Namespace pairs running together (a plan): one plain line per finished step, named by the
  // pair's title ("shop -> shop-dr: scale_up: ok (0.4 s)"); no bars.
  void on_pair_step(std::size_t pair, const std::string& title, const drsync::StepEvent& e);

 private:
  using Clock = std::chrono::steady_clock;
  void draw(bool force);
  void line(const std::string& text);
  std::string counts() const;

  std::FILE* out_;
  bool tty_;
  LogLevel level_;
  LogFormat format_;
  std::mutex mutex_;
  bool open_ = false;        // a bar line is on screen without its newline
  bool fresh_ = false;       // the step just began (its announcement event is next)
  bool has_counts_ = false;  // the step reported counts
  std::string step_;
  std::string object_;
  std::size_t done_ = 0, total_ = 0;
  std::size_t files_done_ = 0, files_total_ = 0;  // migrate_data: of the PVC in `object_`
  std::size_t last_done_ = static_cast<std::size_t>(-1), last_total_ = 0;
  Clock::time_point step_started_;
  std::map<std::size_t, Clock::time_point> pair_step_started_;
  Clock::time_point last_draw_;
};

}  // namespace drsync_cli
