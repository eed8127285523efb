// The watch-driven sync's Debouncer, the drift comparison and the lag percentiles: pure units.
#include <catch2/catch.hpp>

#include "sync/continuous_stats.hpp"
#include "sync/debouncer.hpp"
#include "sync/drift.hpp"

using namespace drsync;
using namespace drsync::detail;
using namespace std::chrono_literals;

namespace {

Object cm(const char* value) {
  return Object::parse(std::string(R"({"kind":"ConfigMap","metadata":{"name":"a"},"data":{"v":")") +
                       value + "\"}}");
}

}  // namespace

TEST_CASE("a burst of events on one object becomes one change with the latest state",
          "[unit][continuous]") {
  Debouncer d(100ms, 1000ms);
  const auto t0 = Debouncer::Clock::now();
  d.push(0, "a", cm("1"), t0);
  d.push(0, "a", cm("2"), t0 + 50ms);
  d.push(0, "a", cm("3"), t0 + 90ms);
  d.push(1, "a", std::nullopt, t0 + 10ms);      // another type, same name: another object
  CHECK(d.take_ready(t0 + 150ms).size() == 1);  // the other type's change only
  auto ready = d.take_ready(t0 + 190ms);
  REQUIRE(ready.size() == 1);
  CHECK(ready[0].type == 0);
  CHECK(ready[0].events == 3);
  CHECK(ready[0].first_seen == t0);
  REQUIRE(ready[0].object);
  CHECK(json_str(ready[0].object->find("/data/v")) == "3");
  CHECK(d.pending() == 0);
}

TEST_CASE("a deletion after a change is handed on as a deletion", "[unit][continuous]") {
  Debouncer d(100ms, 1000ms);
  const auto t0 = Debouncer::Clock::now();
  d.push(0, "a", cm("1"), t0);
  d.push(0, "a", std::nullopt, t0 + 10ms);
  auto ready = d.take_ready(t0 + 200ms);
  REQUIRE(ready.size() == 1);
  CHECK_FALSE(ready[0].object);
}

TEST_CASE("a constantly changing object is handed on after max_delay", "[unit][continuous]") {
  Debouncer d(100ms, 300ms);
  const auto t0 = Debouncer::Clock::now();
  for (int i = 0; i < 10; ++i) d.push(0, "busy", cm("x"), t0 + i * 50ms);
  CHECK(d.take_ready(t0 + 299ms).empty());
  CHECK(d.take_ready(t0 + 300ms).size() == 1);
}

TEST_CASE("changes come out oldest first, and wait_ready returns when one is ready or woken",
          "[unit][continuous]") {
  Debouncer d(20ms, 1000ms);
  // Both quiet already (seen 30 and 25 ms ago): how long the pushes take cannot split them.
  const auto now = Debouncer::Clock::now();
  d.push(0, "b", cm("1"), now - 30ms);
  d.push(0, "a", cm("1"), now - 25ms);
  auto ready = d.wait_ready(Debouncer::Clock::now() + 5s);
  REQUIRE(ready.size() == 2);
  CHECK(ready[0].name == "b");
  d.wake();
  const auto before = Debouncer::Clock::now();
  CHECK(d.wait_ready(before + 5s).empty());
  CHECK(Debouncer::Clock::now() - before < 1s);
}

TEST_CASE("drift: the first field the live object does not hold", "[unit][continuous]") {
  auto diff = [](const char* want, const char* have) {
    return first_difference(Object::parse(want).json(), Object::parse(have).json());
  };
  // Server defaults and fields only the live object has are not drift.
  CHECK(diff(R"({"a":{"b":1},"c":[{"x":1}]})", R"({"a":{"b":1,"z":2},"c":[{"x":1,"d":0}],"s":1})")
            .empty());
  CHECK(diff(R"({"a":{"b":1}})", R"({"a":{"b":2}})") == "/a/b");
  CHECK(diff(R"({"c":[1,2]})", R"({"c":[1]})") == "/c");
  CHECK(diff(R"({"c":[{"x":1},{"x":2}]})", R"({"c":[{"x":1},{"x":3}]})") == "/c/1/x");
  CHECK(diff(R"({"a":{"k/1":"v"}})", R"({"a":{}})") == "/a/k~11");
  // Empty values the server drops, and what the server sets, are not compared.
  CHECK(diff(R"({"a":{},"b":[],"n":null})", R"({})").empty());
  CHECK(diff(R"({"metadata":{"resourceVersion":"1","name":"x"},"status":{"r":1}})",
             R"({"metadata":{"resourceVersion":"2","name":"x"}})")
            .empty());
  CHECK(diff(R"({"n":1})", R"({"n":1.0})").empty());
}

TEST_CASE("lag percentiles by nearest rank", "[unit][continuous]") {
  std::vector<std::chrono::microseconds> s;
  CHECK(percentile(s, 50) == 0us);
  for (int i = 100; i >= 1; --i) s.emplace_back(i);
  CHECK(percentile(s, 50) == 50us);
  CHECK(percentile(s, 99) == 99us);
  CHECK(percentile(s, 100) == 100us);
  StatsRecorder r;
  r.change(Action::Create, 10ms);
  r.change(Action::Unchanged, 0ms);  // not a write: no lag
  r.change(Action::Prune, 30ms);
  ContinuousStats st = r.snapshot();
  CHECK(st.changes == 3);
  CHECK(st.created == 1);
  CHECK(st.pruned == 1);
  CHECK(st.unchanged == 1);
  CHECK(st.lag_max == 30ms);
  CHECK(st.lag_p50 == 10ms);
  CHECK(st.to_json().find("\"lagP99Ms\":30.0") != std::string::npos);
}
