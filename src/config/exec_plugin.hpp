// Internal: one run of a client-go credential plugin (users[].user.exec) and its ExecCredential.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "config/credentials.hpp"
#include "drsync/config.hpp"

namespace drsync::detail {

struct ExecCredential {
  Credentials credentials;  // bearer_token, or client_cert_pem + client_key_pem
  std::optional<std::chrono::system_clock::time_point> expires;  // nullopt: valid until a 401
};

// The KUBERNETES_EXEC_INFO given to the plugin: spec.interactive is always false (there is no
// terminal for it), spec.cluster is filled only with provideClusterInfo.
std::string exec_info_json(const ExecConfig& exec, const RestConfig& cluster);

// Reads the plugin's stdout. `plugin` names it in errors; the output itself never appears in a
// message because it holds the credential.
ExecCredential parse_exec_credential(std::string_view json, const ExecConfig& exec,
                                     const std::string& plugin);

// Runs the plugin (stdin /dev/null, exec.env added for the child only) and parses its output.
// Throws Error(config) naming the plugin and showing its stderr, with installHint when the
// command is not found.
ExecCredential run_exec_plugin(const ExecConfig& exec, const RestConfig& cluster,
                               std::chrono::milliseconds timeout = std::chrono::seconds(60));

// RFC 3339 ("2024-05-01T12:00:00Z", "...T12:00:00.5+02:00"); nullopt when malformed.
std::optional<std::chrono::system_clock::time_point> parse_rfc3339(std::string_view text);

}  // namespace drsync::detail
