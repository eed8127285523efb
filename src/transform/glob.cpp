#include "transform/glob.hpp"

#include "drsync/error.hpp"

namespace drsync::detail {
namespace {

[[noreturn]] void bad(const std::string& why) {
  throw Error(Errc::invalid_argument, why);
}

// Index just past the class starting at pattern[i] == '['.
std::size_t class_end(std::string_view p, std::size_t i) {
  std::size_t j = i + 1;
  if (j < p.size() && p[j] == '!') ++j;
  if (j < p.size() && p[j] == ']') ++j;  // a leading ']' is literal
  while (j < p.size() && p[j] != ']') j += p[j] == '\\' ? 2 : 1;
  if (j >= p.size()) bad("unclosed '['");
  return j + 1;
}

bool class_match(std::string_view cls, char c) {  // cls is "[...]" as delimited by class_end
  std::string_view body = cls.substr(1, cls.size() - 2);
  const bool negate = !body.empty() && body[0] == '!';
  if (negate) body.remove_prefix(1);
  auto next = [&body] {
    if (body[0] == '\\' && body.size() > 1) body.remove_prefix(1);
    const char ch = body[0];
    body.remove_prefix(1);
    return ch;
  };
  bool hit = false;
  while (!body.empty()) {
    const char lo = next();
    char hi = lo;
    if (body.size() >= 2 && body[0] == '-') {
      body.remove_prefix(1);
      hi = next();
    }
    hit = hit || (c >= lo && c <= hi);
  }
  return hit != negate;
}

// Expands the first top-level {a,b} of each pattern until none is left.
void expand(const std::string& p, std::vector<std::string>& out) {
  for (std::size_t i = 0; i < p.size(); ++i) {
    if (p[i] == '\\') {
      ++i;
    } else if (p[i] == '[') {
      i = class_end(p, i) - 1;
    } else if (p[i] == '{') {
      std::vector<std::string> alts(1);
      int depth = 0;
      std::size_t j = i + 1;
      for (; j < p.size(); ++j) {
        const char c = p[j];
        if (c == '\\' && j + 1 < p.size()) {
          alts.back() += p.substr(j, 2);
          ++j;
          continue;
        }
        if (c == '}' && depth == 0) break;
        if (c == ',' && depth == 0) {
          alts.emplace_back();
          continue;
        }
        depth += c == '{' ? 1 : c == '}' ? -1 : 0;
        alts.back() += c;
      }
      if (j >= p.size()) bad("unclosed '{'");
      for (const auto& a : alts) expand(p.substr(0, i) + a + p.substr(j + 1), out);
      return;
    }
  }
  out.push_back(p);
}

bool match_here(std::string_view p, std::string_view t, char sep) {
  while (!p.empty()) {
    switch (p[0]) {
      case '*': {
        const bool any = p.size() > 1 && p[1] == '*';
        const std::string_view rest = p.substr(any ? 2 : 1);
        for (std::size_t n = 0;; ++n) {
          if (match_here(rest, t.substr(n), sep)) return true;
          if (n == t.size() || (!any && sep && t[n] == sep)) return false;
        }
      }
      case '?':
        if (t.empty() || (sep && t[0] == sep)) return false;
        p.remove_prefix(1), t.remove_prefix(1);
        break;
      case '[': {
        const std::size_t end = class_end(p, 0);
        if (t.empty() || (sep && t[0] == sep) || !class_match(p.substr(0, end), t[0])) return false;
        p.remove_prefix(end), t.remove_prefix(1);
        break;
      }
      case '\\':
        p.remove_prefix(1);
        [[fallthrough]];
      default:
        if (t.empty() || p.empty() || p[0] != t[0]) return false;
        p.remove_prefix(1), t.remove_prefix(1);
    }
  }
  return t.empty();
}

}  // namespace

Glob Glob::compile(std::string_view pattern, char separator) {
  Glob g;
  g.sep_ = separator;
  if (!pattern.empty() && pattern.back() == '\\') {
    std::size_t n = 0;
    for (auto it = pattern.rbegin(); it != pattern.rend() && *it == '\\'; ++it) ++n;
    if (n % 2) bad("trailing '\\'");
  }
  g.literal_ = pattern.find_first_of("*?[{\\") == std::string_view::npos;
  if (g.literal_) {
    g.alternatives_.emplace_back(pattern);
  } else {
    expand(std::string(pattern), g.alternatives_);
  }
  return g;
}

bool Glob::match(std::string_view text) const {
  if (literal_) return text == alternatives_.front();
  for (const auto& p : alternatives_) {
    if (match_here(p, text, sep_)) return true;
  }
  return false;
}

}  // namespace drsync::detail
