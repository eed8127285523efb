// Internal: standard base64 (RFC 4648, "+/" alphabet) as Kubernetes uses it for []byte fields
// (kubeconfig *-data, Secret data, ExecCredential cluster info).
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace drsync::detail {

// Padded base64 of any bytes.
std::string base64_encode(std::string_view bytes);

// The bytes of `text`, or nullopt when it is not base64. Strict about the alphabet (a stray
// character is an error, never skipped) but, like the tools that write kubeconfigs and
// manifests, tolerant of whitespace/line breaks anywhere and of missing '=' padding.
std::optional<std::string> base64_decode(std::string_view text);

}  // namespace drsync::detail
