#include "exit_codes.hpp"

#include <fmt/format.h>

#include <cstdlib>

namespace drsync_cli {

using drsync::Errc;

int exit_code_for(Errc code) noexcept {
  return code == Errc::fenced || code == Errc::pending ? kExitRefused : kExitFailure;
}

std::string advice_for(Errc code) {
  switch (code) {
    case Errc::config:
      return "check the --source-kubeconfig / --dest-kubeconfig paths and contexts "
             "(kubectl --kubeconfig FILE config get-contexts)";
    case Errc::network:
    case Errc::unavailable:
      return "check that the cluster is up and its server address in the kubeconfig is right; "
             "if the source is down for good, run --mode=Cutover --source-unavailable";
    case Errc::tls:
      return "the server's certificate does not match the kubeconfig's certificate-authority: "
             "check that the kubeconfig belongs to that cluster";
    case Errc::unauthorized:
      return "the cluster rejected the credentials: refresh the kubeconfig (token or client "
             "certificate expired?)";
    case Errc::forbidden:
      return "the kubeconfig's user lacks RBAC permissions in that namespace: grant the role in "
             "docs/rbac.md, or use another kubeconfig";
    case Errc::timeout:
      return "the operation timed out: fix what keeps the workloads from becoming ready "
             "(kubectl describe), or raise --wait-timeout, then re-run the same mode: it resumes";
    case Errc::not_found:
      return "check the namespace and resource type names";
    case Errc::cancelled:
      return "interrupted: re-run the same mode to complete it (drsync status shows what is done)";
    case Errc::invalid:
    case Errc::bad_request:
      return "the destination rejected an object: see the per-object errors; a "
             "--resource-modifiers rule can adapt it";
    case Errc::fenced:
    case Errc::pending:
      return "";  // their messages say what to run
    default:
      return "re-run the same mode once the cause is fixed: every step is idempotent";
  }
}

std::string advice_for_message(const std::string& message) {
  auto at = message.find("(HTTP ");
  int status = at == std::string::npos ? 0 : std::atoi(message.c_str() + at + 6);
  switch (status) {
    case 401:
      return advice_for(Errc::unauthorized);
    case 403:
      return advice_for(Errc::forbidden);
    case 404:
      return advice_for(Errc::not_found);
    case 400:
    case 422:
      return advice_for(Errc::invalid);
    default:
      break;
  }
  if (message.find("not ready") != std::string::npos) return advice_for(Errc::timeout);
  return advice_for(Errc::internal);
}

std::string describe(const drsync::Error& e) {
  std::string out = e.what();
  for (const auto& c : e.causes()) out += fmt::format("\n    {}: {}", c.field, c.message);
  std::string advice = advice_for(e.code());
  if (!advice.empty()) out += fmt::format("\n  next: {}", advice);
  return out;
}

}  // namespace drsync_cli
