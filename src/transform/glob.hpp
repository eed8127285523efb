// Glob patterns as Velero matches groupResource (gobwas/glob with '.' as the separator):
// `*` any run of non-separator characters, `**` any run at all, `?` one non-separator character,
// `[abc]` `[a-z]` `[!abc]` one character of (not of) a class, `{a,b}` alternatives, `\` escapes.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace drsync::detail {

class Glob {
 public:
  // Throws Error(invalid_argument) with the reason for a malformed pattern (unclosed [ or {,
  // trailing \). `separator` '\0' means none.
  static Glob compile(std::string_view pattern, char separator);
  bool match(std::string_view text) const;

 private:
  std::vector<std::string> alternatives_;  // braces expanded at compile time
  char sep_ = '\0';
  bool literal_ = false;  // no metacharacters: plain equality
};

}  // namespace drsync::detail
