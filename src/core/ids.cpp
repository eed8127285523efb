#include "core/ids.hpp"

#include <fmt/format.h>

#include <cstdint>
#include <random>

namespace drsync::detail {

std::string fnv1a_hex(std::string_view text) {
  std::uint64_t h = 1469598103934665603ULL;
  for (unsigned char c : text) {
    h ^= c;
    h *= 1099511628211ULL;
  }
  return fmt::format("{:016x}", h);
}

std::string new_run_id() {
  std::random_device rd;
  return fmt::format("{:06x}", rd() & 0xffffffu);
}

}  // namespace drsync::detail
