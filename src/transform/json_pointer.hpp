// RFC 6901 JSON pointers, split into reference tokens (internal to src/transform).
#pragma once

#include <rapidjson/document.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace drsync::detail {

using PointerTokens = std::vector<std::string>;

// "" is the whole document; otherwise "/"-separated tokens, "~1" -> '/', "~0" -> '~'. nullopt
// when malformed (no leading '/', a '~' not followed by 0 or 1).
std::optional<PointerTokens> parse_json_pointer(std::string_view pointer);

// An array index token: "0" or digits without a leading zero (not "-").
std::optional<rapidjson::SizeType> parse_array_index(std::string_view token) noexcept;

// The value a pointer designates, nullptr when absent.
const rapidjson::Value* resolve(const rapidjson::Value& root, const PointerTokens& tokens);
rapidjson::Value* resolve(rapidjson::Value& root, const PointerTokens& tokens);

}  // namespace drsync::detail
