// What rsync said: the summary in the mover Job's termination message, its progress lines, its
// exit status explained (rsync(1), "EXIT VALUES").
#include <fmt/format.h>

#include <array>
#include <sstream>

#include "migration/mover_manifests.hpp"

namespace drsync::detail {
namespace {

// "1,234 (reg: 1,200, dir: 34)" -> 1234: the first number, thousands separators skipped.
std::uint64_t leading_number(std::string_view s) {
  std::uint64_t n = 0;
  std::size_t i = s.find_first_of("0123456789");
  for (; i < s.size() && (std::isdigit(static_cast<unsigned char>(s[i])) || s[i] == ','); ++i) {
    if (s[i] != ',') n = n * 10 + static_cast<std::uint64_t>(s[i] - '0');
  }
  return n;
}

bool starts(std::string_view line, std::string_view prefix) {
  return line.substr(0, prefix.size()) == prefix;
}

void read_verify(RsyncSummary& s, std::string_view rest) {
  std::istringstream in{std::string(rest)};
  std::string mode;
  std::uint64_t compared = 0, differ = 0;
  int exit = 0;
  in >> mode >> compared >> differ >> exit;
  s.verify = fmt::format("{}: {} files compared, {} differ", mode, compared, differ);
  if (exit != 0 && exit != 24) s.verify += fmt::format(" (rsync exit {})", exit);
  s.verify_failed = differ != 0 || (exit != 0 && exit != 24);
}

struct ExitText {
  int code;
  const char* text;
};
constexpr std::array<ExitText, 17> kExits{{
    {0, "success"},
    {1, "syntax or usage error (check rsyncArgs)"},
    {2, "protocol incompatibility between the two rsync versions"},
    {3, "errors selecting input/output files or folders"},
    {4, "action not supported (e.g. ACLs or xattrs on a file system without them)"},
    {5, "error starting the client-server protocol"},
    {6, "daemon unable to append to its log file"},
    {10, "error in socket I/O (the connection to the destination broke)"},
    {11, "error in file I/O (is the destination volume full?)"},
    {12, "error in the rsync protocol data stream (the connection broke, or a disk is full)"},
    {13, "errors with program diagnostics"},
    {14, "error in IPC code"},
    {20, "received SIGUSR1 or SIGINT (stopped)"},
    {23, "partial transfer due to error (some files were not copied)"},
    {24, "partial transfer: source files vanished while copying (a live volume)"},
    {30, "timeout in data send/receive"},
    {255, "ssh failed: the destination's sshd is unreachable, or refused the key"},
}};

}  // namespace

RsyncSummary parse_rsync_summary(const std::string& message) {
  RsyncSummary s;
  std::istringstream in(message);
  std::string line;
  while (std::getline(in, line)) {
    std::string_view l(line);
    if (starts(l, "rsync-exit: ")) s.exit = static_cast<int>(leading_number(l.substr(12)));
    if (starts(l, "Number of files:")) s.files_total = leading_number(l.substr(16));
    if (starts(l, "Number of regular files transferred:"))
      s.files_transferred = leading_number(l.substr(36));
    if (starts(l, "Total file size:")) s.bytes_total = leading_number(l.substr(16));
    if (starts(l, "Total bytes sent:")) s.bytes_sent = leading_number(l.substr(17));
    if (starts(l, "rsync-error: "))
      s.error += fmt::format("{}{}", s.error.empty() ? "" : "; ", l.substr(13));
    if (starts(l, "verify: ")) read_verify(s, l.substr(8));
  }
  return s;
}

std::optional<RsyncProgress> parse_rsync_progress(const std::string& line) {
  auto chk = line.find("-chk=");  // to-chk= (done scanning) or ir-chk= (still scanning)
  auto pct = line.find('%');
  if (chk == std::string::npos || pct == std::string::npos) return std::nullopt;
  RsyncProgress p;
  p.bytes_done = leading_number(line);
  std::uint64_t percent = leading_number(std::string_view(line).substr(line.rfind(' ', pct) + 1));
  p.bytes_total = percent > 0 ? p.bytes_done * 100 / percent : 0;
  if (percent >= 100) p.bytes_total = p.bytes_done;
  std::string_view counts = std::string_view(line).substr(chk + 5);
  std::uint64_t left = leading_number(counts);
  auto slash = counts.find('/');
  if (slash == std::string_view::npos) return std::nullopt;
  p.files_total = leading_number(counts.substr(slash + 1));
  p.files_done = p.files_total >= left ? p.files_total - left : 0;
  return p;
}

std::string explain_rsync_exit(int exit) {
  for (const auto& e : kExits) {
    if (e.code == exit) return fmt::format("{} (rsync exit {})", e.text, exit);
  }
  if (exit == -1) return "rsync did not run";
  if (exit > 128 && exit < 160) return fmt::format("rsync was killed by signal {}", exit - 128);
  return fmt::format("rsync exit {}", exit);
}

// What rsync's own error lines say, when that is clearer than its exit status: ssh could not
// connect, or the destination volume is full (rsync reports both under several statuses).
std::string explain_rsync(int exit, const std::string& error) {
  std::string why;
  if (error.find("No space left on device") != std::string::npos ||
      error.find("Disk quota exceeded") != std::string::npos) {
    why = fmt::format("the destination volume is full (rsync exit {})", exit);
  } else if (error.find("ssh: ") != std::string::npos ||
             error.find("Host key verification failed") != std::string::npos) {
    why = fmt::format(
        "ssh failed: the destination's sshd is unreachable, or refused the key "
        "(rsync exit {})",
        exit);
  } else {
    why = explain_rsync_exit(exit);
  }
  if (!error.empty() && !rsync_exit_ok(exit)) why += ": " + error;
  return why;
}

bool rsync_exit_ok(int exit) {
  return exit == 0 || exit == 24;
}

}  // namespace drsync::detail
