// Internal: which side of a namespace pair is active, from the role each side's `drsync-state`
// ConfigMap records (written by a Migration's fence / unfence steps). A watch-driven sync reads
// it before writing: it never writes into an active DR site.
#pragma once

#include <string>

#include "drsync/cluster.hpp"

namespace drsync::detail {

// Why nothing may be written into the destination now ("" when it may): the destination is
// marked active, or the source is fenced (passive) — a Cutover ran and no Failback since. Reads
// both ConfigMaps concurrently; throws when either cannot be read (then nobody knows: no write).
std::string destination_active_reason(const Cluster& source, const std::string& source_ns,
                                      const Cluster& dest, const std::string& dest_ns);

}  // namespace drsync::detail
