// PhaseGate (src/plan/phase_gate.hpp): the barrier that holds a plan's pairs at the phase
// boundaries of a Cutover, and lets a pair that left (failed, refused) never hold the others.
#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <thread>

#include "plan/phase_gate.hpp"

using drsync::detail::PhaseGate;
using namespace std::chrono_literals;

namespace {

// Waits up to 2 s for `flag`.
bool eventually(const std::atomic<bool>& flag) {
  for (int i = 0; i < 200 && !flag; ++i) std::this_thread::sleep_for(10ms);
  return flag;
}

}  // namespace

TEST_CASE("a participant waits at a phase until every other one reached it or left",
          "[plan][unit]") {
  PhaseGate gate(3);
  std::atomic<bool> first_through{false}, second_through{false};
  std::thread first([&] {
    gate.wait(0, 1);
    first_through = true;
  });
  std::this_thread::sleep_for(50ms);
  CHECK_FALSE(first_through);  // 1 and 2 are still in phase 0
  std::thread second([&] {
    gate.wait(1, 1);
    second_through = true;
  });
  std::this_thread::sleep_for(50ms);
  CHECK_FALSE(first_through);
  CHECK_FALSE(second_through);
  gate.leave(2);  // the third failed: it no longer holds the others
  CHECK(eventually(first_through));
  CHECK(eventually(second_through));
  first.join();
  second.join();
}

TEST_CASE("a later phase waits for the participants still in an earlier one", "[plan][unit]") {
  PhaseGate gate(2);
  std::atomic<bool> ahead{false};
  std::thread t([&] {
    gate.wait(0, 1);
    gate.wait(0, 2);
    ahead = true;
  });
  std::this_thread::sleep_for(20ms);
  gate.wait(1, 1);  // both reached phase 1: participant 0 goes on to wait at phase 2
  std::this_thread::sleep_for(50ms);
  CHECK_FALSE(ahead);
  gate.wait(1, 2);
  CHECK(eventually(ahead));
  t.join();
}
