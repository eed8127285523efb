// The ExecCredential a credential plugin prints: parsed into a token or a client certificate, or
// refused with Error(config) whose message never shows the credential.
#include "config/exec_plugin.hpp"
#include "fuzz.hpp"

namespace {

// The token the input carries, when it is long enough to look for in a message, occurs in the
// input only once and is no part of what a message may quote from the configuration: a token
// that is also part of another field ("kind": "ExecCrkdential" with the token "cCrkdential") or
// of the expected apiVersion (the token "authentication.k") may show in a message quoting it.
std::string token_of(std::string_view in, const drsync::ExecConfig& exec) {
  rapidjson::Document doc;
  if (!fuzz::parse_json(in, doc) || !doc.IsObject()) return {};
  auto status = doc.FindMember("status");
  if (status == doc.MemberEnd() || !status->value.IsObject()) return {};
  auto token = status->value.FindMember("token");
  if (token == status->value.MemberEnd() || !token->value.IsString()) return {};
  std::string t(token->value.GetString(), token->value.GetStringLength());
  if (t.size() < 8 || exec.api_version.find(t) != std::string::npos) return {};
  const auto first = in.find(t);
  return first != std::string_view::npos && in.find(t, first + 1) == std::string_view::npos
             ? t
             : std::string();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  drsync::ExecConfig exec;
  exec.api_version =
      data[0] % 2 ? "client.authentication.k8s.io/v1" : "client.authentication.k8s.io/v1beta1";
  std::string_view in = fuzz::text(data + 1, size - 1);
  try {
    auto cred = drsync::detail::parse_exec_credential(in, exec, "fuzz-plugin");
    const auto& c = cred.credentials;
    FUZZ_ASSERT(!c.bearer_token.empty() ||
                (!c.client_cert_pem.empty() && !c.client_key_pem.empty()));
  } catch (const drsync::Error& e) {
    FUZZ_ASSERT(e.code() == drsync::Errc::config);
    std::string token = token_of(in, exec);
    FUZZ_ASSERT(token.empty() || std::string_view(e.what()).find(token) == std::string_view::npos);
  }
  return 0;
}
