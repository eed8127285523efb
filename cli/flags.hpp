// A small command-line flag parser with the syntax of Go's `flag` package, which DR-Syncer's CLI
// uses, so its command lines keep working: `-name` or `--name`; `--name=value` or `--name value`
// for value flags; `--name` or `--name=true|false` for booleans (never `--name false`); `--` ends
// the flags. Unlike Go's, an unexpected positional argument is an error, not silently ignored.
#pragma once

#include <map>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace drsync_cli {

// A wrong command line: exit code 2.
class UsageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

enum class FlagKind { Bool, Value, Repeated };

struct FlagSpec {
  FlagSpec(std::string name_, FlagKind kind_, std::string arg_, std::string help_,
           std::string alias_of_ = {}, std::vector<std::string> choices_ = {})
      : name(std::move(name_)),
        kind(kind_),
        arg(std::move(arg_)),
        help(std::move(help_)),
        alias_of(std::move(alias_of_)),
        choices(std::move(choices_)) {}

  std::string name;  // without dashes
  FlagKind kind = FlagKind::Value;
  std::string arg;  // placeholder in the help text ("FILE"), empty for booleans
  std::string help;
  std::string alias_of;  // "-n" is "--namespace": values are stored under that name
  // The values a closed-set flag takes (shell completion, the man page); the parser checks them.
  std::vector<std::string> choices;
};

struct ParsedFlags {
  // Every occurrence of each flag given, in order ("true"/"false" for booleans).
  std::map<std::string, std::vector<std::string>> values;
  std::vector<std::string> positional;

  bool has(const std::string& name) const { return values.count(name) != 0; }
  // The last value given; `fallback` when the flag is absent.
  std::string last(const std::string& name, const std::string& fallback = {}) const;
  // A boolean flag's value; `fallback` when absent.
  bool boolean(const std::string& name, bool fallback = false) const;
  const std::vector<std::string>& all(const std::string& name) const;
};

// "--namespace", or "-n" for a one-letter flag: how --help, the man page and completion write it.
std::string dashed_name(const FlagSpec& spec);

// Parses argv[first..argc). Throws UsageError on an unknown flag, a missing value or a bad boolean.
ParsedFlags parse_flags(const std::vector<FlagSpec>& specs, int argc, const char* const* argv,
                        int first = 1);

// strconv.ParseBool: 1 t T TRUE true True 0 f F FALSE false False.
bool parse_bool(const std::string& flag, const std::string& text);

// "a, b,,c" -> {"a", "b", "c"}.
std::vector<std::string> split_list(const std::string& text, char sep = ',');

// Help lines for the specs, aligned.
std::string flags_help(const std::vector<FlagSpec>& specs);

}  // namespace drsync_cli
