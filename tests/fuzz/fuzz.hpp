// Shared helpers of the fuzz targets (tests/fuzz, docs/fuzzing.md). Each target asserts what must
// hold for every input, not only "no crash": a violated FUZZ_ASSERT aborts, and libFuzzer keeps
// the input. A drsync::Error is the accepted answer to bad input; any other exception escapes
// LLVMFuzzerTestOneInput, terminates the process and is reported as a crash too.
#pragma once

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>

#include "drsync/error.hpp"

#define FUZZ_ASSERT(cond)                                                                     \
  do {                                                                                        \
    if (!(cond)) {                                                                            \
      std::fprintf(stderr, "fuzz invariant failed: %s (%s:%d)\n", #cond, __FILE__, __LINE__); \
      std::abort();                                                                           \
    }                                                                                         \
  } while (0)

namespace fuzz {

inline std::string_view text(const uint8_t* data, std::size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

// Two inputs in one: split at the first line that is exactly "%%".
inline std::pair<std::string_view, std::string_view> split2(std::string_view in) {
  auto at = in.find("\n%%\n");
  if (at == std::string_view::npos) return {in, {}};
  return {in.substr(0, at), in.substr(at + 4)};
}

// Runs `f`; true when it returned, false when it threw a drsync::Error (bad input, refused
// cleanly). The message of such an error is never empty.
template <typename F>
bool accepts(F&& f) {
  try {
    f();
    return true;
  } catch (const drsync::Error& e) {
    FUZZ_ASSERT(e.what() != nullptr && e.what()[0] != '\0');
    return false;
  }
}

// As accepts(), and the error's code is one of `codes`.
template <typename F>
bool accepts_only(std::initializer_list<drsync::Errc> codes, F&& f) {
  try {
    f();
    return true;
  } catch (const drsync::Error& e) {
    bool expected = false;
    for (auto c : codes) expected = expected || e.code() == c;
    FUZZ_ASSERT(expected);
    FUZZ_ASSERT(e.what() != nullptr && e.what()[0] != '\0');
    return false;
  }
}

// Whether an object anywhere in `v` names a member twice. RapidJSON keeps both, its operator==
// then compares the first of each name only, and the API server (Go) keeps the last: inputs with
// duplicates are outside what the invariants can state, so the JSON targets skip them.
inline bool has_duplicate_keys(const rapidjson::Value& v) {
  if (v.IsArray()) {
    for (const auto& item : v.GetArray()) {
      if (has_duplicate_keys(item)) return true;
    }
  }
  if (!v.IsObject()) return false;
  for (auto m = v.MemberBegin(); m != v.MemberEnd(); ++m) {
    for (auto n = m + 1; n != v.MemberEnd(); ++n) {
      if (m->name == n->name) return true;
    }
    if (has_duplicate_keys(m->value)) return true;
  }
  return false;
}

// A lone low surrogate escape (\uDC00-\uDFFF without a high one before it): RapidJSON 1.1
// accepts it and stores the invalid UTF-8 it encodes to, which no writer can then read back.
// Go's encoder never writes one (it writes U+FFFD), so the API server never sends it.
inline bool has_lone_low_surrogate(std::string_view in) {
  auto hex4 = [&](std::size_t at) {
    return at + 4 <= in.size() ? std::strtoul(std::string(in.substr(at, 4)).c_str(), nullptr, 16)
                               : 0ul;
  };
  bool after_high = false;
  for (std::size_t i = 0; i + 1 < in.size(); ++i) {
    if (in[i] != '\\') continue;
    if (in[i + 1] != 'u') {
      ++i;  // an escaped character, e.g. \\ or \"
      after_high = false;
      continue;
    }
    unsigned long cp = hex4(i + 2);
    if (cp >= 0xDC00 && cp <= 0xDFFF && !after_high) return true;
    after_high = cp >= 0xD800 && cp <= 0xDBFF;
    i += 5;
  }
  return false;
}

// Whether a number anywhere in `v` is infinite: RapidJSON 1.1 refuses 1e309 but reads 2e308
// (and 20000000001600e299) as infinity, which no JSON writer can write back (the library's
// to_json refuses it with Errc::invalid_argument). Go never writes such a number.
inline bool has_infinite_number(const rapidjson::Value& v) {
  if (v.IsDouble()) return !std::isfinite(v.GetDouble());
  if (v.IsArray()) {
    for (const auto& item : v.GetArray()) {
      if (has_infinite_number(item)) return true;
    }
  }
  if (v.IsObject()) {
    for (const auto& m : v.GetObject()) {
      if (has_infinite_number(m.value)) return true;
    }
  }
  return false;
}

// JSON as the API server sends it: valid UTF-8 (lone surrogate escapes included), no duplicate
// member names and every number within a double's range (see above).
inline bool parse_json(std::string_view in, rapidjson::Document& doc) {
  if (has_lone_low_surrogate(in)) return false;
  doc.Parse<rapidjson::kParseValidateEncodingFlag>(in.data(), in.size());
  return !doc.HasParseError() && !has_duplicate_keys(doc) && !has_infinite_number(doc);
}

// Deep equality where doubles may differ in the last place: RapidJSON's default number parser
// (the library's, see Object::parse) is not correctly rounded, so a double written shortest
// and read back can move by one unit in the last place (more for subnormals).
inline bool same(const rapidjson::Value& a, const rapidjson::Value& b) {
  if (a.IsNumber() && b.IsNumber()) {
    if (!a.IsDouble() && !b.IsDouble()) return a == b;
    double x = a.GetDouble(), y = b.GetDouble();
    // Subnormals have fewer significant bits: there, allow a small absolute difference.
    return x == y || std::fabs(x - y) <= 4e-16 * std::fmax(std::fabs(x), std::fabs(y)) ||
           std::fabs(x - y) < 1e-315;
  }
  if (a.GetType() != b.GetType()) return false;
  if (a.IsArray()) {
    if (a.Size() != b.Size()) return false;
    for (rapidjson::SizeType i = 0; i < a.Size(); ++i) {
      if (!same(a[i], b[i])) return false;
    }
    return true;
  }
  if (a.IsObject()) {
    if (a.MemberCount() != b.MemberCount()) return false;
    for (const auto& m : a.GetObject()) {
      auto it = b.FindMember(m.name);
      if (it == b.MemberEnd() || !same(m.value, it->value)) return false;
    }
    return true;
  }
  return a == b;
}

inline std::string serialize(const rapidjson::Value& v) {
  rapidjson::StringBuffer b;
  rapidjson::Writer<rapidjson::StringBuffer> w(b);
  v.Accept(w);
  return {b.GetString(), b.GetSize()};
}

}  // namespace fuzz
