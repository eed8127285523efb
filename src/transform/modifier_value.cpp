#include "transform/modifier_value.hpp"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "drsync/yaml.hpp"

namespace drsync::detail {
namespace {

bool digits(std::string_view s, std::size_t& i) {
  const std::size_t start = i;
  while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
  return i > start;
}

// -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
bool is_json_number(std::string_view s) {
  std::size_t i = 0;
  if (i < s.size() && s[i] == '-') ++i;
  if (i < s.size() && s[i] == '0') {
    ++i;
  } else if (!digits(s, i)) {
    return false;
  }
  if (i < s.size() && s[i] == '.' && !digits(s, ++i)) return false;
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
    if (!digits(s, i)) return false;
  }
  return i == s.size();
}

bool equals_ignore_case(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if ((a[i] | 0x20) != b[i]) return false;
  }
  return true;
}

}  // namespace

Object modifier_value(std::string_view raw) {
  Object out;
  rapidjson::Value& v = out.json();
  if (raw.size() >= 2 && raw.front() == '"' && raw.back() == '"') {
    v.SetString(raw.data() + 1, static_cast<rapidjson::SizeType>(raw.size() - 2), out.allocator());
  } else if (raw == "null") {
    v.SetNull();
  } else if (equals_ignore_case(raw, "true") || equals_ignore_case(raw, "false")) {
    v.SetBool((raw[0] | 0x20) == 't');
  } else if (!raw.empty() && (raw.front() == '{' || raw.front() == '[')) {
    return parse_yaml(raw, "value");
  } else if (is_json_number(raw)) {
    return Object::parse(raw);
  } else {
    v.SetString(raw.data(), static_cast<rapidjson::SizeType>(raw.size()), out.allocator());
  }
  return out;
}

std::string scalar_text(const rapidjson::Value& v) {
  if (v.IsString()) return {v.GetString(), v.GetStringLength()};
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w(buf);
  v.Accept(w);
  return {buf.GetString(), buf.GetSize()};
}

}  // namespace drsync::detail
