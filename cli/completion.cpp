// `drsync completion bash|zsh`: shell completion generated from the flag tables (--help's).
#include <fmt/format.h>
#include <fmt/ranges.h>

#include "cli_options.hpp"
#include "generated_docs.hpp"

namespace drsync_cli {
namespace {

bool takes_file(const FlagSpec& s) {
  return s.arg == "FILE";
}

std::string flag_words(const std::vector<FlagSpec>& specs) {
  std::vector<std::string> words;
  for (const auto& s : specs) words.push_back(dashed_name(s));
  return fmt::format("{}", fmt::join(words, " "));
}

// bash: `case` arms completing the value of the previous word's flag.
std::string bash_value_arms(const std::vector<FlagSpec>& specs) {
  std::string out;
  std::vector<std::string> files;
  for (const auto& s : specs) {
    if (!s.choices.empty()) {
      out += fmt::format("    {}) COMPREPLY=($(compgen -W \"{}\" -- \"$cur\")); return ;;\n",
                         dashed_name(s), fmt::join(s.choices, " "));
    } else if (takes_file(s)) {
      files.push_back(dashed_name(s));
    }
  }
  if (!files.empty()) {
    out += fmt::format("    {}) COMPREPLY=($(compgen -f -- \"$cur\")); return ;;\n",
                       fmt::join(files, "|"));
  }
  return out;
}

std::string bash_script() {
  std::vector<std::string> subs;
  for (const auto& s : subcommands()) subs.push_back(s.name);
  return fmt::format(
      R"(# bash completion for drsync (generated: drsync completion bash)
_drsync() {{
  local cur="${{COMP_WORDS[COMP_CWORD]}}" prev="${{COMP_WORDS[COMP_CWORD-1]}}" flags
  # bash splits --flag=value at "=" (COMP_WORDBREAKS): the flag is then two words back.
  if [[ $cur == "=" ]]; then cur=""; elif [[ $prev == "=" ]]; then
    prev="${{COMP_WORDS[COMP_CWORD-2]}}"; fi
  if [[ $COMP_CWORD -eq 1 && $cur != -* ]]; then
    COMPREPLY=($(compgen -W "{0}" -- "$cur")); return
  fi
  case "${{COMP_WORDS[1]}}" in
    completion) COMPREPLY=($(compgen -W "bash zsh" -- "$cur")); return ;;
    activate|deactivate)
      flags="{1}"
      case "$prev" in
{2}      esac ;;
    *)
      flags="{3}"
      case "$prev" in
{4}      esac ;;
  esac
  COMPREPLY=($(compgen -W "$flags" -- "$cur"))
}}
complete -o default -F _drsync drsync kubectl-drsync
)",
      fmt::join(subs, " "), flag_words(single_flag_specs()), bash_value_arms(single_flag_specs()),
      flag_words(mode_flag_specs()), bash_value_arms(mode_flag_specs()));
}

// zsh's _arguments needs [ ] : \ and ' escaped in descriptions.
std::string zsh_escape(const std::string& text) {
  std::string out;
  for (char c : text) {
    if (c == '[' || c == ']' || c == ':' || c == '\\') out += '\\';
    if (c == '\'') {
      out += "'\\''";
      continue;
    }
    out += c;
  }
  return out;
}

std::string zsh_spec(const FlagSpec& s) {
  std::string repeat = s.kind == FlagKind::Repeated ? "*" : "";
  std::string help = zsh_escape(s.help);
  if (s.kind == FlagKind::Bool) return fmt::format("'{}{}[{}]'", repeat, dashed_name(s), help);
  std::string action = !s.choices.empty() ? fmt::format("({})", fmt::join(s.choices, " "))
                       : takes_file(s)    ? "_files"
                                          : " ";
  return fmt::format("'{}{}=[{}]:{}:{}'", repeat, dashed_name(s), help, zsh_escape(s.arg), action);
}

std::string zsh_specs(const std::vector<FlagSpec>& specs) {
  std::vector<std::string> out;
  for (const auto& s : specs) out.push_back("    " + zsh_spec(s));
  return fmt::format("{}", fmt::join(out, " \\\n"));
}

std::string zsh_script() {
  std::vector<std::string> subs;
  for (const auto& s : subcommands())
    subs.push_back(fmt::format("'{}:{}'", s.name, zsh_escape(s.text)));
  return fmt::format(
      R"(#compdef drsync kubectl-drsync
# zsh completion for drsync (generated: drsync completion zsh)
_drsync() {{
  if (( CURRENT == 2 )) && [[ $words[2] != -* ]]; then
    local -a subs=({0})
    _describe subcommand subs
    return
  fi
  case $words[2] in
    completion) _values shell bash zsh ;;
    activate|deactivate) _arguments \
{1} ;;
    *) _arguments \
{2} ;;
  esac
}}
_drsync "$@"
)",
      fmt::join(subs, " "), zsh_specs(single_flag_specs()), zsh_specs(mode_flag_specs()));
}

}  // namespace

std::string completion_script(const std::string& shell) {
  return shell == "zsh" ? zsh_script() : bash_script();
}

}  // namespace drsync_cli
