// Registry-prefix rewriting of container image references (internal to src/transform).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace drsync::detail {

using ImageMap = std::vector<std::pair<std::string, std::string>>;

// Whether the first path component of `image` names a registry host ("gcr.io/x",
// "localhost:5000/x") rather than a Docker Hub repository ("nginx", "bitnami/redis").
bool has_registry(std::string_view image) noexcept;

// `image` with the longest whole-segment matching key of `map` replaced by its value; nullopt
// when no key matches. Names without a registry are also tried in their Docker Hub form
// (nginx:1.25 == docker.io/library/nginx:1.25), so a docker.io key rewrites them.
std::optional<std::string> rewrite_image(std::string_view image, const ImageMap& map);

}  // namespace drsync::detail
