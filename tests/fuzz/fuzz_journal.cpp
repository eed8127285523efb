// The Migration journal as stored in the drsync-state ConfigMap: whatever reads back writes back
// the same (a journal that changed on a round trip would resume the wrong steps).
#include "fuzz.hpp"
#include "migration/journal.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  using drsync::detail::Journal;
  rapidjson::Document well_formed;
  if (!fuzz::parse_json(fuzz::text(data, size), well_formed)) return 0;
  Journal j;
  if (!fuzz::accepts([&] { j = Journal::from_json(std::string(fuzz::text(data, size))); }))
    return 0;
  Journal again;
  FUZZ_ASSERT(fuzz::accepts([&] { again = Journal::from_json(j.to_json()); }));
  FUZZ_ASSERT(again.mode == j.mode && again.status == j.status && again.subset == j.subset);
  FUZZ_ASSERT(again.started == j.started && again.steps_done == j.steps_done);
  FUZZ_ASSERT(again.values == j.values);
  return 0;
}
