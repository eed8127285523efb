#include "drsync/yaml.hpp"

#include <fmt/format.h>
#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <regex>
#include <sstream>
#include <utility>

#include "drsync/error.hpp"

namespace drsync {
namespace {

using rapidjson::Value;

std::pair<char32_t, std::size_t> utf8_decode(const unsigned char* p, std::size_t left);

// yaml-cpp 0.7 decodes the double-quoted escapes \N (U+0085) and \_ (U+00A0) to the single bytes
// 0x85 and 0xA0, which are not UTF-8 (fuzz finding: written back, the YAML did not read). The
// text was checked to be UTF-8 before parsing, so any such byte in a scalar comes from them.
std::string utf8_escapes(const std::string& s) {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  if (std::none_of(p, p + s.size(), [](unsigned char c) { return c >= 0x80; })) return s;
  std::string out;
  out.reserve(s.size() + 2);
  for (std::size_t i = 0; i < s.size();) {
    std::size_t n = utf8_decode(p + i, s.size() - i).second;
    if (n == 0 && (p[i] == 0x85 || p[i] == 0xA0)) {
      out += '\xC2';
      out += static_cast<char>(p[i++]);
      continue;
    }
    n = n == 0 ? 1 : n;
    out.append(s, i, n);
    i += n;
  }
  return out;
}

Value yaml_string(const std::string& s, Object::Allocator& a) {
  return json_string(utf8_escapes(s), a);
}

bool is_null_scalar(const std::string& s) {
  return s.empty() || s == "~" || s == "null" || s == "Null" || s == "NULL";
}

// A plain scalar typed by the YAML 1.2 core schema.
Value plain_scalar(const std::string& s, Object::Allocator& a) {
  if (is_null_scalar(s)) return Value(rapidjson::kNullType);
  if (s == "true" || s == "True" || s == "TRUE") return Value(true);
  if (s == "false" || s == "False" || s == "FALSE") return Value(false);
  static const std::regex int_re("^[-+]?[0-9]+$");
  static const std::regex oct_re("^0o[0-7]+$");
  static const std::regex hex_re("^0x[0-9a-fA-F]+$");
  static const std::regex float_re(R"(^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$)");
  errno = 0;
  if (std::regex_match(s, int_re)) {
    char* end = nullptr;
    long long v = std::strtoll(s.c_str(), &end, 10);
    if (errno == 0) return Value(static_cast<int64_t>(v));
  } else if (std::regex_match(s, hex_re)) {
    return Value(static_cast<int64_t>(std::strtoll(s.c_str() + 2, nullptr, 16)));
  } else if (std::regex_match(s, oct_re)) {
    return Value(static_cast<int64_t>(std::strtoll(s.c_str() + 2, nullptr, 8)));
  } else if (std::regex_match(s, float_re)) {
    // Beyond a double's range (1e400) there is no JSON number: keep the text, as for .inf.
    const double d = std::strtod(s.c_str(), nullptr);
    if (std::isfinite(d)) return Value(d);
  } else if (s == ".inf" || s == "+.inf" || s == ".Inf" || s == "-.inf" || s == ".nan" ||
             s == ".NaN") {
    // JSON has no infinities or NaN: keep the text.
  }
  return yaml_string(s, a);
}

Value convert(const YAML::Node& n, Object::Allocator& a) {
  switch (n.Type()) {
    case YAML::NodeType::Null:
    case YAML::NodeType::Undefined:
      return Value(rapidjson::kNullType);
    case YAML::NodeType::Scalar: {
      const std::string& s = n.Scalar();
      // "?" is an untagged plain scalar, typed by the core schema, as are the schema's own
      // !!null, !!bool, !!int and !!float; anything else ("!" for a quoted scalar, !!str, a
      // local tag such as !foo) is a string.
      const std::string& tag = n.Tag();
      static const std::string kCore = "tag:yaml.org,2002:";
      if (tag == "?" || tag == kCore + "null" || tag == kCore + "bool" || tag == kCore + "int" ||
          tag == kCore + "float")
        return plain_scalar(s, a);
      return yaml_string(s, a);
    }
    case YAML::NodeType::Sequence: {
      Value arr(rapidjson::kArrayType);
      arr.Reserve(static_cast<rapidjson::SizeType>(n.size()), a);
      for (const auto& item : n) arr.PushBack(convert(item, a), a);
      return arr;
    }
    case YAML::NodeType::Map: {
      Value obj(rapidjson::kObjectType);
      for (const auto& kv : n) {
        std::string key = kv.first.Scalar();
        Value k = yaml_string(key, a);
        auto existing = obj.FindMember(k);
        if (existing != obj.MemberEnd()) {
          existing->value = convert(kv.second, a);  // last duplicate key wins, like kubectl
        } else {
          obj.AddMember(k, convert(kv.second, a), a);
        }
      }
      return obj;
    }
  }
  return Value(rapidjson::kNullType);
}

Object to_object(const YAML::Node& node) {
  Object obj;
  obj.json() = convert(node, obj.allocator());
  return obj;
}

[[noreturn]] void rethrow_yaml(const YAML::Exception& e, std::string_view origin) {
  std::string where(origin);
  if (!e.mark.is_null()) {
    where += fmt::format(":{}:{}", e.mark.line + 1, e.mark.column + 1);
  }
  throw Error(Errc::invalid_argument, fmt::format("{}: invalid YAML: {}", where, e.msg));
}

// yaml-cpp writes a string holding a CR plain (or in a block), where it reads back as a line
// break: such strings are double-quoted, which escapes it.
bool has_cr(const std::string& s) {
  return s.find('\r') != std::string::npos;
}

void emit(YAML::Emitter& out, const Value& v) {
  if (v.IsObject()) {
    out << YAML::BeginMap;
    for (const auto& m : v.GetObject()) {
      std::string key(m.name.GetString(), m.name.GetStringLength());
      out << YAML::Key;
      if (has_cr(key)) out << YAML::DoubleQuoted;
      out << key << YAML::Value;
      emit(out, m.value);
    }
    out << YAML::EndMap;
  } else if (v.IsArray()) {
    out << YAML::BeginSeq;
    for (const auto& item : v.GetArray()) emit(out, item);
    out << YAML::EndSeq;
  } else if (v.IsString()) {
    std::string s(v.GetString(), v.GetStringLength());
    // Quote strings that would otherwise read back as another type.
    Object::Allocator scratch;
    Value typed = plain_scalar(s, scratch);
    if (!typed.IsString() || has_cr(s)) out << YAML::DoubleQuoted;
    out << s;
  } else if (v.IsBool()) {
    out << (v.GetBool() ? "true" : "false");
  } else if (v.IsNull()) {
    out << YAML::Null;
  } else if (v.IsInt64()) {
    out << v.GetInt64();
  } else if (v.IsUint64()) {
    out << v.GetUint64();
  } else {
    out << v.GetDouble();
  }
}

// The code point of the UTF-8 sequence at `p` and its length (1-4); length 0 when it is not valid
// UTF-8 (overlong forms, surrogates and code points past U+10FFFF included).
std::pair<char32_t, std::size_t> utf8_decode(const unsigned char* p, std::size_t left) {
  unsigned char c = p[0];
  if (c < 0x80) return {c, 1};
  std::size_t n = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC2 ? 2 : 0;
  if (n == 0 || c > 0xF4 || n > left) return {0, 0};
  char32_t cp = c & (0x7F >> n);
  for (std::size_t i = 1; i < n; ++i) {
    if ((p[i] & 0xC0) != 0x80) return {0, 0};
    cp = (cp << 6) | (p[i] & 0x3F);
  }
  bool overlong = (n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000);
  if (overlong || (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF) return {0, 0};
  return {cp, n};
}

// YAML 1.2's printable set (c-printable): tab, line breaks, and no other control characters.
bool yaml_printable(char32_t cp) {
  if (cp == 0x09 || cp == 0x0A || cp == 0x0D || cp == 0x85) return true;
  if (cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp <= 0x9F)) return false;
  return cp != 0xFFFE && cp != 0xFFFF;
}

// YAML documents are UTF-8 text (as kubectl reads them): anything else is refused with its
// position rather than turned into replacement characters or dropped (fuzz findings).
void check_text(std::string_view text, std::string_view origin) {
  const auto* p = reinterpret_cast<const unsigned char*>(text.data());
  std::size_t line = 1, column = 1;
  for (std::size_t i = 0; i < text.size();) {
    auto [cp, n] = utf8_decode(p + i, text.size() - i);
    if (n == 0 || !yaml_printable(cp)) {
      throw Error(Errc::invalid_argument,
                  fmt::format("{}:{}:{}: invalid YAML: {} (byte 0x{:02x})", origin, line, column,
                              n == 0 ? "not UTF-8" : "a control character", p[i]));
    }
    column = cp == '\n' ? 1 : column + 1;
    line += cp == '\n' ? 1 : 0;
    i += n;
  }
}

// YAML 1.2 reads CR LF and a lone CR as line breaks, normalized to LF; yaml-cpp 0.7 keeps a CR
// inside flow collections as part of a plain scalar and rejects a lone CR (fuzz finding).
std::string normalized_line_breaks(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '\r') {
      out += text[i];
    } else if (i + 1 >= text.size() || text[i + 1] != '\n') {
      out += '\n';
    }
  }
  return out;
}

