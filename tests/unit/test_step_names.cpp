// The one table of step, mode and side names (src/migration/names.cpp), as C++, C and Python see
// it.
#include <catch2/catch.hpp>

#include "drsync.h"
#include "drsync/migration.hpp"

using namespace drsync;

TEST_CASE("every step round-trips through its name, in C++ and C", "[unit][migration]") {
  for (int i = 0; i < kStepCount; ++i) {
    auto step = static_cast<Step>(i);
    std::string name = step_name(step);
    CAPTURE(name);
    REQUIRE(parse_step(name) == step);
    CHECK(std::string(drsync_step_name(static_cast<drsync_step>(i))) == name);
    drsync_step parsed = DRSYNC_STEP_VERIFY;
    REQUIRE(drsync_step_parse(&parsed, name.c_str()) == DRSYNC_OK);
    CHECK(parsed == static_cast<drsync_step>(i));
    CHECK(step_names().find(name) != std::string::npos);
  }
  CHECK(drsync_step_name(static_cast<drsync_step>(kStepCount)) == nullptr);
  CHECK(std::string(step_names()).rfind("sync, record, fence", 0) == 0);
}

TEST_CASE("an unknown step name is an error listing the known ones", "[unit][migration]") {
  CHECK_FALSE(parse_step("teleport").has_value());
  drsync_step out = DRSYNC_STEP_SYNC;
  REQUIRE(drsync_step_parse(&out, "teleport") == DRSYNC_EINVALIDARG);
  std::string message = drsync_error_last()->message;
  CHECK(message.find("unknown step \"teleport\"") != std::string::npos);
  CHECK(message.find("scale_down") != std::string::npos);
  CHECK(drsync_step_parse(&out, nullptr) == DRSYNC_EINVALIDARG);
}

TEST_CASE("modes have a display name and an id, and parse from either", "[unit][migration]") {
  CHECK(std::string(mode_name(Mode::Cutover)) == "Cutover");
  CHECK(std::string(mode_id(Mode::Cutover)) == "cutover");
  CHECK(std::string(drsync_mode_name(DRSYNC_MODE_FAILBACK)) == "failback");
  CHECK(parse_mode("Stage") == Mode::Stage);
  CHECK(parse_mode("failback") == Mode::Failback);
  CHECK_FALSE(parse_mode("rollback").has_value());
  CHECK(drsync_mode_name(static_cast<drsync_mode>(7)) == nullptr);
}

TEST_CASE("planned steps name themselves as reports and journals do", "[unit][migration]") {
  PlannedStep s;
  s.step = Step::ScaleDown;
  s.side = Side::Source;
  CHECK(s.name() == "scale_down");
  CHECK(s.description() == "scale down the source");
  s.rollback = true;
  s.side = Side::Destination;
  CHECK(s.name() == "rollback_scale_down");
  CHECK(s.description() == "roll back: scale down the destination");
  CHECK(step_description(Step::Sync, Side::Destination) == "sync the destination from the source");
  CHECK(step_description(Step::MigrateData, Side::Source) ==
        "copy volume data to the source from the destination");
}
