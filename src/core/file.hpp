// Internal: reading the small files configuration comes in (kubeconfigs, PEM, tokens).
#pragma once

#include <cstddef>
#include <string>

namespace drsync::detail {

// Reads a whole file into `out`: 0 on success, else the errno of the failure (EFBIG when it is
// larger than `max_size`, e.g. a device named by mistake). Retries on EINTR.
int read_small_file(const std::string& path, std::string& out, std::size_t max_size = 16 << 20);

}  // namespace drsync::detail