// yaml-cpp 0.7's LoadAll never returns on some malformed streams (e.g. a stray "," after a
// document, jbeder/yaml-cpp#1040, fixed upstream after 0.7): the parser hands back the same empty
// document forever, without consuming anything. Walking the documents once with events first
// finds that: a document that starts where the previous one started is refused.
class DocumentStarts : public YAML::EventHandler {
 public:
  void OnDocumentStart(const YAML::Mark& mark) override { start = mark; }
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark&, YAML::anchor_t) override {}
  void OnAlias(const YAML::Mark&, YAML::anchor_t) override {}
  void OnScalar(const YAML::Mark&, const std::string&, YAML::anchor_t,
                const std::string&) override {}
  void OnSequenceStart(const YAML::Mark&, const std::string&, YAML::anchor_t,
                       YAML::EmitterStyle::value) override {}
  void OnSequenceEnd() override {}
  void OnMapStart(const YAML::Mark&, const std::string&, YAML::anchor_t,
                  YAML::EmitterStyle::value) override {}
  void OnMapEnd() override {}

  YAML::Mark start = YAML::Mark::null_mark();
};

void check_documents_advance(std::string_view yaml, std::string_view origin) {
  std::istringstream in{std::string(yaml)};
  YAML::Parser parser(in);
  DocumentStarts walk;
  int previous = -1;
  while (parser.HandleNextDocument(walk)) {
    if (walk.start.pos == previous) {
      throw Error(Errc::invalid_argument,
                  fmt::format("{}:{}:{}: invalid YAML: unexpected content", origin,
                              walk.start.line + 1, walk.start.column + 1));
    }
    previous = walk.start.pos;
  }
}

}  // namespace

