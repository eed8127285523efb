#include "config/exec_plugin.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <poll.h>
#include <rapidjson/document.h>
#include <rapidjson/error/en.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <climits>
#include <cstring>
#include <vector>

#include "core/base64.hpp"
#include "drsync/error.hpp"
#include "drsync/object.hpp"

extern char** environ;

namespace drsync::detail {

namespace {

constexpr std::size_t kMaxStdout = 4 << 20;    // an ExecCredential is a few KB
constexpr std::size_t kMaxStderr = 64 << 10;   // kept in memory
constexpr std::size_t kShownStderr = 2 << 10;  // shown in an error message

struct ProcessResult {
  int spawn_error = 0;  // errno of posix_spawnp (ENOENT: not found)
  bool timed_out = false;
  bool stdout_too_large = false;
  int wait_status = 0;
  bool status_known = false;
  std::string out;
  std::string err;
};

// The parent's environment with `overrides` replacing or adding variables; the parent's own
// environment is never modified (setenv is not thread-safe and would leak into other threads).
std::vector<std::string> child_environment(
    const std::vector<std::pair<std::string, std::string>>& overrides) {
  std::vector<std::string> env;
  for (char** entry = environ; entry != nullptr && *entry != nullptr; ++entry) {
    std::string_view var(*entry);
    std::string_view name = var.substr(0, var.find('='));
    bool replaced = std::any_of(overrides.begin(), overrides.end(),
                                [&](const auto& o) { return o.first == name; });
    if (!replaced) env.emplace_back(var);
  }
  // A later override of the same name wins, like a later entry of exec.env in client-go.
  for (std::size_t i = 0; i < overrides.size(); ++i) {
    bool superseded = false;
    for (std::size_t j = i + 1; j < overrides.size(); ++j) {
      superseded = superseded || overrides[j].first == overrides[i].first;
    }
    if (!superseded) env.push_back(overrides[i].first + "=" + overrides[i].second);
  }
  return env;
}

std::vector<char*> null_terminated(std::vector<std::string>& strings) {
  std::vector<char*> pointers;
  pointers.reserve(strings.size() + 1);
  for (auto& s : strings) pointers.push_back(s.data());
  pointers.push_back(nullptr);
  return pointers;
}

// Reads stdout and stderr together (poll) so a chatty plugin cannot block on a full pipe.
void collect_output(int out_fd, int err_fd, std::chrono::milliseconds timeout,
                    ProcessResult& result) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  int fds[2] = {out_fd, err_fd};
  std::string* sinks[2] = {&result.out, &result.err};
  const std::size_t limits[2] = {kMaxStdout, kMaxStderr};
  char buffer[16384];
  while (fds[0] >= 0 || fds[1] >= 0) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      result.timed_out = true;
      break;
    }
    pollfd polled[2] = {{fds[0], POLLIN, 0}, {fds[1], POLLIN, 0}};
    int ready = ::poll(polled, 2, static_cast<int>(std::min<long long>(left.count(), INT_MAX)));
    if (ready < 0 && errno == EINTR) continue;
    if (ready < 0) break;
    for (int i = 0; i < 2; ++i) {
      if (fds[i] < 0 || polled[i].revents == 0) continue;
      ssize_t n = ::read(fds[i], buffer, sizeof buffer);
      if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
      if (n <= 0) {
        ::close(fds[i]);
        fds[i] = -1;
        continue;
      }
      // Past the limit keep draining (so the plugin can finish) but stop storing.
      std::size_t room = limits[i] - std::min(limits[i], sinks[i]->size());
      sinks[i]->append(buffer, std::min(room, static_cast<std::size_t>(n)));
      if (i == 0 && static_cast<std::size_t>(n) > room) result.stdout_too_large = true;
    }
  }
  for (int fd : fds) {
    if (fd >= 0) ::close(fd);
  }
}

