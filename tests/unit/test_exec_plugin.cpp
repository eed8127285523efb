// Credential sources: exec plugins (run as a test shell script), token files and static ones.
#include <rapidjson/document.h>
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <functional>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "config/credentials.hpp"
#include "config/exec_plugin.hpp"
#include "core/base64.hpp"
#include "drsync/config.hpp"
#include "drsync/error.hpp"
#include "unit/test_support.hpp"

using namespace drsync;
using detail::make_credential_source;
namespace fs = std::filesystem;
using test::config_error;
using test::read_text;
using test::ScopedEnv;

namespace {

struct TempDir : test::TempDir {
  TempDir() : test::TempDir("drsync-exec") {}
};

constexpr const char* kV1 = "client.authentication.k8s.io/v1";
constexpr const char* kV1beta1 = "client.authentication.k8s.io/v1beta1";
constexpr const char* kToken = "tok-SECRET-exec-0123456789";

// A fake credential plugin: counts its runs, records what it was given, prints output.json to
// stdout and stderr.txt to stderr, and exits with the code in exit-code (default 0).
struct FakePlugin {
  TempDir dir;
  std::string script;

  FakePlugin() {
    script = dir.write("bin/fake-plugin", R"SH(#!/bin/sh
dir="$(dirname "$0")/.."
runs=$(cat "$dir/runs" 2>/dev/null || echo 0)
echo $((runs + 1)) > "$dir/runs"
printf '%s' "$KUBERNETES_EXEC_INFO" > "$dir/exec-info.json"
printf '%s' "${PLUGIN_GREETING-unset}|${DRSYNC_PARENT_ONLY-unset}" > "$dir/env.txt"
printf '%s ' "$@" > "$dir/args.txt"
if [ -f "$dir/sleep" ]; then exec sleep "$(cat "$dir/sleep")"; fi
cat "$dir/stderr.txt" >&2
cat "$dir/output.json"
exit "$(cat "$dir/exit-code" 2>/dev/null || echo 0)"
)SH");
    ::chmod(script.c_str(), 0755);
    dir.write("stderr.txt", "");
    set_token(kToken);
  }

  void set_output(const std::string& json) const { dir.write("output.json", json); }
  void set_token(const std::string& token, const std::string& api_version = kV1,
                 const std::string& expiry = "") const {
    std::string status = R"("token":")" + token + "\"";
    if (!expiry.empty()) status += R"(,"expirationTimestamp":")" + expiry + "\"";
    set_output(R"({"apiVersion":")" + api_version + R"(","kind":"ExecCredential","status":{)" +
               status + "}}");
  }
  int runs() const {
    std::string text = read_text(dir.path("runs"));
    return text.empty() ? 0 : std::stoi(text);
  }

  RestConfig config(const std::string& api_version = kV1) const {
    RestConfig config;
    config.server = "https://api.example:6443";
    config.context = "test";
    ExecConfig exec;
    exec.api_version = api_version;
    exec.command = script;
    exec.args = {"get-token", "--cluster", "prod"};
    config.exec = exec;
    return config;
  }
};

std::string utc_timestamp(std::chrono::system_clock::time_point when) {
  std::time_t t = std::chrono::system_clock::to_time_t(when);
  std::tm tm{};
  ::gmtime_r(&t, &tm);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return text;
}

}  // namespace

TEST_CASE("exec plugin credentials are cached until invalidate()", "[exec]") {
  FakePlugin plugin;
  auto source = make_credential_source(plugin.config());
  CHECK(source->current().bearer_token == kToken);
  CHECK(source->current().bearer_token == kToken);
  CHECK(plugin.runs() == 1);
  CHECK(read_text(plugin.dir.path("args.txt")) == "get-token --cluster prod ");

  plugin.set_token("second-token");
  CHECK(source->invalidate());  // after a 401 the plugin is worth asking again
  CHECK(source->current().bearer_token == "second-token");
  CHECK(plugin.runs() == 2);
}

TEST_CASE("exec plugin credentials are refreshed after expirationTimestamp", "[exec]") {
  FakePlugin plugin;
  auto now = std::chrono::system_clock::now();
  SECTION("expired: every current() runs the plugin") {
    plugin.set_token(kToken, kV1, utc_timestamp(now - std::chrono::minutes(1)));
    auto source = make_credential_source(plugin.config());
    source->current();
    source->current();
    CHECK(plugin.runs() == 2);
  }
  SECTION("not yet expired: cached") {
    plugin.set_token(kToken, kV1, utc_timestamp(now + std::chrono::hours(1)));
    auto source = make_credential_source(plugin.config());
    source->current();
    source->current();
    CHECK(plugin.runs() == 1);
  }
}

