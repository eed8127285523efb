// run_plan against the real clusters: pairs of a DR plan together, a Cutover in phases across
// pairs (every source stopped before any destination starts), a refused pair leaving the others.
#include <catch2/catch.hpp>

#include <rapidjson/document.h>
#include <algorithm>
#include <map>
#include <memory>

#include "drsync/error.hpp"
#include "drsync/plan.hpp"
#include "e2e/harness.hpp"
#include "plan/type_census.hpp"

using namespace drsync;
using namespace drsync::test;

namespace {

using Replicas = std::map<std::string, std::int64_t>;  // Deployment name -> spec.replicas

Replicas replicas(const Cluster& c, const std::string& ns) {
  Replicas out;
  for (const auto& d : c.list(c.resolve("deployments"), ns).items) {
    const auto* n = d.find("/spec/replicas");
    out[std::string(d.name())] = n && n->IsInt64() ? n->GetInt64() : -1;
  }
  return out;
}

Replicas stopped(const Replicas& r) {
  Replicas out;
  for (const auto& [name, n] : r) out[name] = 0;
  return out;
}

// `count` source namespaces holding the guestbook app (3 Deployments), ready; their pairs
// ("<ns>" -> "<ns>-dr"); the destination namespaces are deleted at the end.
struct Pairs {
  explicit Pairs(std::size_t count) {
    for (std::size_t i = 0; i < count; ++i) {
      namespaces.push_back(std::make_unique<ScopedNamespace>(source(), "plan"));
      const std::string& ns = namespaces.back()->name();
      auto app = fixture_app("guestbook");
      apply_objects(source(), ns, app);
      REQUIRE(wait_workloads_ready(source(), ns));
      pairs.push_back(PlanNamespace{ns, ns + "-dr", fast_options()});
    }
    original = replicas(source(), pairs.front().source);
    REQUIRE(original.size() == 3);
  }
  ~Pairs() {
    for (const auto& p : pairs) delete_namespace(dest(), p.destination);
  }
  std::vector<std::unique_ptr<ScopedNamespace>> namespaces;
  std::vector<PlanNamespace> pairs;
  Replicas original;
};

struct Event {
  std::size_t pair;
  Step step;
  Side side;
  bool before;
};

std::size_t first(const std::vector<Event>& events, Step step, bool before) {
  auto it = std::find_if(events.begin(), events.end(),
                         [&](const Event& e) { return e.step == step && e.before == before; });
  REQUIRE(it != events.end());
  return static_cast<std::size_t>(it - events.begin());
}

std::size_t last(const std::vector<Event>& events, Step step, bool before) {
  auto it = std::find_if(events.rbegin(), events.rend(),
                         [&](const Event& e) { return e.step == step && e.before == before; });
  REQUIRE(it != events.rend());
  return static_cast<std::size_t>(events.rend() - it - 1);
}

}  // namespace

TEST_CASE("a plan's Cutover stops every source before any destination starts, one at a time",
          "[e2e][plan]") {
  Pairs p(3);
  PlanRunOptions staged;
  staged.parallelism = 3;
  PlanReport stage = run_plan(source(), dest(), p.pairs, Mode::Stage, staged);
  INFO(stage.to_markdown());
  REQUIRE(stage.ok);
  for (const auto& pair : p.pairs) CHECK(replicas(dest(), pair.destination) == stopped(p.original));

  // One pair at a time: a pair waiting at a phase boundary gives its slot to the next.
  std::vector<Event> events;
  PlanRunOptions one;
  one.parallelism = 1;
  one.step_hook = [&](std::size_t i, const StepEvent& e) {
    events.push_back(Event{i, e.step.step, e.step.side, e.before});
  };
  PlanReport cutover = run_plan(source(), dest(), p.pairs, Mode::Cutover, one);
  INFO(cutover.to_markdown());
  REQUIRE(cutover.ok);
  CHECK(last(events, Step::WaitGone, false) < first(events, Step::ScaleUp, true));
  CHECK(last(events, Step::ScaleUp, false) < first(events, Step::WaitReady, true));
  CHECK(cutover.ready_seconds > 0);
  CHECK(cutover.ready_seconds <= cutover.seconds);
  for (const auto& pair : p.pairs) {
    CHECK(replicas(dest(), pair.destination) == p.original);
    CHECK(replicas(source(), pair.source) == stopped(p.original));
  }
  PlanReport back = run_plan(source(), dest(), p.pairs, Mode::Failback, staged);
  INFO(back.to_markdown());
  REQUIRE(back.ok);
  for (const auto& pair : p.pairs) CHECK(replicas(source(), pair.source) == p.original);
}