ProcessResult run_process(const std::string& command, const std::vector<std::string>& args,
                          std::vector<std::string> env, std::chrono::milliseconds timeout) {
  ProcessResult result;
  int out_pipe[2];
  int err_pipe[2];
  if (::pipe2(out_pipe, O_CLOEXEC) != 0) {
    result.spawn_error = errno;
    return result;
  }
  if (::pipe2(err_pipe, O_CLOEXEC) != 0) {
    result.spawn_error = errno;
    ::close(out_pipe[0]);
    ::close(out_pipe[1]);
    return result;
  }

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, out_pipe[1], 1);
  posix_spawn_file_actions_adddup2(&actions, err_pipe[1], 2);

  // Default signal handling and mask (the host may ignore SIGPIPE or block signals in this
  // thread), and an own process group so a timeout can kill whatever the plugin started.
  posix_spawnattr_t attributes;
  posix_spawnattr_init(&attributes);
  sigset_t no_signals;
  sigemptyset(&no_signals);
  posix_spawnattr_setsigmask(&attributes, &no_signals);
  sigset_t reset_signals;
  sigemptyset(&reset_signals);
  for (int sig : {SIGPIPE, SIGINT, SIGQUIT, SIGTERM, SIGHUP, SIGCHLD, SIGALRM, SIGUSR1, SIGUSR2}) {
    sigaddset(&reset_signals, sig);
  }
  posix_spawnattr_setsigdefault(&attributes, &reset_signals);
  posix_spawnattr_setpgroup(&attributes, 0);
  posix_spawnattr_setflags(&attributes,
                           POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETPGROUP);

  std::vector<std::string> argv_strings{command};
  argv_strings.insert(argv_strings.end(), args.begin(), args.end());
  std::vector<char*> argv = null_terminated(argv_strings);
  std::vector<char*> envp = null_terminated(env);

  pid_t pid = -1;
  int rc = ::posix_spawnp(&pid, command.c_str(), &actions, &attributes, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attributes);
  ::close(out_pipe[1]);
  ::close(err_pipe[1]);
  if (rc != 0) {
    ::close(out_pipe[0]);
    ::close(err_pipe[0]);
    result.spawn_error = rc;
    return result;
  }

  collect_output(out_pipe[0], err_pipe[0], timeout, result);
  if (result.timed_out) {
    ::kill(-pid, SIGKILL);
    ::kill(pid, SIGKILL);
  }
  while (true) {
    pid_t done = ::waitpid(pid, &result.wait_status, 0);
    if (done == pid) {
      result.status_known = true;
      break;
    }
    if (done < 0 && errno == EINTR) continue;
    break;  // ECHILD: the host reaps children itself (SIGCHLD ignored); judge by the output
  }
  return result;
}

std::string describe_stderr(const std::string& err) {
  std::string text = err;
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) text.pop_back();
  if (text.empty()) return "; stderr is empty";
  if (text.size() > kShownStderr) {
    std::size_t more = text.size() - kShownStderr;
    text.resize(kShownStderr);
    text += fmt::format("... [{} more bytes]", more);
  }
  return fmt::format("; stderr:\n{}", text);
}

std::string describe(std::chrono::milliseconds duration) {
  if (duration.count() % 1000 == 0) return fmt::format("{} s", duration.count() / 1000);
  return fmt::format("{} ms", duration.count());
}

std::string plugin_name(const ExecConfig& exec, const RestConfig& cluster) {
  std::string name = fmt::format("exec plugin \"{}\"", exec.command);
  if (!cluster.context.empty()) name += fmt::format(" (context \"{}\")", cluster.context);
  return name;
}

void write_string_field(rapidjson::Writer<rapidjson::StringBuffer>& w, const char* key,
                        const std::string& value) {
  if (value.empty()) return;  // omitempty, as client-go serializes it
  w.Key(key);
  w.String(value.c_str(), static_cast<rapidjson::SizeType>(value.size()));
}

bool parse_digits(std::string_view text, std::size_t pos, std::size_t count, int& out) {
  if (pos + count > text.size()) return false;
  out = 0;
  for (std::size_t i = pos; i < pos + count; ++i) {
    if (text[i] < '0' || text[i] > '9') return false;
    out = out * 10 + (text[i] - '0');
  }
  return true;
}

}  // namespace