TEST_CASE("concurrent callers share one plugin run", "[exec]") {
  FakePlugin plugin;
  auto source = make_credential_source(plugin.config());
  std::vector<std::thread> threads;
  std::vector<std::string> tokens(6);
  for (std::size_t i = 0; i < tokens.size(); ++i) {
    threads.emplace_back([&, i] { tokens[i] = source->current().bearer_token; });
  }
  for (auto& t : threads) t.join();
  for (const auto& token : tokens) CHECK(token == kToken);
  CHECK(plugin.runs() == 1);
}

TEST_CASE("exec env reaches the child only", "[exec]") {
  FakePlugin plugin;
  ScopedEnv parent_only("DRSYNC_PARENT_ONLY", "inherited");
  ScopedEnv greeting("PLUGIN_GREETING", std::nullopt);
  RestConfig config = plugin.config();
  config.exec->env = {{"PLUGIN_GREETING", "first"}, {"PLUGIN_GREETING", "hello"}};
  make_credential_source(config)->current();
  CHECK(read_text(plugin.dir.path("env.txt")) == "hello|inherited");
  CHECK(std::getenv("PLUGIN_GREETING") == nullptr);
  CHECK(std::getenv("KUBERNETES_EXEC_INFO") == nullptr);
}

TEST_CASE("KUBERNETES_EXEC_INFO describes the request and, if asked, the cluster", "[exec]") {
  FakePlugin plugin;
  RestConfig config = plugin.config(kV1beta1);
  plugin.set_token(kToken, kV1beta1);
  config.ca_pem = "-----BEGIN CERTIFICATE-----\ntest-only\n-----END CERTIFICATE-----\n";
  config.tls_server_name = "api.internal";
  config.proxy_url = "http://proxy.example:3128";
  config.bearer_token_file.clear();

  SECTION("provideClusterInfo: true") {
    config.exec->provide_cluster_info = true;
    make_credential_source(config)->current();
    rapidjson::Document info;
    info.Parse(read_text(plugin.dir.path("exec-info.json")).c_str());
    REQUIRE(info.IsObject());
    CHECK(std::string(info["apiVersion"].GetString()) == kV1beta1);
    CHECK(std::string(info["kind"].GetString()) == "ExecCredential");
    const auto& spec = info["spec"];
    CHECK(spec["interactive"].IsFalse());
    const auto& cluster = spec["cluster"];
    CHECK(std::string(cluster["server"].GetString()) == "https://api.example:6443");
    CHECK(std::string(cluster["tls-server-name"].GetString()) == "api.internal");
    CHECK(std::string(cluster["proxy-url"].GetString()) == "http://proxy.example:3128");
    CHECK(detail::base64_decode(cluster["certificate-authority-data"].GetString()) ==
          std::optional<std::string>(config.ca_pem));
    CHECK_FALSE(cluster.HasMember("insecure-skip-tls-verify"));
  }
  SECTION("provideClusterInfo: false") {
    make_credential_source(config)->current();
    rapidjson::Document info;
    info.Parse(read_text(plugin.dir.path("exec-info.json")).c_str());
    REQUIRE(info.IsObject());
    CHECK(info["spec"]["interactive"].IsFalse());
    CHECK_FALSE(info["spec"].HasMember("cluster"));
  }
}

TEST_CASE("a failing plugin is named and its stderr shown", "[exec]") {
  FakePlugin plugin;
  plugin.dir.write("stderr.txt", "error: SSO session expired, run aws sso login\n");
  plugin.dir.write("exit-code", "3");
  std::string message = config_error([&] { make_credential_source(plugin.config())->current(); });
  CHECK_THAT(message, Catch::Contains("exec plugin \"" + plugin.script + "\"") &&
                          Catch::Contains("context \"test\"") && Catch::Contains("exit code 3") &&
                          Catch::Contains("SSO session expired, run aws sso login"));
  CHECK_THAT(message, !Catch::Contains(kToken));  // stdout is never shown
}

TEST_CASE("long plugin stderr is truncated", "[exec]") {
  FakePlugin plugin;
  plugin.dir.write("stderr.txt", std::string(10000, 'x'));
  plugin.dir.write("exit-code", "1");
  std::string message = config_error([&] { make_credential_source(plugin.config())->current(); });
  CHECK(message.size() < 2600);
  CHECK_THAT(message, Catch::Contains("[7952 more bytes]"));
}