TEST_CASE("a refused pair of a plan leaves the others exact and the report names it",
          "[e2e][plan]") {
  Pairs p(2);
  // The second pair was cut over on its own: its destination is the active side.
  Migration alone(source(), p.pairs[1].source, dest(), p.pairs[1].destination, fast_options());
  REQUIRE(alone.stage().ok);
  REQUIRE(alone.cutover().ok);

  PlanReport stage = run_plan(source(), dest(), p.pairs, Mode::Stage);
  CHECK_FALSE(stage.ok);
  CHECK(stage.failed() == 1);
  CHECK(stage.pairs[0].ok);
  CHECK(replicas(dest(), p.pairs[0].destination) == stopped(p.original));
  CHECK_FALSE(stage.pairs[1].ran);
  CHECK(stage.pairs[1].code == Errc::fenced);
  CHECK(replicas(dest(), p.pairs[1].destination) == p.original);  // live counts untouched

  rapidjson::Document doc;
  doc.Parse(stage.to_json().c_str());
  REQUIRE(doc.IsObject());
  CHECK(doc["pairs"][1]["code"].GetString() == std::string("fenced"));
  CHECK(doc["pairs"][0]["report"]["ok"].GetBool());
  CHECK(stage.to_markdown().find("| not run |") != std::string::npos);
}

TEST_CASE("a plan's type census finds the types no namespace of the source has", "[e2e][plan]") {
  const Cluster& src = source();
  const Cluster& dst = dest();
  // A custom type of its own (served on both sides), with no object anywhere yet.
  const std::string group = unique_namespace("census") + ".drsync.io";
  const std::string crd_json =
      (R"({"apiVersion":"apiextensions.k8s.io/v1","kind":"CustomResourceDefinition","metadata":{"name":"gadgets.)" +
       group + R"("},"spec":{"group":")" + group +
       R"(","scope":"Namespaced","names":{"plural":"gadgets","singular":"gadget","kind":"Gadget"},"versions":[{"name":"v1","served":true,"storage":true,"schema":{"openAPIV3Schema":{"type":"object","x-kubernetes-preserve-unknown-fields":true}}}]}})");
  for (const Cluster* c : {&src, &dst}) {
    std::vector<Object> crd;
    crd.push_back(Object::parse(crd_json));
    apply_objects(*c, "default", crd);
    REQUIRE(wait_until([&] {  // served: discovery knows it
      c->resources(true);
      return c->find_kind(group + "/v1", "Gadget").has_value();
    }));
  }
  const std::string ns = unique_namespace("census");
  create_namespace(src, ns);
  std::vector<PlanNamespace> pairs(2);
  pairs[0].source = ns;
  pairs[1].source = ns + "-b";

  auto absent = detail::absent_source_types(src, dst, pairs);
  REQUIRE(absent);
  CHECK(absent->count("gadgets." + group) == 1);
  CHECK(absent->count("configmaps") == 0);  // kube-root-ca.crt is in every namespace
  CHECK(absent->count("serviceaccounts") == 0);

  // One object in one namespace: the type is no longer absent, and a plan Stage copies it.
  std::vector<Object> gadget;
  gadget.push_back(
      Object::parse(R"({"apiVersion":")" + group +
                    R"(/v1","kind":"Gadget","metadata":{"name":"g1"},"spec":{"n":1}})"));
  apply_objects(src, ns, gadget);
  absent = detail::absent_source_types(src, dst, pairs);
  REQUIRE(absent);
  CHECK(absent->count("gadgets." + group) == 0);

  create_namespace(src, ns + "-b");
  PlanRunOptions run;
  PlanReport report = run_plan(src, dst, pairs, Mode::Stage, run);
  INFO(report.to_json());
  REQUIRE(report.ok);
  auto copied = dst.list(dst.resolve("gadgets." + group), ns);
  CHECK(copied.items.size() == 1);
  for (const auto& n : {ns, ns + "-b"}) {
    delete_namespace(src, n);
    delete_namespace(dst, n);
  }
  // The CRDs stay (like the fixture apps' do): syncs running beside this test have discovered
  // the type, and deleting it would fail their LISTs with 404.
}
