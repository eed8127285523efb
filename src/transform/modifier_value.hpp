// How Velero reads the string `value` of a resource-modifier patch or match (internal).
#pragma once

#include <rapidjson/document.h>

#include <string>
#include <string_view>

#include "drsync/object.hpp"

namespace drsync::detail {

// Velero's rules, in order: "" -> ""; "\"...\"" -> the quoted text as a string (to force a string
// such as "\"true\""); "null" -> null; true/false (any case) -> boolean; text starting with '{' or
// '[' -> parsed (JSON, or YAML flow style); a JSON number -> number; anything else -> the string.
// Throws Error(invalid_argument) when a '{' / '[' value does not parse.
Object modifier_value(std::string_view raw);

// The text of a scalar: "true", "null", "3", "2.5" (strings are returned as they are).
std::string scalar_text(const rapidjson::Value& v);

}  // namespace drsync::detail
