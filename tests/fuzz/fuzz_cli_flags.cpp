// The CLI's command line: one argument per input line. It parses, or is refused with a
// UsageError (exit 2); a parsed command line is consistent.
#include <vector>

#include "../../cli/cli_options.hpp"
#include "../../cli/flags.hpp"
#include "fuzz.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  std::vector<std::string> args{"drsync"};
  std::string_view in = fuzz::text(data, size);
  while (!in.empty() && args.size() < 64) {
    auto nl = in.find('\n');
    args.emplace_back(in.substr(0, nl));
    in = nl == std::string_view::npos ? std::string_view{} : in.substr(nl + 1);
  }
  std::vector<const char*> argv;
  for (const auto& a : args) argv.push_back(a.c_str());
  drsync_cli::CliOptions o;
  try {
    o = drsync_cli::parse_command_line(static_cast<int>(argv.size()), argv.data());
  } catch (const drsync_cli::UsageError& e) {
    FUZZ_ASSERT(e.what()[0] != '\0');
    return 0;
  }
  if (o.single_cluster)
    FUZZ_ASSERT(o.mode == drsync::Mode::Activate || o.mode == drsync::Mode::Deactivate);
  for (const auto& [name, count] : o.scale_overrides)
    FUZZ_ASSERT(!name.empty() && count.find_first_not_of("0123456789") == std::string::npos);
  if (o.wait_timeout) FUZZ_ASSERT(o.wait_timeout->count() >= 0);
  return 0;
}
