// What is generated from the command line's tables: shell completion, the man page, --help; and
// the kubectl plugin's and --log-format's flags.
#include <initializer_list>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "../../cli/cli_options.hpp"
#include "../../cli/generated_docs.hpp"
#include "../../cli/log_line.hpp"
#include "cli_parse.hpp"

using namespace drsync_cli;

namespace {

// "--source-kubeconfig" as the man page writes it: \-\-source\-kubeconfig.
std::string roff_flag(const std::string& name) {
  std::string out = name.size() == 1 ? "\\-" : "\\-\\-";
  for (char c : name) out += c == '-' ? std::string("\\-") : std::string(1, c);
  return out;
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

}  // namespace

TEST_CASE("every flag of --help is completed in bash and zsh and documented in the man page",
          "[cli]") {
  const std::string bash = completion_script("bash");
  const std::string zsh = completion_script("zsh");
  const std::string man = man_page("9.9.9");
  const std::string help = usage_text(CliOptions{});
  for (const auto* table : {&mode_flag_specs(), &single_flag_specs()}) {
    for (const auto& s : *table) {
      const std::string flag = dashed_name(s);
      INFO(flag);
      CHECK(contains(bash, " " + flag));
      CHECK(contains(zsh, flag + (s.kind == FlagKind::Bool ? "[" : "=[")));
      if (s.name != "h") CHECK(contains(man, roff_flag(s.name)));
      for (const auto& choice : s.choices) CHECK(contains(bash, choice));
    }
  }
  for (const auto& sub : subcommands()) {
    CHECK(contains(bash, sub.name));
    CHECK(contains(zsh, std::string("'") + sub.name + ":"));
    CHECK(contains(man, std::string(".B ") + sub.name));
    CHECK(contains(help, sub.name));
  }
  for (const auto& mode : modes()) CHECK(contains(man, std::string(".B ") + mode.name));
  CHECK(contains(man, ".TH DRSYNC 1 \"\" \"drsync 9.9.9\""));
  CHECK(contains(bash, "complete -o default -F _drsync drsync kubectl-drsync"));
  CHECK(contains(zsh, "#compdef drsync kubectl-drsync"));
  CHECK(contains(bash, "--mode) COMPREPLY=($(compgen -W \"Stage Cutover Failback\""));
  CHECK(contains(zsh, "'--mode=[Stage, Cutover or Failback]:MODE:(Stage Cutover Failback)'"));
  CHECK(contains(zsh, "'--source-kubeconfig=[kubeconfig of the source cluster]:FILE:_files'"));
  CHECK(contains(zsh, "'*--image-map=["));
}

TEST_CASE("every listed choice of a closed-set flag is accepted by the parser", "[cli]") {
  for (const auto& s : mode_flag_specs()) {
    for (const auto& choice : s.choices) {
      const std::string arg = "--" + s.name + "=" + choice;
      INFO(arg);
      CHECK_NOTHROW(parse({arg.c_str(), "--kubeconfig=k", "--kubectl-side=source"}));
    }
  }
}

TEST_CASE("completion and man take their arguments, nothing else", "[cli]") {
  CHECK(parse({"completion", "zsh"}).command == Command::Completion);
  CHECK(parse({"completion", "bash"}).completion_shell == "bash");
  CHECK(parse({"man"}).command == Command::Man);
  CHECK_THROWS_AS(parse({"completion"}), UsageError);
  CHECK_THROWS_AS(parse({"completion", "fish"}), UsageError);
  CHECK_THROWS_AS(parse({"man", "extra"}), UsageError);
}

TEST_CASE("as a kubectl plugin, kubectl's cluster is the side --kubectl-side names", "[cli]") {
  auto o = parse({"--mode=Stage", "--kubeconfig", "/k/admin", "--context", "prod", "--kubectl-side",
                  "source", "--dest-kubeconfig", "/k/dr", "--source-namespace", "shop"});
  CHECK(o.source_kubeconfig == "/k/admin");
  CHECK(o.source_context == "prod");
  CHECK(o.kubectl_side == drsync::Side::Source);
  CHECK(o.dest_kubeconfig == "/k/dr");
  CHECK(o.dest_context.empty());
  // The side's own flags win; with no --kubeconfig, kubectl's loading rules (empty path).
  o = parse({"--mode=Cutover", "--kubectl-side=dest", "--context=dr", "--dest-context=other",
             "--source-kubeconfig=/k/prod", "--source-namespace=shop"});
  CHECK(o.dest_kubeconfig.empty());
  CHECK(o.dest_context == "other");
  CHECK_THROWS_WITH(parse({"--mode=Stage", "--kubeconfig=/k/x", "--source-namespace=a"}),
                    Catch::Contains("--kubectl-side source|dest"));
  CHECK_THROWS_WITH(parse({"--mode=Stage", "--kubectl-side=both"}),
                    Catch::Contains("must be source or dest"));
}

TEST_CASE("log lines in JSON with --log-format json, one object per line", "[cli]") {
  CHECK(parse({"--mode=Stage", "--log-format=json"}).log_format == LogFormat::Json);
  CHECK(parse({"--mode=Stage"}).log_format == LogFormat::Text);
  CHECK_THROWS_WITH(parse({"--mode=Stage", "--log-format=xml"}),
                    Catch::Contains("must be text or json"));
  CHECK(parse({"activate", "-n", "a", "--log-format", "json"}).log_format == LogFormat::Json);
  const std::string line = json_log_line("info", "  sync: ok \"quoted\"\n");
  CHECK(line.starts_with("{\"time\":\"20"));
  CHECK(contains(line, "\"level\":\"info\",\"msg\":\"sync: ok \\\"quoted\\\"\\n\"}"));
  CHECK(line.back() == '\n');
  CHECK(line.find('\n') == line.size() - 1);
}
