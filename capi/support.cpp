// Argument checks and result handles shared by the entry points.
#include <fmt/format.h>

#include "handles.hpp"

namespace drsync_capi {

void invalid(const std::string& message) {
  throw drsync::Error(Errc::invalid_argument, message);
}

void need_name(const char* s, const char* function, const char* what) {
  if (!s || !*s) invalid(fmt::format("{}: {} is NULL or empty", function, what));
}

drsync::Side side_of(drsync_side s, const char* function) {
  switch (s) {
    case DRSYNC_SIDE_SOURCE:
      return drsync::Side::Source;
    case DRSYNC_SIDE_DESTINATION:
      return drsync::Side::Destination;
  }
  invalid(fmt::format("{}: side must be DRSYNC_SIDE_SOURCE or DRSYNC_SIDE_DESTINATION", function));
}

drsync::Mode mode_of(drsync_mode m, const char* function) {
  if (static_cast<int>(m) < DRSYNC_MODE_STAGE || static_cast<int>(m) > DRSYNC_MODE_DEACTIVATE)
    invalid(fmt::format("{}: mode {} is not a drsync_mode", function, static_cast<int>(m)));
  return static_cast<drsync::Mode>(m);
}

drsync_side c_side(drsync::Side s) {
  return s == drsync::Side::Source ? DRSYNC_SIDE_SOURCE : DRSYNC_SIDE_DESTINATION;
}

void cancelled_by(const std::string& what, int rc) {
  throw drsync::Error(Errc::cancelled, fmt::format("{} returned {}: cancelled", what, rc));
}

std::string first_error(const std::vector<std::string>& errors) {
  if (errors.empty()) return "";
  if (errors.size() == 1) return ": " + errors.front();
  return fmt::format(": {} (and {} more)", errors.front(), errors.size() - 1);
}

void parse_options(drsync::MigrationOptions& o, const char* document) {
  if (document && *document) drsync::apply_options_document(o, document, "<options>", ".");
}

namespace {

void fill_counts(drsync_result& r, const drsync::SyncResult& s) {
  r.has_counts = true;
  for (drsync::Action a : drsync::kAllActions) r.counts[drsync::action_name(a)] = s.count(a);
}

}  // namespace

std::unique_ptr<drsync_result> json_result(drsync_result_kind kind, std::string json) {
  auto r = std::make_unique<drsync_result>();
  r->kind = kind;
  r->json = std::move(json);
  return r;
}

std::unique_ptr<drsync_result> sync_result(const drsync::SyncResult& s) {
  auto r = json_result(DRSYNC_RESULT_SYNC, s.to_json());
  r->ok = s.ok();
  fill_counts(*r, s);
  return r;
}

std::unique_ptr<drsync_result> report_result(const drsync::MigrationReport& m) {
  auto r = json_result(DRSYNC_RESULT_MIGRATION, m.to_json());
  r->ok = m.ok;
  r->markdown = m.to_markdown();
  if (m.sync) fill_counts(*r, *m.sync);
  return r;
}

}  // namespace drsync_capi
