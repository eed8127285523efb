// Kubeconfig loading: one file from YAML, and the merge of two files through $KUBECONFIG (input
// split at a "%%" line). A load either fails with Error(config) or gives a usable server URL.
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "drsync/config.hpp"
#include "fuzz.hpp"

namespace {

// The two files of the merge, in a directory of this process only.
const std::filesystem::path& workdir() {
  static const std::filesystem::path dir = [] {
    auto d = std::filesystem::temp_directory_path() / ("drsync-fuzz-" + std::to_string(getpid()));
    std::filesystem::create_directories(d);
    return d;
  }();
  return dir;
}

void write(const std::filesystem::path& p, std::string_view text) {
  std::ofstream(p, std::ios::binary | std::ios::trunc).write(text.data(), text.size());
}

void check(const drsync::RestConfig& c) {
  FUZZ_ASSERT(c.server.rfind("https://", 0) == 0 || c.server.rfind("http://", 0) == 0);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  auto parts = fuzz::split2(fuzz::text(data, size));
  std::string_view first = parts.first, second = parts.second;
  drsync::RestConfig one;
  if (fuzz::accepts_only({drsync::Errc::config}, [&] {
        one = drsync::load_kubeconfig_yaml(std::string(first), "<fuzz>", "/nonexistent", "");
      }))
    check(one);
  if (second.empty()) return 0;
  write(workdir() / "a", first);
  write(workdir() / "b", second);
  std::string list = (workdir() / "a").string() + ":" + (workdir() / "b").string();
  setenv("KUBECONFIG", list.c_str(), 1);
  drsync::RestConfig merged;
  if (fuzz::accepts_only({drsync::Errc::config},
                         [&] { merged = drsync::load_kubeconfig(drsync::KubeconfigOptions{}); }))
    check(merged);
  return 0;
}
