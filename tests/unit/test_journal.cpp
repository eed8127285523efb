// The Migration journal (drsync-state ConfigMap) reads back exactly what it wrote.
#include <catch2/catch.hpp>

#include <string>

#include "migration/journal.hpp"

using drsync::detail::Journal;

TEST_CASE("a journal value holding a NUL survives the round trip (fuzz finding)", "[journal]") {
  Journal j;
  j.mode = "Cutover";
  j.status = "running";
  j.steps_done = {"sync", std::string("odd\0step", 8)};
  j.values[std::string("deployments.apps/\0web", 21)] = std::string("3\0", 2);
  j.volumes_done = {"destination/data"};
  const Journal again = Journal::from_json(j.to_json());
  CHECK(again.mode == "Cutover");
  CHECK(again.steps_done == j.steps_done);
  CHECK(again.values == j.values);
  CHECK(again.volumes_done == j.volumes_done);
  // The fuzzer's input: a value with \u0000 inside.
  const Journal found = Journal::from_json(R"({"mode":"Cutover","values":{"a":"x\u0000y"}})");
  CHECK(found.values.at("a") == std::string("x\0y", 3));
  CHECK(Journal::from_json(found.to_json()).values == found.values);
}
