// Internal: unified diffs between the live destination object and what would be written.
#pragma once

#include <string>

#include "drsync/object.hpp"

namespace drsync::detail {

// A copy of `obj` fit for showing a person: Secret data/stringData values replaced by
// "<redacted>" (and, where `other` holds a different value for the key, "<redacted, changed>").
Object masked_for_display(const Object& obj, const Object* other);
// Unified diff (3 lines of context) of the YAML forms of `live` and `desired`; `live` may be null
// (a create). Secret data is masked.
std::string unified_diff(const Object* live, const Object& desired, const std::string& label);

}  // namespace drsync::detail