TEST_CASE("a plugin that is not installed shows its installHint", "[exec]") {
  RestConfig config;
  config.server = "https://c";
  config.exec = ExecConfig{};
  config.exec->api_version = kV1beta1;
  config.exec->command = "drsync-test-no-such-plugin";
  config.exec->install_hint = "Install it with: apt install drsync-test-no-such-plugin";
  std::string message = config_error([&] { make_credential_source(config)->current(); });
  CHECK_THAT(message, Catch::Contains("exec plugin \"drsync-test-no-such-plugin\"") &&
                          Catch::Contains("not found in $PATH") &&
                          Catch::Contains("Install it with: apt install"));
  config.exec->command = "/nonexistent/bin/plugin";
  CHECK_THAT(config_error([&] { make_credential_source(config)->current(); }),
             Catch::Contains("\"/nonexistent/bin/plugin\": command not found"));
}

TEST_CASE("plugin output is checked", "[exec]") {
  FakePlugin plugin;
  auto [output, expected] = GENERATE(table<std::string, std::string>({
      {std::string(R"({"apiVersion":")") + kV1 +
           R"(","kind":"ExecCredential","status":{"token":")" + kToken + "\"",
       "not JSON"},
      {std::string(R"({"apiVersion":")") + kV1beta1 +
           R"(","kind":"ExecCredential","status":{"token":")" + kToken + "\"}}",
       "apiVersion is \"client.authentication.k8s.io/v1beta1\" but the kubeconfig asks for "
       "\"client.authentication.k8s.io/v1\""},
      {std::string(R"({"apiVersion":")") + kV1 + R"(","kind":"Secret","status":{"token":")" +
           kToken + "\"}}",
       "kind is \"Secret\""},
      {std::string(R"({"apiVersion":")") + kV1 + R"(","kind":"ExecCredential"})", "no status"},
      {std::string(R"({"apiVersion":")") + kV1 + R"(","kind":"ExecCredential","status":{}})",
       "status has neither a token nor"},
      {std::string(R"({"apiVersion":")") + kV1 +
           R"(","kind":"ExecCredential","status":{"clientCertificateData":"x"}})",
       "status has only one of clientCertificateData and clientKeyData"},
      {std::string(R"({"apiVersion":")") + kV1 +
           R"(","kind":"ExecCredential","status":{"token":")" + kToken +
           R"(","expirationTimestamp":"tomorrow"}})",
       "status.expirationTimestamp \"tomorrow\" is not RFC 3339"},
  }));
  plugin.set_output(output);
  std::string message = config_error([&] { make_credential_source(plugin.config())->current(); });
  INFO(message);
  CHECK_THAT(message, Catch::Contains(plugin.script) &&
                          Catch::Contains("invalid ExecCredential: " + expected));
  CHECK_THAT(message, !Catch::Contains(kToken));
}

TEST_CASE("a v1beta1 plugin works with a v1beta1 kubeconfig", "[exec]") {
  FakePlugin plugin;
  plugin.set_token(kToken, kV1beta1);
  CHECK(make_credential_source(plugin.config(kV1beta1))->current().bearer_token == kToken);
}

TEST_CASE("a plugin may return a client certificate instead of a token", "[exec]") {
  FakePlugin plugin;
  plugin.set_output(
      std::string(R"({"apiVersion":")") + kV1 +
      R"(","kind":"ExecCredential","status":{)"
      R"("clientCertificateData":"-----BEGIN CERTIFICATE-----\nCERT\n-----END CERTIFICATE-----\n",)"
      R"("clientKeyData":"-----BEGIN PRIVATE KEY-----\nKEY\n-----END PRIVATE KEY-----\n"}})");
  detail::Credentials credentials = make_credential_source(plugin.config())->current();
  CHECK(credentials.bearer_token.empty());
  CHECK(credentials.client_cert_pem ==
        "-----BEGIN CERTIFICATE-----\nCERT\n-----END CERTIFICATE-----\n");
  CHECK(credentials.client_key_pem ==
        "-----BEGIN PRIVATE KEY-----\nKEY\n-----END PRIVATE KEY-----\n");
}

TEST_CASE("interactiveMode Always cannot be honoured", "[exec]") {
  FakePlugin plugin;
  RestConfig config = plugin.config();
  config.exec->interactive_mode = "Always";
  CHECK_THAT(config_error([&] { make_credential_source(config)->current(); }),
             Catch::Contains("interactiveMode: Always"));
  CHECK(plugin.runs() == 0);
}

