#include "flags.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <string_view>

namespace drsync_cli {
namespace {

const FlagSpec* find_spec(const std::vector<FlagSpec>& specs, const std::string& name) {
  auto it =
      std::find_if(specs.begin(), specs.end(), [&](const FlagSpec& s) { return s.name == name; });
  return it == specs.end() ? nullptr : &*it;
}

std::string trim(const std::string& s) {
  auto b = s.find_first_not_of(" \t");
  if (b == std::string::npos) return {};
  auto e = s.find_last_not_of(" \t");
  return s.substr(b, e - b + 1);
}

}  // namespace

std::string ParsedFlags::last(const std::string& name, const std::string& fallback) const {
  auto it = values.find(name);
  return it == values.end() || it->second.empty() ? fallback : it->second.back();
}

bool ParsedFlags::boolean(const std::string& name, bool fallback) const {
  auto it = values.find(name);
  return it == values.end() || it->second.empty() ? fallback : it->second.back() == "true";
}

const std::vector<std::string>& ParsedFlags::all(const std::string& name) const {
  static const std::vector<std::string> none;
  auto it = values.find(name);
  return it == values.end() ? none : it->second;
}

bool parse_bool(const std::string& flag, const std::string& text) {
  for (const char* t : {"1", "t", "T", "TRUE", "true", "True"}) {
    if (text == t) return true;
  }
  for (const char* f : {"0", "f", "F", "FALSE", "false", "False"}) {
    if (text == f) return false;
  }
  throw UsageError(fmt::format(
      "invalid boolean value \"{0}\" for --{1}: use --{1} or --{1}=true|false", text, flag));
}

std::vector<std::string> split_list(const std::string& text, char sep) {
  std::vector<std::string> out;
  std::string::size_type start = 0;
  while (start <= text.size()) {
    auto end = text.find(sep, start);
    if (end == std::string::npos) end = text.size();
    std::string item = trim(text.substr(start, end - start));
    if (!item.empty()) out.push_back(item);
    start = end + 1;
  }
  return out;
}

ParsedFlags parse_flags(const std::vector<FlagSpec>& specs, int argc, const char* const* argv,
                        int first) {
  ParsedFlags out;
  bool flags_done = false;
  for (int i = first; i < argc; ++i) {
    std::string arg = argv[i];
    if (flags_done || arg.size() < 2 || arg[0] != '-') {
      out.positional.push_back(arg);
      continue;
    }
    if (arg == "--") {
      flags_done = true;
      continue;
    }
    std::string body = arg.substr(arg[1] == '-' ? 2 : 1);
    if (body.empty() || body[0] == '-' || body[0] == '=') {
      throw UsageError(fmt::format("bad flag syntax: {}", arg));
    }
    std::string name = body;
    std::string value;
    bool has_value = false;
    if (auto eq = body.find('='); eq != std::string::npos) {
      name = body.substr(0, eq);
      value = body.substr(eq + 1);
      has_value = true;
    }
    const FlagSpec* spec = find_spec(specs, name);
    if (!spec) {
      throw UsageError(fmt::format("unknown flag --{}", name));
    }
    const std::string& key = spec->alias_of.empty() ? name : spec->alias_of;
    if (spec->kind == FlagKind::Bool) {
      out.values[key].push_back(!has_value || parse_bool(name, value) ? "true" : "false");
      continue;
    }
    if (!has_value) {
      if (i + 1 >= argc) {
        throw UsageError(fmt::format("flag --{} needs a value ({})", name, spec->arg));
      }
      value = argv[++i];
    }
    out.values[key].push_back(value);
  }
  return out;
}

std::string dashed_name(const FlagSpec& spec) {
  return (spec.name.size() == 1 ? "-" : "--") + spec.name;
}

std::string flags_help(const std::vector<FlagSpec>& specs) {
  std::size_t width = 0;
  auto left = [](const FlagSpec& s) {
    return s.arg.empty() ? fmt::format("  {}", dashed_name(s))
                         : fmt::format("  {} {}", dashed_name(s), s.arg);
  };
  for (const auto& s : specs) width = std::max(width, left(s).size());
  std::string out;
  for (const auto& s : specs) {
    std::string l = left(s);
    out += fmt::format("{:<{}}{}\n", l, width + 2, s.help);
  }
  return out;
}

}  // namespace drsync_cli
