// Internal: the state behind a drsync::Cluster handle.
#pragma once

#include <memory>
#include <mutex>
#include <optional>
#include <vector>

#include "drsync/cluster.hpp"
#include "rest/transport.hpp"

namespace drsync {

struct Cluster::Impl {
  explicit Impl(RestConfig config);

  detail::Transport transport;
  std::mutex discovery_mutex;
  std::optional<std::vector<ResourceInfo>> discovery;  // cached; refreshed on demand

  Response send(Request request);
  std::vector<ResourceInfo> discover();
};

}  // namespace drsync