std::string exec_info_json(const ExecConfig& exec, const RestConfig& cluster) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> w(buffer);
  w.StartObject();
  write_string_field(w, "apiVersion", exec.api_version);
  write_string_field(w, "kind", "ExecCredential");
  w.Key("spec");
  w.StartObject();
  if (exec.provide_cluster_info) {
    w.Key("cluster");
    w.StartObject();
    write_string_field(w, "server", cluster.server);
    write_string_field(w, "tls-server-name", cluster.tls_server_name);
    if (cluster.insecure_skip_tls_verify) {
      w.Key("insecure-skip-tls-verify");
      w.Bool(true);
    }
    write_string_field(w, "certificate-authority-data", base64_encode(cluster.ca_pem));
    write_string_field(w, "proxy-url", cluster.proxy_url);
    w.EndObject();
  }
  w.Key("interactive");
  w.Bool(false);
  w.EndObject();
  w.EndObject();
  return std::string(buffer.GetString(), buffer.GetSize());
}

ExecCredential parse_exec_credential(std::string_view json, const ExecConfig& exec,
                                     const std::string& plugin) {
  auto invalid = [&](const std::string& why) {
    return Error(Errc::config,
                 fmt::format("{} returned an invalid ExecCredential: {}", plugin, why));
  };
  rapidjson::Document doc;
  doc.Parse(json.data(), json.size());
  if (doc.HasParseError()) {
    throw invalid(fmt::format("not JSON ({} at offset {})",
                              rapidjson::GetParseError_En(doc.GetParseError()),
                              doc.GetErrorOffset()));
  }
  if (!doc.IsObject()) throw invalid("not a JSON object");
  std::string_view kind = json_str(json_get(doc, "kind"));
  if (kind != "ExecCredential") throw invalid(fmt::format("kind is \"{}\"", kind));
  std::string_view api_version = json_str(json_get(doc, "apiVersion"));
  if (api_version != exec.api_version) {
    throw invalid(fmt::format("apiVersion is \"{}\" but the kubeconfig asks for \"{}\"",
                              api_version, exec.api_version));
  }
  const rapidjson::Value* status = json_get(doc, "status");
  if (status == nullptr || !status->IsObject()) throw invalid("no status");

  ExecCredential result;
  result.credentials.bearer_token = std::string(json_str(json_get(*status, "token")));
  result.credentials.client_cert_pem =
      std::string(json_str(json_get(*status, "clientCertificateData")));
  result.credentials.client_key_pem = std::string(json_str(json_get(*status, "clientKeyData")));
  if (result.credentials.client_cert_pem.empty() != result.credentials.client_key_pem.empty()) {
    throw invalid("status has only one of clientCertificateData and clientKeyData");
  }
  if (result.credentials.bearer_token.empty() && result.credentials.client_cert_pem.empty()) {
    throw invalid("status has neither a token nor clientCertificateData/clientKeyData");
  }
  std::string_view expiry = json_str(json_get(*status, "expirationTimestamp"));
  if (!expiry.empty()) {
    result.expires = parse_rfc3339(expiry);
    if (!result.expires) {
      throw invalid(fmt::format("status.expirationTimestamp \"{}\" is not RFC 3339", expiry));
    }
  }
  return result;
}

