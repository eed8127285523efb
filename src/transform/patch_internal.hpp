// Patch entry points with more detail than the public API (internal to src/transform).
#pragma once

#include <rapidjson/document.h>

#include <string>

#include "drsync/object.hpp"

namespace drsync::detail {

struct JsonPatchResult {
  enum Status { applied, test_failed, failed } status = applied;
  std::string message;  // which operation failed and why; empty when applied
};

// Throws Error(invalid_argument) when `patch` is not a well-formed RFC 6902 document.
void validate_json_patch(const rapidjson::Value& patch);

// RFC 6902, atomic: `target` is only changed when every operation succeeds.
JsonPatchResult json_patch(rapidjson::Value& target, const rapidjson::Value& patch,
                           Object::Allocator& a);

}  // namespace drsync::detail
