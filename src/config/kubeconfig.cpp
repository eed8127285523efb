// Kubeconfig loading with kubectl's rules: explicit file, else $KUBECONFIG (merged, first file to
// set a key wins), else ~/.kube/config; then the chosen context's cluster and user are resolved
// into a RestConfig with every certificate and key read into memory.
//
// Errors name the file and the field ("<file>: users[admin].user.client-key-data: invalid
// base64") but never a value: tokens, passwords and keys stay out of messages.
#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>
#include <yaml-cpp/yaml.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "config/pem.hpp"
#include "core/base64.hpp"
#include "core/file.hpp"
#include "drsync/config.hpp"
#include "drsync/error.hpp"
#include "rest/url.hpp"

namespace drsync {
namespace {

namespace fs = std::filesystem;
using detail::certificate_matches_key;
using detail::is_pem_certificates;
using detail::is_pem_private_key;

constexpr const char* kExecV1 = "client.authentication.k8s.io/v1";
constexpr const char* kExecV1beta1 = "client.authentication.k8s.io/v1beta1";
constexpr std::size_t kMaxFileSize = 16 << 20;  // kubeconfigs and certificates are a few KB

[[noreturn]] void fail(const std::string& origin, const std::string& field,
                       const std::string& problem) {
  if (field.empty()) throw Error(Errc::config, fmt::format("{}: {}", origin, problem));
  throw Error(Errc::config, fmt::format("{}: {}: {}", origin, field, problem));
}

// Reads a whole file; on failure returns false with the reason in `why`.
bool read_file(const std::string& path, std::string& out, std::string& why) {
  int failure = detail::read_small_file(path, out, kMaxFileSize);
  if (failure == 0) return true;
  why = failure == EFBIG ? "larger than 16 MiB" : std::strerror(failure);
  return false;
}

// Where YAML came from: errors name `origin`, relative paths resolve against `base_dir`.
struct Source {
  std::string origin;
  std::string base_dir;
};

// One named cluster, user or context.
struct Entry {
  YAML::Node body;    // its cluster / user / context mapping
  std::string field;  // "users[admin].user", for messages
  Source source;
};

struct Kubeconfig {
  std::map<std::string, Entry> clusters;
  std::map<std::string, Entry> users;
  std::map<std::string, Entry> contexts;
  std::string current_context;
  std::string current_context_origin;
  std::vector<std::string> origins;
};

// Field readers: a missing or null field reads as empty/false, a wrong type is an error.
class Fields {
 public:
  explicit Fields(const Entry& entry) : entry_(entry) {}

  const std::string& origin() const { return entry_.source.origin; }
  std::string path(const std::string& key) const { return fmt::format("{}.{}", entry_.field, key); }
  [[noreturn]] void fail_at(const std::string& key, const std::string& problem) const {
    fail(origin(), path(key), problem);
  }