TEST_CASE("a hanging plugin is killed after the timeout", "[exec]") {
  FakePlugin plugin;
  plugin.dir.write("sleep", "30");
  RestConfig config = plugin.config();
  auto started = std::chrono::steady_clock::now();
  CHECK_THAT(config_error([&] {
               detail::run_exec_plugin(*config.exec, config, std::chrono::milliseconds(500));
             }),
             Catch::Contains("did not finish within 500 ms"));
  CHECK(std::chrono::steady_clock::now() - started < std::chrono::seconds(10));
}

TEST_CASE("kubeconfig credentials win over an exec plugin, as in client-go", "[exec]") {
  FakePlugin plugin;
  RestConfig config = plugin.config();
  config.bearer_token = "static-token";
  auto source = make_credential_source(config);
  CHECK(source->current().bearer_token == "static-token");
  CHECK_FALSE(source->invalidate());  // asking again would give the same token
  CHECK(plugin.runs() == 0);
}

TEST_CASE("static credentials are handed out as configured", "[exec]") {
  RestConfig config;
  config.server = "https://c";
  config.username = "admin";
  config.password = "pw";
  config.client_cert_pem = "CERT";
  config.client_key_pem = "KEY";
  auto source = make_credential_source(config);
  detail::Credentials credentials = source->current();
  CHECK(credentials.username == "admin");
  CHECK(credentials.password == "pw");
  CHECK(credentials.client_cert_pem == "CERT");
  CHECK(credentials.client_key_pem == "KEY");
  CHECK_FALSE(source->invalidate());
}

TEST_CASE("a token file is re-read when it is rotated", "[exec]") {
  TempDir dir;
  RestConfig config;
  config.server = "https://c";
  config.bearer_token_file = dir.write("token", "first-token\n");
  auto source = make_credential_source(config);
  CHECK(source->current().bearer_token == "first-token");

  SECTION("rewritten in place") {
    dir.write("token", "second-token-longer");
    CHECK(source->current().bearer_token == "second-token-longer");
  }
  SECTION("swapped by a symlink, as kubelet rotates projected tokens") {
    dir.write("..data-2/token", "rotated-token");
    fs::remove(dir.path("token"));
    fs::create_symlink(dir.path("..data-2/token"), dir.path("token"));
    CHECK(source->current().bearer_token == "rotated-token");
  }
  SECTION("invalidate() forces a re-read") {
    CHECK(source->invalidate());
    CHECK(source->current().bearer_token == "first-token");
  }
  SECTION("a vanished file keeps the last good token") {
    fs::remove(dir.path("token"));
    CHECK(source->current().bearer_token == "first-token");
  }
}

TEST_CASE("an unreadable token file without a fallback is an error", "[exec]") {
  RestConfig config;
  config.server = "https://c";
  config.bearer_token_file = "/nonexistent/token";
  CHECK_THAT(config_error([&] { make_credential_source(config)->current(); }),
             Catch::Contains("/nonexistent/token"));
  config.bearer_token = "fallback-token";
  CHECK(make_credential_source(config)->current().bearer_token == "fallback-token");
}

TEST_CASE("RFC 3339 timestamps", "[exec]") {
  using namespace std::chrono;
  auto at = [](int y, unsigned m, unsigned d, int h, int mi, int s) {
    return sys_days{year{y} / month{m} / day{d}} + hours{h} + minutes{mi} + seconds{s};
  };
  CHECK(detail::parse_rfc3339("2024-05-01T12:30:45Z") == at(2024, 5, 1, 12, 30, 45));
  CHECK(detail::parse_rfc3339("2024-05-01T14:30:45+02:00") == at(2024, 5, 1, 12, 30, 45));
  CHECK(detail::parse_rfc3339("2024-05-01T10:00:45-02:30") == at(2024, 5, 1, 12, 30, 45));
  CHECK(detail::parse_rfc3339("2024-05-01T12:30:45.250Z") ==
        at(2024, 5, 1, 12, 30, 45) + milliseconds{250});
  CHECK_FALSE(detail::parse_rfc3339("2024-05-01 12:30:45Z"));
  CHECK_FALSE(detail::parse_rfc3339("2024-02-30T12:30:45Z"));
  CHECK_FALSE(detail::parse_rfc3339("2024-05-01T12:30:45"));
  CHECK_FALSE(detail::parse_rfc3339("2024-05-01T12:30:45.Z"));
  CHECK_FALSE(detail::parse_rfc3339("2024-05-01T24:00:00Z"));
  CHECK_FALSE(detail::parse_rfc3339("2024-05-01T12:30:45Zjunk"));
}
