#pragma once
// Short identifiers for labels and names: a stable digest of a text and a fresh random run id.

#include <string>
#include <string_view>

namespace drsync::detail {

// 16 hex digits of FNV-1a 64 of `text`: enough to tell sources or contents apart in a label
// value or a name suffix; not a security boundary.
std::string fnv1a_hex(std::string_view text);

// 6 hex digits from std::random_device: tells one run's objects from another's in labels.
std::string new_run_id();

}  // namespace drsync::detail
