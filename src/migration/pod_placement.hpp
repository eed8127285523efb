// Internal: JSON helpers for the Pods drsync runs itself (check Pods, data mover Pods).
#pragma once

#include <string_view>

#include "drsync/migration.hpp"
#include "drsync/object.hpp"

namespace drsync::detail {

// Adds nodeSelector and tolerations of `p` to a Pod spec (nothing when they are empty).
void apply_placement(rapidjson::Value& pod_spec, const PodPlacement& p, Object::Allocator& a);

// Sets the string at JSON pointer `pointer` of `obj`, creating the objects on the way.
void set_string(Object& obj, std::string_view pointer, std::string_view value);

}  // namespace drsync::detail
