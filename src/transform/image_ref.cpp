#include "transform/image_ref.hpp"

namespace drsync::detail {
namespace {

std::string_view trim_slash(std::string_view s) {
  while (!s.empty() && s.back() == '/') s.remove_suffix(1);
  return s;
}

// `key` is a prefix of `ref` ending at a path boundary. A tag (':') or digest ('@') also ends
// the repository path, except right after a bare registry host, where ':' starts a port.
bool segment_prefix(std::string_view ref, std::string_view key, bool ref_has_registry) {
  if (key.empty() || ref.size() < key.size() || ref.compare(0, key.size(), key) != 0) return false;
  if (ref.size() == key.size()) return true;
  const char next = ref[key.size()];
  if (next == '/') return true;
  const bool key_is_host = ref_has_registry && key.find('/') == std::string_view::npos;
  return (next == ':' || next == '@') && !key_is_host;
}

}  // namespace

bool has_registry(std::string_view image) noexcept {
  const auto slash = image.find('/');
  if (slash == std::string_view::npos) return false;
  const std::string_view first = image.substr(0, slash);
  return first.find_first_of(".:") != std::string_view::npos || first == "localhost";
}

std::optional<std::string> rewrite_image(std::string_view image, const ImageMap& map) {
  if (map.empty() || image.empty()) return std::nullopt;
  const bool registry = has_registry(image);
  std::string hub;  // the Docker Hub form of a short name, built only when needed
  if (!registry) {
    hub = image.find('/') == std::string_view::npos ? "docker.io/library/" : "docker.io/";
    hub.append(image);
  }
  const std::pair<std::string, std::string>* best = nullptr;
  std::string_view best_ref;
  std::size_t best_len = 0;
  for (const auto& entry : map) {
    const std::string_view key = trim_slash(entry.first);
    if (key.size() <= best_len && best) continue;  // longest key wins; ties keep the first
    if (segment_prefix(image, key, registry)) {
      best = &entry, best_ref = image, best_len = key.size();
    } else if (!registry && segment_prefix(hub, key, true)) {
      best = &entry, best_ref = hub, best_len = key.size();
    }
  }
  if (!best) return std::nullopt;
  std::string out(trim_slash(best->second));
  out.append(best_ref.substr(best_len));
  return out;
}

}  // namespace drsync::detail
