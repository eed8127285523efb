// YAML <-> drsync::Object. Manifests, resource-modifier files and plan files are YAML; the wire
// format is JSON. Plain scalars are typed by the YAML 1.2 core schema (int, float, bool, null);
// quoted scalars stay strings.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "drsync/export.hpp"
#include "drsync/object.hpp"

namespace drsync {

// Every non-empty document of a (multi-document) YAML stream. Throws Error(invalid_argument)
// with "origin:line:column: problem" on malformed input.
DRSYNC_API std::vector<Object> parse_yaml_documents(std::string_view yaml,
                                                    std::string_view origin = "<yaml>");
// Exactly one document (an empty stream gives an empty object).
DRSYNC_API Object parse_yaml(std::string_view yaml, std::string_view origin = "<yaml>");
// Reads a file and parses every document; errors name the file.
DRSYNC_API std::vector<Object> load_yaml_file(const std::string& path);
// Block-style YAML of a JSON value (for reports and diffs).
DRSYNC_API std::string to_yaml(const rapidjson::Value& value);

}  // namespace drsync