ExecCredential run_exec_plugin(const ExecConfig& exec, const RestConfig& cluster,
                               std::chrono::milliseconds timeout) {
  const std::string plugin = plugin_name(exec, cluster);
  if (exec.interactive_mode == "Always") {
    throw Error(Errc::config, fmt::format("{} needs a terminal (interactiveMode: Always), but "
                                          "drsync runs plugins without one; use a "
                                          "non-interactive login for it",
                                          plugin));
  }
  auto overrides = exec.env;
  overrides.emplace_back("KUBERNETES_EXEC_INFO", exec_info_json(exec, cluster));
  ProcessResult run = run_process(exec.command, exec.args, child_environment(overrides), timeout);

  if (run.spawn_error == ENOENT) {
    std::string where = exec.command.find('/') == std::string::npos ? " in $PATH" : "";
    std::string hint = exec.install_hint.empty() ? "" : fmt::format("\n{}", exec.install_hint);
    throw Error(Errc::config, fmt::format("{}: command not found{}{}", plugin, where, hint));
  }
  if (run.spawn_error != 0) {
    throw Error(Errc::config, fmt::format("{}: cannot start the command: {}", plugin,
                                          std::strerror(run.spawn_error)));
  }
  if (run.timed_out) {
    throw Error(Errc::config, fmt::format("{} did not finish within {} and was killed{}", plugin,
                                          describe(timeout), describe_stderr(run.err)));
  }
  if (run.status_known && WIFSIGNALED(run.wait_status)) {
    throw Error(Errc::config, fmt::format("{} was killed by signal {}{}", plugin,
                                          WTERMSIG(run.wait_status), describe_stderr(run.err)));
  }
  if (run.status_known && WIFEXITED(run.wait_status) && WEXITSTATUS(run.wait_status) != 0) {
    throw Error(Errc::config, fmt::format("{} failed with exit code {}{}", plugin,
                                          WEXITSTATUS(run.wait_status), describe_stderr(run.err)));
  }
  if (run.stdout_too_large) {
    throw Error(Errc::config,
                fmt::format("{} printed more than {} MiB on stdout", plugin, kMaxStdout >> 20));
  }
  try {
    return parse_exec_credential(run.out, exec, plugin);
  } catch (const Error& e) {
    throw Error(Errc::config, fmt::format("{}{}", e.what(), describe_stderr(run.err)));
  }
}

std::optional<std::chrono::system_clock::time_point> parse_rfc3339(std::string_view text) {
  using namespace std::chrono;
  int y, mo, d, h, mi, s;
  if (text.size() < 20 || !parse_digits(text, 0, 4, y) || text[4] != '-' ||
      !parse_digits(text, 5, 2, mo) || text[7] != '-' || !parse_digits(text, 8, 2, d) ||
      (text[10] != 'T' && text[10] != 't') || !parse_digits(text, 11, 2, h) || text[13] != ':' ||
      !parse_digits(text, 14, 2, mi) || text[16] != ':' || !parse_digits(text, 17, 2, s)) {
    return std::nullopt;
  }
  year_month_day date{year{y}, month{static_cast<unsigned>(mo)}, day{static_cast<unsigned>(d)}};
  if (!date.ok() || h > 23 || mi > 59 || s > 59) return std::nullopt;
  std::size_t pos = 19;
  nanoseconds fraction{0};
  if (text[pos] == '.') {
    ++pos;
    std::size_t start = pos;
    long long scaled = 0;
    for (; pos < text.size() && text[pos] >= '0' && text[pos] <= '9'; ++pos) {
      if (pos - start < 9) scaled = scaled * 10 + (text[pos] - '0');
    }
    if (pos == start) return std::nullopt;
    for (std::size_t digits = pos - start; digits < 9; ++digits) scaled *= 10;
    fraction = nanoseconds{scaled};
  }
  minutes offset{0};
  if (pos < text.size() && (text[pos] == 'Z' || text[pos] == 'z')) {
    ++pos;
  } else if (pos < text.size() && (text[pos] == '+' || text[pos] == '-')) {
    int oh, om;
    if (!parse_digits(text, pos + 1, 2, oh) || pos + 3 >= text.size() || text[pos + 3] != ':' ||
        !parse_digits(text, pos + 4, 2, om) || oh > 23 || om > 59) {
      return std::nullopt;
    }
    offset = hours{oh} + minutes{om};
    if (text[pos] == '-') offset = -offset;
    pos += 6;
  } else {
    return std::nullopt;
  }
  if (pos != text.size()) return std::nullopt;
  auto local = sys_days{date} + hours{h} + minutes{mi} + seconds{s} + fraction;
  return time_point_cast<system_clock::duration>(local - offset);
}

}  // namespace drsync::detail
