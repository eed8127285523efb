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

// More would make a pattern a way to spend time and memory: {a,b}{c,d}... doubles with each group.
constexpr std::size_t kMaxAlternatives = 256;

// Expands the first top-level {a,b} of each pattern until none is left.
void expand(const std::string& p, std::vector<std::string>& out) {
  if (out.size() >= kMaxAlternatives)
    bad("more than " + std::to_string(kMaxAlternatives) + " alternatives from '{...}'");
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

// Matches p against t. Each (pattern position, text position) is decided once, so a pattern
// with many '*' costs |p| x |t| steps at most instead of backtracking exponentially.
class Matcher {
 public:
  Matcher(std::string_view p, std::string_view t, char sep)
      : p_(p), t_(t), sep_(sep), memo_((p.size() + 1) * (t.size() + 1), -1) {}
  bool at(std::size_t pi, std::size_t ti) {
    signed char& m = memo_[pi * (t_.size() + 1) + ti];
    if (m < 0) m = from(pi, ti) ? 1 : 0;
    return m == 1;
  }

 private:
  bool stops(std::size_t ti) const { return ti == t_.size() || (sep_ && t_[ti] == sep_); }

  bool from(std::size_t pi, std::size_t ti) {
    while (pi < p_.size()) {
      switch (p_[pi]) {
        case '*': {
          const bool any = pi + 1 < p_.size() && p_[pi + 1] == '*';
          const std::size_t rest = pi + (any ? 2 : 1);
          for (std::size_t n = ti;; ++n) {
            if (at(rest, n)) return true;
            if (n == t_.size() || (!any && sep_ && t_[n] == sep_)) return false;
          }
        }
        case '?':
          if (stops(ti)) return false;
          ++pi, ++ti;
          break;
        case '[': {
          const std::size_t end = class_end(p_, pi);
          if (stops(ti) || !class_match(p_.substr(pi, end - pi), t_[ti])) return false;
          pi = end, ++ti;
          break;
        }
        case '\\':
          ++pi;
          [[fallthrough]];
        default:
          if (ti == t_.size() || pi >= p_.size() || p_[pi] != t_[ti]) return false;
          ++pi, ++ti;
      }
    }
    return ti == t_.size();
  }

  std::string_view p_, t_;
  char sep_;
  std::vector<signed char> memo_;
};

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
    if (Matcher(p, text, sep_).at(0, 0)) return true;
  }
  return false;
}

}  // namespace drsync::detail
