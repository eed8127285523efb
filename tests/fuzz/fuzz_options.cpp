// The options document and the DR plan parser: a document is applied whole or refused with
// Error(invalid_argument) naming where; what is accepted is usable (no negative durations or
// concurrency, every plan pair has both namespaces).
#include "drsync/options.hpp"
#include "fuzz.hpp"

namespace {

void check(const drsync::MigrationOptions& o) {
  FUZZ_ASSERT(o.sync.concurrency >= 1);
  FUZZ_ASSERT(o.wait_timeout.count() >= 0);
  FUZZ_ASSERT(o.gone_timeout.count() >= 0);
  for (const auto& [name, count] : o.scale_overrides) {
    FUZZ_ASSERT(!name.empty());
    FUZZ_ASSERT(!count.empty() && count.find_first_not_of("0123456789") == std::string::npos);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  std::string_view in = fuzz::text(data, size);
  drsync::MigrationOptions o;
  if (fuzz::accepts_only({drsync::Errc::invalid_argument, drsync::Errc::config},
                         [&] { drsync::apply_options_document(o, in, "<fuzz>", "/nonexistent"); }))
    check(o);
  drsync::DrPlan plan;
  if (fuzz::accepts_only({drsync::Errc::invalid_argument, drsync::Errc::config},
                         [&] { plan = drsync::parse_plan(in, "<fuzz>", "/nonexistent"); })) {
    for (const auto& pair : plan.namespaces) {
      FUZZ_ASSERT(!pair.source.empty() && !pair.destination.empty());
      check(pair.options);
    }
  }
  return 0;
}
