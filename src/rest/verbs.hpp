// Internal: the request counters of one Cluster, and the method each verb uses.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>

#include "drsync/request.hpp"

namespace drsync::detail {

Method method_for(Verb v) noexcept;

struct Counters {
  std::array<std::atomic<std::uint64_t>, kAllVerbs.size()> by_verb{};
  std::atomic<std::uint64_t> retries{0};
  void count(Verb v) noexcept;
  RequestStats snapshot() const noexcept;
  void reset() noexcept;
};

}  // namespace drsync::detail
