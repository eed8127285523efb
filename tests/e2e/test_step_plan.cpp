// Migration::plan: the steps each mode would run, with a preview of what they would change, read
// from the real clusters without writing, refusing exactly as the modes do.
#include <catch2/catch.hpp>

#include <algorithm>

#include "drsync/error.hpp"
#include "drsync/migration.hpp"
#include "e2e/harness.hpp"
#include "expect_error.hpp"

using namespace drsync;

namespace {

std::vector<std::string> names(const std::vector<PlannedStep>& steps) {
  std::vector<std::string> out;
  for (const auto& s : steps) out.push_back(s.name());
  return out;
}

const PlannedStep& find(const StepPlan& plan, Step step) {
  auto it = std::find_if(plan.steps.begin(), plan.steps.end(),
                         [&](const PlannedStep& s) { return s.step == step; });
  REQUIRE(it != plan.steps.end());
  return *it;
}

bool has_change(const PlannedStep& s, const std::string& name, const std::string& from,
                const std::string& to) {
  return std::any_of(s.changes.begin(), s.changes.end(), [&](const WorkloadChange& c) {
    return c.resource == "deployments.apps" && c.name == name && c.from == from && c.to == to;
  });
}

std::uint64_t writes(const Cluster& a, const Cluster& b) {
  return a.stats().writes() + b.stats().writes();
}

MigrationOptions fast_options() {
  MigrationOptions o;
  o.poll_interval = std::chrono::milliseconds(100);
  o.wait_timeout = std::chrono::seconds(60);
  o.gone_timeout = std::chrono::seconds(60);
  return o;
}

void scale(const Cluster& c, const std::string& ns, const std::string& name, int replicas) {
  c.request(Verb::Patch)
      .resource(c.resolve("deployments"))
      .in_namespace(ns)
      .name(name)
      .patch(PatchType::Merge, R"({"spec":{"replicas":)" + std::to_string(replicas) + "}}")
      .expect();
}

}  // namespace

TEST_CASE("plan previews each mode without writing and refuses as the mode does",
          "[e2e][migration]") {
  const Cluster& src = test::source();
  const Cluster& dst = test::dest();
  test::ScopedNamespace ns(src, "plan");
  std::string dns = ns.name() + "-dr";
  auto manifests = test::fixture_app("guestbook");
  test::apply_objects(src, ns.name(), manifests);
  REQUIRE(test::wait_workloads_ready(src, ns.name()));
  Migration m(src, ns.name(), dst, dns, fast_options());

  auto before = writes(src, dst);
  StepPlan stage = m.plan(Mode::Stage, true);
  CHECK(names(stage.steps) == std::vector<std::string>{"sync", "record"});
  REQUIRE(stage.steps[0].sync.has_value());
  CHECK(stage.steps[0].sync->count(Action::Create) >= 3);
  CHECK(writes(src, dst) == before);
  CHECK(test::expect_error([&] { dst.get(dst.resolve("namespaces"), "", dns); }).code() ==
        Errc::not_found);

  MigrationReport staged = m.stage();
  REQUIRE(staged.ok);
  std::vector<std::string> step_names;
  for (const auto& s : staged.steps) step_names.push_back(s.name);
  CHECK(step_names == names(stage.steps));  // the mode ran the plan it showed

  before = writes(src, dst);
  StepPlan cut = m.plan(Mode::Cutover, true);
  CHECK(names(cut.steps) == std::vector<std::string>{"sync", "record", "fence", "scale_down",
                                                     "wait_gone", "unfence", "scale_up",
                                                     "wait_ready", "verify"});
  CHECK(cut.rollback.empty());
  CHECK(has_change(find(cut, Step::ScaleDown), "frontend", "3", "0"));
  CHECK(has_change(find(cut, Step::ScaleUp), "frontend", "0", "3"));
  CHECK(find(cut, Step::ScaleUp).side == Side::Destination);
  CHECK(writes(src, dst) == before);

  MigrationOptions with_rollback = fast_options();
  with_rollback.rollback_on_failure = true;
  with_rollback.migrate_data = true;
  StepPlan careful = Migration(src, ns.name(), dst, dns, with_rollback).plan(Mode::Cutover);
  CHECK(find(careful, Step::MigrateData).side == Side::Destination);
  CHECK(names(careful.rollback) ==
        std::vector<std::string>{"rollback_scale_down", "rollback_wait_gone", "rollback_fence",
                                 "rollback_unfence", "rollback_scale_up"});

  REQUIRE(m.cutover().ok);
  CHECK(test::expect_error([&] { m.plan(Mode::Stage); }).code() == Errc::fenced);
  CHECK_FALSE(m.plan(Mode::Cutover).nothing_to_do.empty());
  StepPlan back = m.plan(Mode::Failback, true);
  CHECK(names(back.steps).front() == "record");
  CHECK(has_change(find(back, Step::ScaleUp), "frontend", "0", "3"));

  // verify fails like every other step, naming what is not as recorded.
  scale(dst, dns, "frontend", 1);
  Error e = test::expect_error([&] { m.verify(Side::Destination); });
  CHECK(e.code() == Errc::conflict);
  CHECK(std::string(e.what()).find("frontend on the destination runs at 1, expected 3") !=
        std::string::npos);
  test::delete_namespace(dst, dns);
}
