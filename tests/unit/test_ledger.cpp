// The ReplicaLedger reads every record the peers leave, in one documented precedence order.
#include <catch2/catch.hpp>

#include "drsync/ledger.hpp"
#include "drsync/object.hpp"

using namespace drsync;

namespace {

Object deployment(int replicas, const std::string& annotations, const std::string& labels = "{}") {
  return Object::parse(R"({"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web",)"
                       R"("annotations":)" +
                       annotations + R"(,"labels":)" + labels + R"(},"spec":{"replicas":)" +
                       std::to_string(replicas) + "}}");
}

}  // namespace

TEST_CASE("each peer's record is read from a stopped workload", "[unit][ledger]") {
  ReplicaLedger ledger;
  auto key = GENERATE(as<std::string>{}, "drsync.io/original-replicas",
                      "stork.libopenstorage.org/migrationReplicas",
                      "stork.openstorage.org/migrationReplicas", "dr-syncer.io/original-replicas");
  CAPTURE(key);
  Object w = deployment(0, R"({")" + key + R"(":"3"})");
  auto r = ledger.recorded(w);
  REQUIRE(r.has_value());
  CHECK(r->value == "3");
  CHECK(r->source == key);
  CHECK(ledger.original(w).value == "3");
}

TEST_CASE("DR-Syncer's scale-override label is a record, below drsync's own", "[unit][ledger]") {
  ReplicaLedger ledger;
  Object labelled = deployment(0, "{}", R"({"dr-syncer.io/scale-override":"4"})");
  REQUIRE(ledger.recorded(labelled).has_value());
  CHECK(ledger.recorded(labelled)->value == "4");
  CHECK(ledger.recorded(labelled)->source == std::string(kDrSyncerScaleOverrideLabel));

  Object both = deployment(
      0, R"({"drsync.io/original-replicas":"2","stork.libopenstorage.org/migrationReplicas":"5"})",
      R"({"dr-syncer.io/scale-override":"4"})");
  CHECK(ledger.recorded(both)->value == "2");
  Object peers = deployment(0,
                            R"({"stork.openstorage.org/migrationReplicas":"5",
                                "dr-syncer.io/original-replicas":"6"})",
                            R"({"dr-syncer.io/scale-override":"4"})");
  CHECK(ledger.recorded(peers)->value == "4");
}

TEST_CASE("a record that is not a count is ignored, and the keys are named", "[unit][ledger]") {
  ReplicaLedger ledger;
  Object w = deployment(0, R"({"stork.libopenstorage.org/migrationReplicas":"three"})");
  CHECK_FALSE(ledger.recorded(w).has_value());
  std::string keys = ledger.record_keys(w);
  for (const auto& r : kReplicaRecords) CHECK(keys.find(r.key) != std::string::npos);
  CHECK(keys.find("label dr-syncer.io/scale-override") != std::string::npos);
}
