// The one table of mode, side and step names: C++, the C ABI, Python, the CLI and the docs all
// read it from here.
#include <fmt/format.h>
#include <array>

#include "drsync/migration.hpp"

namespace drsync {
namespace {

struct StepRow {
  Step step;
  const char* name;
  const char* verb;  // "{verb} the {side}", "sync the destination from the source"
};

constexpr std::array<StepRow, kStepCount> kSteps{{
    {Step::Sync, "sync", "sync the {side} from the {other}"},
    {Step::Record, "record", "record the scale of the {side}'s workloads"},
    {Step::Fence, "fence", "fence the {side} (mark it passive)"},
    {Step::Unfence, "unfence", "unfence the {side} (mark it active)"},
    {Step::ScaleDown, "scale_down", "scale down the {side}"},
    {Step::ScaleUp, "scale_up", "scale up the {side}"},
    {Step::WaitGone, "wait_gone", "wait for the {side}'s pods to go"},
    {Step::WaitReady, "wait_ready", "wait until the {side} is ready"},
    {Step::MigrateData, "migrate_data", "copy volume data to the {side} from the {other}"},
    {Step::Verify, "verify", "verify the {side} runs at the recorded scale"},
    {Step::CheckServices, "check_services", "check that the {side}'s Services answer"},
}};

struct ModeRow {
  Mode mode;
  const char* name;
  const char* id;
};

constexpr std::array<ModeRow, 5> kModes{{
    {Mode::Stage, "Stage", "stage"},
    {Mode::Cutover, "Cutover", "cutover"},
    {Mode::Failback, "Failback", "failback"},
    {Mode::Activate, "Activate", "activate"},
    {Mode::Deactivate, "Deactivate", "deactivate"},
}};

constexpr bool in_enum_order() {
  for (std::size_t i = 0; i < kSteps.size(); ++i) {
    if (static_cast<std::size_t>(kSteps[i].step) != i) return false;
  }
  return true;
}
static_assert(in_enum_order(), "kSteps must list the steps in the order of enum class Step");

const StepRow& row(Step s) noexcept {
  return kSteps[static_cast<std::size_t>(s)];
}

Side other(Side s) noexcept {
  return s == Side::Source ? Side::Destination : Side::Source;
}

}  // namespace

const char* side_name(Side s) noexcept {
  return s == Side::Source ? "source" : "destination";
}

const char* mode_name(Mode m) noexcept {
  return kModes[static_cast<std::size_t>(m)].name;
}

const char* mode_id(Mode m) noexcept {
  return kModes[static_cast<std::size_t>(m)].id;
}

std::optional<Mode> parse_mode(std::string_view text) noexcept {
  for (const auto& r : kModes) {
    if (text == r.name || text == r.id) return r.mode;
  }
  return std::nullopt;
}

const char* step_name(Step s) noexcept {
  return row(s).name;
}

std::string step_description(Step s, Side side) {
  return fmt::format(fmt::runtime(row(s).verb), fmt::arg("side", side_name(side)),
                     fmt::arg("other", side_name(other(side))));
}

std::optional<Step> parse_step(std::string_view name) noexcept {
  for (const auto& r : kSteps) {
    if (name == r.name) return r.step;
  }
  return std::nullopt;
}

std::string step_names() {
  std::string out;
  for (const auto& r : kSteps) out += fmt::format("{}{}", out.empty() ? "" : ", ", r.name);
  return out;
}

std::string PlannedStep::name() const {
  return fmt::format("{}{}", rollback ? "rollback_" : "", step_name(step));
}

std::string PlannedStep::description() const {
  std::string text = step_description(step, side);
  return rollback ? "roll back: " + text : text;
}

}  // namespace drsync
