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

TEST_CASE("a DaemonSet is stopped by a nodeSelector no node carries, and restored exactly",
          "[unit][ledger]") {
  ReplicaLedger ledger;
  Object ds =
      Object::parse(R"({"apiVersion":"apps/v1","kind":"DaemonSet","metadata":{"name":"agent"},
    "spec":{"template":{"spec":{"nodeSelector":{"kubernetes.io/os":"linux"},
    "containers":[{"name":"c","image":"busybox"}]}}}})");
  REQUIRE(ledger.is_workload(ds));
  CHECK(ledger.live_value(ds).empty());
  CHECK_FALSE(ledger.is_stopped(ds));

  Object copy = ds.clone();
  ledger.record(copy, ledger.original(ds));
  ledger.set_stopped(copy);
  CHECK(ledger.is_stopped(copy));
  CHECK(copy.find("/spec/template/spec/nodeSelector/drsync.io~1stopped")->GetString() ==
        std::string("true"));
  CHECK(copy.find("/spec/template/spec/nodeSelector/kubernetes.io~1os")->GetString() ==
        std::string("linux"));
  auto recorded = ledger.recorded(copy);
  REQUIRE(recorded.has_value());
  CHECK(recorded->value.empty());  // running means: no such key
  CHECK(ledger.original(copy).value.empty());

  // Restored: the key goes, the DaemonSet's own nodeSelector stays.
  ledger.set_value(copy, recorded->value);
  CHECK_FALSE(ledger.is_stopped(copy));
  CHECK(copy.find("/spec/template/spec/nodeSelector/drsync.io~1stopped") == nullptr);
  CHECK(copy.find("/spec/template/spec/nodeSelector/kubernetes.io~1os") != nullptr);

  // As a merge patch: null removes the key.
  const ScaleSpec* spec = ledger.spec_for("apps", "DaemonSet");
  REQUIRE(spec != nullptr);
  Object up = Object::parse(ledger.scale_patch(*spec, "", std::nullopt, true));
  const auto* v = up.find("/spec/template/spec/nodeSelector/drsync.io~1stopped");
  REQUIRE(v != nullptr);
  CHECK(v->IsNull());
  Object down = Object::parse(ledger.scale_patch(*spec, "true", ScaleValue{"", "live"}, false));
  CHECK(down.find("/spec/template/spec/nodeSelector/drsync.io~1stopped")->GetString() ==
        std::string("true"));
  CHECK(down.annotation(kOriginalValueAnnotation).find("\"value\":\"\"") != std::string::npos);

  // A re-sync keeps the live state: running stays running, stopped stays stopped.
  Object desired = ds.clone();
  ledger.set_stopped(desired);
  ledger.keep_live_scale(desired, ds);
  CHECK_FALSE(ledger.is_stopped(desired));
}
