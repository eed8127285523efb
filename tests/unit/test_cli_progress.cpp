// The CLI's progress display in plain mode (not a terminal): what a log or CI shows per step.
#include <cstdio>
#include <string>

#include <catch2/catch.hpp>

#include "../../cli/progress.hpp"

using drsync_cli::LogLevel;
using drsync_cli::Progress;

namespace {

// Everything written to a temporary file.
std::string contents(std::FILE* f) {
  std::fflush(f);
  std::rewind(f);
  std::string out;
  char buf[512];
  while (std::size_t n = std::fread(buf, 1, sizeof buf, f)) out.append(buf, n);
  return out;
}

drsync::StepEvent step(const char* name, bool before) {
  drsync::StepEvent e;
  e.mode = drsync::Mode::Stage;
  e.name = name;
  e.before = before;
  return e;
}

}  // namespace

TEST_CASE("progress: a PVC copy shows its bytes and files", "[unit][cli]") {
  std::FILE* f = std::tmpfile();
  REQUIRE(f);
  Progress p(f, false, LogLevel::Debug);
  p.on_step(step("migrate_data", true));
  p.on_progress({"migrate_data", "", 0, 0, 0, 0});  // the step's announcement
  drsync::MigrationProgress copy{"migrate_data", "data", 3 << 20, 256 << 20, 0, 0};
  copy.files_done = 120;
  copy.files_total = 1003;
  p.on_progress(copy);
  copy.done = copy.total;
  copy.files_done = copy.files_total;
  p.on_progress(copy);
  p.on_step(step("migrate_data", false));
  const std::string out = contents(f);
  std::fclose(f);
  INFO(out);
  CHECK(out.find("migrate_data: 3.0 MiB/256.0 MiB, 120/1003 files data") != std::string::npos);
  CHECK(out.find("migrate_data: ok (") != std::string::npos);
  CHECK(out.find("256.0 MiB/256.0 MiB, 1003/1003 files") != std::string::npos);
}

TEST_CASE("progress: objects of a sync and Pods of a wait", "[unit][cli]") {
  std::FILE* f = std::tmpfile();
  REQUIRE(f);
  Progress p(f, false, LogLevel::Info);
  p.on_step(step("wait_ready", true));
  p.on_progress({"wait_ready", "", 1, 3, 0, 0});
  p.on_progress({"wait_ready", "", 3, 3, 0, 0});
  p.on_step(step("wait_ready", false));
  const std::string out = contents(f);
  std::fclose(f);
  INFO(out);
  CHECK(out.find("wait_ready: 1/3 ready") != std::string::npos);
  CHECK(out.find("wait_ready: ok (") != std::string::npos);
  CHECK(out.find("3/3 ready") != std::string::npos);
}