std::vector<Object> parse_yaml_documents(std::string_view yaml, std::string_view origin) {
  check_text(yaml, origin);
  const std::string text = normalized_line_breaks(yaml);
  std::vector<Object> docs;
  try {
    check_documents_advance(text, origin);
    std::vector<YAML::Node> nodes = YAML::LoadAll(text);
    for (const auto& n : nodes) {
      if (n.IsNull() || !n.IsDefined()) continue;
      docs.push_back(to_object(n));
    }
  } catch (const YAML::Exception& e) {
    rethrow_yaml(e, origin);
  }
  return docs;
}

Object parse_yaml(std::string_view yaml, std::string_view origin) {
  check_text(yaml, origin);
  try {
    YAML::Node n = YAML::Load(normalized_line_breaks(yaml));
    if (n.IsNull() || !n.IsDefined()) return Object();
    return to_object(n);
  } catch (const YAML::Exception& e) {
    rethrow_yaml(e, origin);
  }
}

std::vector<Object> load_yaml_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(Errc::invalid_argument, fmt::format("{}: cannot read file", path));
  std::ostringstream ss;
  ss << in.rdbuf();
  return parse_yaml_documents(ss.str(), path);
}

std::string to_yaml(const Value& value) {
  YAML::Emitter out;
  emit(out, value);
  return out.c_str();
}

}  // namespace drsync
