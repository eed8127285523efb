// Internal: parsing one LIST response page, optionally without the items' managedFields.
#pragma once

#include <rapidjson/document.h>

#include <string_view>

namespace drsync::detail {

// Parses `body` into `doc`. With `without_managed_fields`, the value of
// items[*].metadata.managedFields is left out while parsing (never built, so never held): a sync
// never reads it, and it is often a third of an object's JSON. Returns false on invalid JSON
// (`doc` then holds the parse error, as rapidjson::Document::Parse would).
bool parse_list_page(rapidjson::Document& doc, std::string_view body, bool without_managed_fields);

}  // namespace drsync::detail