  YAML::Node node(const std::string& key) const {
    if (!entry_.body.IsDefined() || !entry_.body.IsMap()) return YAML::Node();
    return entry_.body[key];
  }
  bool has(const std::string& key) const {
    const YAML::Node n = node(key);
    return n.IsDefined() && !n.IsNull();
  }
  std::string str(const std::string& key) const { return scalar(node(key), key); }
  bool boolean(const std::string& key) const {
    const YAML::Node n = node(key);
    if (!n.IsDefined() || n.IsNull()) return false;
    bool value = false;
    if (!n.IsScalar() || !YAML::convert<bool>::decode(n, value)) {
      fail_at(key, "expected true or false");
    }
    return value;
  }
  std::string scalar(const YAML::Node& n, const std::string& key) const {
    if (!n.IsDefined() || n.IsNull()) return {};
    if (!n.IsScalar()) fail_at(key, "expected a string");
    return n.Scalar();
  }
  // Relative paths are relative to the folder of the file that named them.
  std::string resolve(const std::string& file) const {
    if (file.empty() || fs::path(file).is_absolute() || entry_.source.base_dir.empty()) return file;
    return (fs::path(entry_.source.base_dir) / file).lexically_normal().string();
  }
  std::string read(const std::string& key, const std::string& file) const {
    std::string content, why;
    if (!read_file(file, content, why)) fail_at(key, fmt::format("cannot read {}: {}", file, why));
    return content;
  }
  // A certificate or key given inline (`<key>-data`, base64) or as a file (`<key>`); "" if neither.
  std::string pem(const std::string& key, bool is_key) const {
    std::string data_key = key + "-data";
    std::string data = str(data_key);
    std::string file = str(key);
    if (!data.empty() && !file.empty()) {
      fail_at(key, fmt::format("both {} and {} are set; keep one", key, data_key));
    }
    std::string what =
        is_key ? "a PEM private key (encrypted keys are not supported)" : "a PEM certificate";
    if (!data.empty()) {
      auto decoded = detail::base64_decode(data);
      if (!decoded) fail_at(data_key, "invalid base64");
      if (!(is_key ? is_pem_private_key(*decoded) : is_pem_certificates(*decoded))) {
        fail_at(data_key, fmt::format("not {}", what));
      }
      return *decoded;
    }
    if (file.empty()) return {};
    std::string path = resolve(file);
    std::string content = read(key, path);
    if (!(is_key ? is_pem_private_key(content) : is_pem_certificates(content))) {
      fail_at(key, fmt::format("{} is not {}", path, what));
    }
    return content;
  }

