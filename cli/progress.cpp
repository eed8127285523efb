#include "progress.hpp"

#include "log_line.hpp"

#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>

#include <fmt/format.h>

namespace drsync_cli {
namespace {

int terminal_width(std::FILE* out) {
  winsize ws{};
  if (ioctl(fileno(out), TIOCGWINSZ, &ws) == 0 && ws.ws_col > 20) return ws.ws_col;
  return 80;
}

// 512 B, 1.5 KiB, 12.3 MiB, 1.0 GiB.
std::string human_bytes(std::size_t n) {
  if (n < 1024) return fmt::format("{} B", n);
  const char* units[] = {"KiB", "MiB", "GiB", "TiB"};
  double v = static_cast<double>(n) / 1024;
  std::size_t u = 0;
  for (; v >= 1024 && u + 1 < std::size(units); ++u) v /= 1024;
  return fmt::format("{:.1f} {}", v, units[u]);
}

bool waiting_step(const std::string& step) {
  return step.find("wait_gone") != std::string::npos ||
         step.find("wait_ready") != std::string::npos;
}

}  // namespace

Progress::Progress(std::FILE* out, bool tty, LogLevel level, LogFormat format)
    : out_(out), tty_(tty && format == LogFormat::Text), level_(level), format_(format) {}

void Progress::attach(drsync::MigrationOptions& options) {
  if (level_ == LogLevel::Warn || level_ == LogLevel::Error) return;
  options.progress = [this](const drsync::MigrationProgress& p) { on_progress(p); };
  auto previous = std::move(options.step_hook);
  options.step_hook = [this, previous](const drsync::StepEvent& e) {
    on_step(e);
    if (previous) previous(e);
  };
}

void Progress::begin(const std::string& title) {
  if (level_ == LogLevel::Warn || level_ == LogLevel::Error) return;
  std::lock_guard lock(mutex_);
  line(tty_ ? "\033[1m" + title + "\033[0m" : title);
}

void Progress::end() {
  std::lock_guard lock(mutex_);
  if (open_) {
    std::fputs("\n", out_);
    open_ = false;
  }
  std::fflush(out_);
}

void Progress::line(const std::string& text) {
  if (format_ == LogFormat::Json) {
    std::fputs(json_log_line("info", text).c_str(), out_);
    std::fflush(out_);
    return;
  }
  if (open_) std::fputs("\r\033[K", out_);
  std::fputs(text.c_str(), out_);
  std::fputs("\n", out_);
  open_ = false;
  std::fflush(out_);
}

std::string Progress::counts() const {
  if (!has_counts_) return "";
  if (step_.find("wait_gone") != std::string::npos) {
    return fmt::format("{} pod{} left", total_, total_ == 1 ? "" : "s");
  }
  if (step_.find("wait_ready") != std::string::npos)
    return fmt::format("{}/{} ready", done_, total_);
  if (total_ == 0) return "";
  if (step_.find("migrate_data") != std::string::npos)  // bytes and files of one PVC
    return fmt::format("{}/{}, {}/{} files", human_bytes(done_), human_bytes(total_), files_done_,
                       files_total_);
  return fmt::format("{}/{}", done_, total_);
}

void Progress::draw(bool force) {
  auto now = Clock::now();
  if (tty_) {
    if (!force && now - last_draw_ < std::chrono::milliseconds(50)) return;
    last_draw_ = now;
    int width = terminal_width(out_);
    std::string bar;
    if (total_ > 0 && !waiting_step(step_)) {
      const std::size_t cells = 24;
      std::size_t full = std::min(cells, done_ * cells / total_);
      bar = "[" + std::string(full, '#') + std::string(cells - full, '.') + "] ";
    }
    std::string text = fmt::format("  {:<20} {}{}", step_, bar, counts());
    if (!object_.empty()) text += "  " + object_;
    if (static_cast<int>(text.size()) >= width) text.resize(width - 1);
    std::fputs(("\r\033[K" + text).c_str(), out_);
    open_ = true;
    std::fflush(out_);
    return;
  }
  // Plain lines: every change at debug; otherwise each change of a wait step's counts and at most
  // one line per 2 s for the others. The final counts are on the step's "ok" line.
  bool changed = done_ != last_done_ || total_ != last_total_;
  if (!changed || total_ == 0) return;
  bool complete = done_ == total_;
  if (!force && level_ != LogLevel::Debug &&
      (complete || (!waiting_step(step_) && now - last_draw_ < std::chrono::seconds(2)))) {
    return;
  }
  last_draw_ = now;
  last_done_ = done_;
  last_total_ = total_;
  std::string c = counts();
  if (c.empty()) return;
  std::string text = fmt::format("  {}: {}", step_, c);
  if (level_ == LogLevel::Debug && !object_.empty()) text += " " + object_;
  line(text);
}

void Progress::on_progress(const drsync::MigrationProgress& p) {
  std::lock_guard lock(mutex_);
  if (p.step != step_) {
    step_ = p.step;
    step_started_ = last_draw_ = Clock::now();
    last_done_ = static_cast<std::size_t>(-1);
  }
  // Migration announces each step with an empty event right after the step hook: no counts yet.
  bool announcement = fresh_ && p.done == 0 && p.total == 0 && p.object.empty();
  fresh_ = false;
  if (announcement) return;
  has_counts_ = true;
  object_ = p.object;
  done_ = p.done;
  total_ = p.total;
  files_done_ = p.files_done;
  files_total_ = p.files_total;
  draw(false);
}

void Progress::on_step(const drsync::StepEvent& e) {
  std::lock_guard lock(mutex_);
  if (e.before) {
    step_ = e.name;
    object_.clear();
    done_ = total_ = files_done_ = files_total_ = 0;
    fresh_ = true;
    has_counts_ = false;
    last_done_ = static_cast<std::size_t>(-1);
    step_started_ = last_draw_ = Clock::now();
    if (tty_)
      draw(true);
    else if (level_ == LogLevel::Debug)
      line("  " + e.name + ": started");
    return;
  }
  double secs = std::chrono::duration<double>(Clock::now() - step_started_).count();
  std::string c = counts();
  std::string text =
      fmt::format("  {:<20} ok ({:.1f} s){}", e.name, secs, c.empty() ? "" : ", " + c);
  if (!tty_) text = fmt::format("  {}: ok ({:.1f} s){}", e.name, secs, c.empty() ? "" : ", " + c);
  line(text);
  step_.clear();
  object_.clear();
  done_ = total_ = files_done_ = files_total_ = 0;
}

void Progress::on_pair_step(std::size_t pair, const std::string& title,
                            const drsync::StepEvent& e) {
  if (level_ == LogLevel::Warn || level_ == LogLevel::Error) return;
  std::lock_guard lock(mutex_);
  if (e.before) {
    pair_step_started_[pair] = Clock::now();
    if (level_ == LogLevel::Debug) line(fmt::format("  {}: {}: started", title, e.name));
    return;
  }
  double secs = std::chrono::duration<double>(Clock::now() - pair_step_started_[pair]).count();
  line(fmt::format("  {}: {}: ok ({:.1f} s)", title, e.name, secs));
}

}  // namespace drsync_cli
