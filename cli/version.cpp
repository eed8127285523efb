#include "version.hpp"

#include <fmt/format.h>

#ifndef DRSYNC_CLI_VERSION
#define DRSYNC_CLI_VERSION "unknown"
#endif
#ifndef DRSYNC_CLI_GIT_COMMIT
#define DRSYNC_CLI_GIT_COMMIT "unknown"
#endif
#ifndef DRSYNC_CLI_BUILD_TIME
#define DRSYNC_CLI_BUILD_TIME "unknown"
#endif

namespace drsync_cli {
namespace {

const char* arch() {
#if defined(__x86_64__)
  return "amd64";
#elif defined(__aarch64__)
  return "arm64";
#else
  return "unknown";
#endif
}

}  // namespace

std::string version_number() {
  return DRSYNC_CLI_VERSION;
}

std::string version_text() {
  return fmt::format("Version: {}, GitCommit: {}, BuildTime: {}", DRSYNC_CLI_VERSION,
                     DRSYNC_CLI_GIT_COMMIT, DRSYNC_CLI_BUILD_TIME);
}

std::string version_json() {
  return fmt::format(
      "{{\n  \"version\": \"{}\",\n  \"git_commit\": \"{}\",\n  \"build_time\": \"{}\",\n"
      "  \"compiler\": \"{}\",\n  \"os\": \"linux\",\n  \"arch\": \"{}\"\n}}",
      DRSYNC_CLI_VERSION, DRSYNC_CLI_GIT_COMMIT, DRSYNC_CLI_BUILD_TIME, "gcc " __VERSION__, arch());
}

}  // namespace drsync_cli