 private:
  const Entry& entry_;
};

// clusters / users / contexts: a list of {name, <body_key>: mapping}.
void collect_entries(const YAML::Node& root, const char* list_key, const char* body_key,
                     const Source& source, std::map<std::string, Entry>& out) {
  const YAML::Node list = root[list_key];
  if (!list.IsDefined() || list.IsNull()) return;
  if (!list.IsSequence()) fail(source.origin, list_key, "expected a list");
  for (std::size_t i = 0; i < list.size(); ++i) {
    const YAML::Node item = list[i];
    std::string at = fmt::format("{}[{}]", list_key, i);
    if (!item.IsMap()) fail(source.origin, at, fmt::format("expected {{name, {}}}", body_key));
    const YAML::Node name_node = item["name"];
    if (!name_node.IsDefined() || !name_node.IsScalar() || name_node.Scalar().empty()) {
      fail(source.origin, fmt::format("{}.name", at), "missing");
    }
    std::string name = name_node.Scalar();
    std::string field = fmt::format("{}[{}].{}", list_key, name, body_key);
    const YAML::Node body = item[body_key];
    if (body.IsDefined() && !body.IsNull() && !body.IsMap()) {
      fail(source.origin, field, "expected a mapping");
    }
    // Within one file a later duplicate replaces an earlier one, as client-go decodes it.
    out.insert_or_assign(name, Entry{body, field, source});
  }
}

Kubeconfig parse_kubeconfig(const std::string& yaml, const Source& source) {
  Kubeconfig config;
  config.origins.push_back(source.origin);
  try {
    const YAML::Node root = YAML::Load(yaml);
    if (!root.IsDefined() || root.IsNull()) return config;  // an empty file is an empty config
    if (!root.IsMap()) fail(source.origin, "", "not a kubeconfig (expected a mapping)");
    collect_entries(root, "clusters", "cluster", source, config.clusters);
    collect_entries(root, "users", "user", source, config.users);
    collect_entries(root, "contexts", "context", source, config.contexts);
    const YAML::Node current = root["current-context"];
    if (current.IsDefined() && !current.IsNull()) {
      if (!current.IsScalar()) fail(source.origin, "current-context", "expected a string");
      config.current_context = current.Scalar();
      config.current_context_origin = source.origin;
    }
  } catch (const YAML::Exception& e) {
    std::string where;
    if (!e.mark.is_null()) {
      where = fmt::format(" at line {}, column {}", e.mark.line + 1, e.mark.column + 1);
    }
    fail(source.origin, "", fmt::format("invalid YAML{}: {}", where, e.msg));
  }
  return config;
}

// client-go's merge: for named entries and current-context the first file to set one wins.
void merge_into(Kubeconfig& merged, Kubeconfig&& next) {
  for (auto& [name, entry] : next.clusters) merged.clusters.try_emplace(name, std::move(entry));
  for (auto& [name, entry] : next.users) merged.users.try_emplace(name, std::move(entry));
  for (auto& [name, entry] : next.contexts) merged.contexts.try_emplace(name, std::move(entry));
  if (merged.current_context.empty() && !next.current_context.empty()) {
    merged.current_context = next.current_context;
    merged.current_context_origin = next.current_context_origin;
  }
  for (auto& origin : next.origins) merged.origins.push_back(std::move(origin));
}

std::string join(const std::vector<std::string>& parts) {
  std::string out;
  for (const auto& part : parts) out += (out.empty() ? "" : ", ") + part;
  return out;
}

std::string names_of(const std::map<std::string, Entry>& entries) {
  std::vector<std::string> names;
  for (const auto& [name, entry] : entries) names.push_back(name);
  return names.empty() ? "none" : join(names);
}

void apply_cluster(const Entry& cluster, RestConfig& config) {
  Fields f(cluster);
  std::string server = f.str("server");
  if (server.empty()) f.fail_at("server", "missing");
  // kubectl accepts host:port; never default to plain http for a credential-carrying client.
  if (server.find("://") == std::string::npos) server = fmt::format("https://{}", server);
  try {
    detail::parse_url(server);
  } catch (const Error& e) {
    f.fail_at("server", e.what());
  }
  config.server = server;
  config.ca_pem = f.pem("certificate-authority", false);
  config.insecure_skip_tls_verify = f.boolean("insecure-skip-tls-verify");
  if (config.insecure_skip_tls_verify && !config.ca_pem.empty()) {
    // client-go refuses this combination too: verification off makes the CA meaningless.
    f.fail_at("insecure-skip-tls-verify", "cannot be combined with a certificate-authority");
  }
  config.tls_server_name = f.str("tls-server-name");
  config.proxy_url = f.str("proxy-url");
}

ExecConfig parse_exec(const Fields& user) {
  const YAML::Node node = user.node("exec");
  if (!node.IsMap()) user.fail_at("exec", "expected a mapping");
  Entry exec_entry{node, user.path("exec"), Source{user.origin(), {}}};
  Fields f(exec_entry);
  ExecConfig exec;
  exec.api_version = f.str("apiVersion");
  if (exec.api_version.empty()) f.fail_at("apiVersion", "missing");
  if (exec.api_version != kExecV1 && exec.api_version != kExecV1beta1) {
    f.fail_at("apiVersion", fmt::format("\"{}\" is not supported (use {} or {})", exec.api_version,
                                        kExecV1, kExecV1beta1));
  }
  exec.command = f.str("command");
  if (exec.command.empty()) f.fail_at("command", "missing");
  // Like client-go: a bare name is looked up in $PATH, a path is relative to the kubeconfig.
  if (exec.command.find('/') != std::string::npos) exec.command = user.resolve(exec.command);

  const YAML::Node args = f.node("args");
  if (args.IsDefined() && !args.IsNull()) {
    if (!args.IsSequence()) f.fail_at("args", "expected a list of strings");
    for (std::size_t i = 0; i < args.size(); ++i) {
      exec.args.push_back(f.scalar(args[i], fmt::format("args[{}]", i)));
    }
  }
  const YAML::Node env = f.node("env");
  if (env.IsDefined() && !env.IsNull()) {
    if (!env.IsSequence()) f.fail_at("env", "expected a list of {name, value}");
    for (std::size_t i = 0; i < env.size(); ++i) {
      std::string at = fmt::format("env[{}]", i);
      if (!env[i].IsMap()) f.fail_at(at, "expected {name, value}");
      const std::string name_at = fmt::format("{}.name", at);
      std::string name = f.scalar(env[i]["name"], name_at);
      if (name.empty()) f.fail_at(name_at, "missing");
      if (name.find('=') != std::string::npos) f.fail_at(name_at, "must not contain '='");
      exec.env.emplace_back(name, f.scalar(env[i]["value"], fmt::format("{}.value", at)));
    }
  }
  // client-go requires it for v1; defaulting it is harmless because we never have a terminal.
  std::string mode = f.str("interactiveMode");
  if (!mode.empty()) {
    if (mode != "Never" && mode != "IfAvailable" && mode != "Always") {
      f.fail_at("interactiveMode",
                fmt::format("\"{}\" is not one of Never, IfAvailable, Always", mode));
    }
    exec.interactive_mode = mode;
  }
  exec.provide_cluster_info = f.boolean("provideClusterInfo");
  exec.install_hint = f.str("installHint");
  return exec;
}

void apply_user(const Entry& user, RestConfig& config) {
  Fields f(user);
  if (f.has("auth-provider")) {
    const YAML::Node provider = f.node("auth-provider");
    std::string name;
    if (provider.IsMap() && provider["name"].IsDefined() && provider["name"].IsScalar()) {
      name = provider["name"].Scalar();
    }
    f.fail_at("auth-provider",
              fmt::format(
                  "{} is not supported (kubectl removed auth-providers too); use an exec "
                  "plugin instead, e.g. gke-gcloud-auth-plugin for GKE or kubelogin for "
                  "AKS",
                  name.empty() ? "auth-provider" : fmt::format("the \"{}\" auth-provider", name)));
  }
  for (const char* key : {"as", "as-uid", "as-groups", "as-user-extra"}) {
    // Silently acting as the base identity instead of the impersonated one would be worse.
    if (f.has(key)) f.fail_at(key, "impersonation is not supported");
  }

  config.client_cert_pem = f.pem("client-certificate", false);
  config.client_key_pem = f.pem("client-key", true);
  if (!config.client_cert_pem.empty() && config.client_key_pem.empty()) {
    f.fail_at("client-certificate", "needs client-key or client-key-data");
  }
  if (config.client_cert_pem.empty() && !config.client_key_pem.empty()) {
    f.fail_at("client-key", "needs client-certificate or client-certificate-data");
  }
  if (!config.client_cert_pem.empty() &&
      !certificate_matches_key(config.client_cert_pem, config.client_key_pem)) {
    f.fail_at("client-key", "does not match the client certificate");
  }

  config.bearer_token = f.str("token");
  std::string token_file = f.str("tokenFile");
  if (!token_file.empty()) {
    // Checked now so a typo fails at load time; the credential source re-reads it later.
    config.bearer_token_file = f.resolve(token_file);
    f.read("tokenFile", config.bearer_token_file);
  }
  config.username = f.str("username");
  config.password = f.str("password");
  if (!config.bearer_token.empty() && (!config.username.empty() || !config.password.empty())) {
    f.fail_at("token", "more than one authentication method (token and username/password)");
  }
  if (f.has("exec")) config.exec = parse_exec(f);
}

RestConfig resolve(const Kubeconfig& merged, const std::string& context_override) {
  const std::string files = join(merged.origins);
  std::string context_name = context_override.empty() ? merged.current_context : context_override;
  if (context_name.empty()) {
    throw Error(Errc::config,
                fmt::format("{}: no current-context is set and no context was given (contexts: {})",
                            files, names_of(merged.contexts)));
  }
  auto context = merged.contexts.find(context_name);
  if (context == merged.contexts.end()) {
    std::string problem = fmt::format("context \"{}\" not found (contexts: {})", context_name,
                                      names_of(merged.contexts));
    if (context_override.empty()) fail(merged.current_context_origin, "current-context", problem);
    throw Error(Errc::config, fmt::format("{}: {}", files, problem));
  }
  Fields ctx(context->second);
  std::string cluster_name = ctx.str("cluster");
  if (cluster_name.empty()) ctx.fail_at("cluster", "missing");
  auto cluster = merged.clusters.find(cluster_name);
  if (cluster == merged.clusters.end()) {
    ctx.fail_at("cluster", fmt::format("cluster \"{}\" not found (clusters: {})", cluster_name,
                                       names_of(merged.clusters)));
  }
  std::string user_name = ctx.str("user");
  if (user_name.empty()) ctx.fail_at("user", "missing");
  auto user = merged.users.find(user_name);
  if (user == merged.users.end()) {
    ctx.fail_at("user", fmt::format("user \"{}\" not found (users: {})", user_name,
                                    names_of(merged.users)));
  }

  RestConfig config;
  config.context = context_name;
  config.origin = ctx.origin();
  std::string ns = ctx.str("namespace");
  if (!ns.empty()) config.namespace_ = ns;
  apply_cluster(cluster->second, config);
  apply_user(user->second, config);
  return config;
}

// Field readers check node types first; this only turns a yaml-cpp surprise into Error(config).
RestConfig resolve_or_fail(const Kubeconfig& merged, const std::string& context) {
  try {
    return resolve(merged, context);
  } catch (const YAML::Exception& e) {
    throw Error(Errc::config, fmt::format("{}: unexpected kubeconfig structure: {}",
                                          join(merged.origins), e.msg));
  }
}

Kubeconfig load_file(const std::string& path) {
  std::string text, why;
  if (!read_file(path, text, why))
    throw Error(Errc::config, fmt::format("{}: cannot read: {}", path, why));
  std::error_code ec;  // absolute() only fails without a working directory: keep it relative
  fs::path absolute = fs::absolute(path, ec);
  if (ec) absolute = path;
  return parse_kubeconfig(text, Source{path, absolute.lexically_normal().parent_path().string()});
}

bool exists(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 || errno != ENOENT;
}

// "~" and "~/..." name the home directory, as DR-Syncer's scripts write them (a shell would have
// expanded them, a flag value "--kubeconfig=~/x" or a Python string is not expanded by anyone).
std::string expand_home(const std::string& path) {
  if (path != "~" && path.rfind("~/", 0) != 0) return path;
  const char* home = std::getenv("HOME");
  if (home == nullptr || *home == '\0') return path;
  return std::string(home) + path.substr(1);
}

// The files to merge, in priority order.
std::vector<std::string> kubeconfig_files(const KubeconfigOptions& options) {
  if (!options.path.empty()) {
    std::string path = expand_home(options.path);
    if (!exists(path)) throw Error(Errc::config, fmt::format("kubeconfig {} does not exist", path));
    return {path};
  }
  const char* env = std::getenv("KUBECONFIG");
  if (env != nullptr && *env != '\0') {
    std::vector<std::string> files;
    std::string_view list(env);
    while (!list.empty()) {
      auto colon = list.find(':');
      std::string file(list.substr(0, colon));
      list = colon == std::string_view::npos ? std::string_view{} : list.substr(colon + 1);
      bool seen = false;
      for (const auto& f : files) seen = seen || f == file;
      // Like kubectl: empty entries and files that do not exist are skipped.
      if (!file.empty() && !seen && exists(file)) files.push_back(std::move(file));
    }
    if (files.empty()) {
      throw Error(Errc::config,
                  fmt::format("no kubeconfig: none of the files in $KUBECONFIG exist ({})", env));
    }
    return files;
  }
  const char* home = std::getenv("HOME");
  if (home == nullptr || *home == '\0') {
    throw Error(Errc::config, "no kubeconfig: neither $KUBECONFIG nor $HOME is set");
  }
  std::string path = (fs::path(home) / ".kube" / "config").string();
  if (!exists(path)) {
    throw Error(Errc::config,
                fmt::format("no kubeconfig: {} does not exist and $KUBECONFIG is not set", path));
  }
  return {path};
}

}  // namespace

RestConfig load_kubeconfig(const KubeconfigOptions& options) {
  Kubeconfig merged;
  for (const auto& file : kubeconfig_files(options)) merge_into(merged, load_file(file));
  return resolve_or_fail(merged, options.context);
}

RestConfig load_kubeconfig_yaml(const std::string& yaml, const std::string& origin,
                                const std::string& base_dir, const std::string& context) {
  return resolve_or_fail(parse_kubeconfig(yaml, Source{origin, base_dir}), context);
}

}  // namespace drsync
