// `drsync man`: the manual page drsync.1 (roff), generated from the tables --help prints.
#include <fmt/format.h>
#include <fmt/ranges.h>

#include "cli_options.hpp"
#include "generated_docs.hpp"

namespace drsync_cli {
namespace {

// roff: backslashes and dashes escaped, no line starting with a control character.
std::string roff(const std::string& text) {
  std::string out;
  for (char c : text) {
    if (c == '\\')
      out += "\\e";
    else if (c == '-')
      out += "\\-";
    else
      out += c;
  }
  if (!out.empty() && (out[0] == '.' || out[0] == '\'')) out.insert(0, "\\&");
  return out;
}

std::string options(const std::vector<FlagSpec>& specs) {
  std::string out;
  for (const auto& s : specs) {
    if (s.name == "h") continue;  // -h: --help, as in --help's own list
    std::string flag = roff(dashed_name(s));
    out += ".TP\n";
    out += s.arg.empty() ? fmt::format(".B {}\n", flag)
                         : fmt::format(".BI \"{} \" {}\n", flag, roff(s.arg));
    out += roff(s.help);
    if (!s.choices.empty()) out += roff(fmt::format(" (one of: {})", fmt::join(s.choices, ", ")));
    if (s.kind == FlagKind::Repeated) out += " (repeatable)";
    out += "\n";
  }
  return out;
}

std::string named(const std::vector<NamedText>& list) {
  std::string out;
  for (const auto& item : list) out += fmt::format(".TP\n.B {}\n{}\n", item.name, roff(item.text));
  return out;
}

}  // namespace

std::string man_page(const std::string& version) {
  return fmt::format(
      R"(.TH DRSYNC 1 "" "drsync {0}" "User Commands"
.SH NAME
drsync \- disaster recovery of Kubernetes namespaces between two clusters
.SH SYNOPSIS
.B drsync
\-\-mode=Stage|Cutover|Failback \-\-source\-kubeconfig FILE \-\-dest\-kubeconfig FILE \-\-source\-namespace NS [flags]
.br
.B drsync
\-\-mode=MODE \-\-plan PLAN.yaml [flags]
.br
.B drsync
status|preflight [flags]
.br
.B drsync
activate|deactivate [\-\-kubeconfig FILE] \-n NS | \-\-all\-namespaces [flags]
.br
.B kubectl drsync
\-\-kubectl\-side source|dest ... (installed as the kubectl plugin kubectl\-drsync)
.SH DESCRIPTION
drsync keeps a namespace of a source cluster mirrored into a namespace of a destination cluster,
with its workloads stopped and their replica counts recorded, and moves the running application
between the two. Its flags are DR\-Syncer's (dr\-syncer\-cli) plus its own.
.SH MODES
{1}.SH SUBCOMMANDS
{2}.SH OPTIONS
{3}.SH "ACTIVATE AND DEACTIVATE OPTIONS"
{4}.SH "EXIT STATUS"
0 success, 1 failure, 2 usage error, 3 refused (fencing or a pending operation).
.SH "SEE ALSO"
.BR kubectl (1),
docs/cli.md in the libdrsync sources
)",
      roff(version), named(modes()), named(subcommands()), options(mode_flag_specs()),
      options(single_flag_specs()));
}

}  // namespace drsync_cli
