// RFC 6902 JSON patch: target and patch split at a "%%" line. A patch that does not apply leaves
// the target exactly as it was; a malformed one is Error(invalid_argument).
#include "drsync/transform.hpp"
#include "fuzz.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  auto parts = fuzz::split2(fuzz::text(data, size));
  std::string_view target_text = parts.first, patch_text = parts.second;
  rapidjson::Document target, patch, before;
  if (!fuzz::parse_json(target_text, target) || !fuzz::parse_json(patch_text, patch)) return 0;
  before.CopyFrom(target, before.GetAllocator());
  bool applied = false;
  try {
    applied = drsync::apply_json_patch(target, patch, target.GetAllocator());
  } catch (const drsync::Error& e) {
    FUZZ_ASSERT(e.code() == drsync::Errc::invalid_argument);
    FUZZ_ASSERT(target == before);
    return 0;
  }
  if (!applied) FUZZ_ASSERT(target == before);
  rapidjson::Document again;
  FUZZ_ASSERT(fuzz::parse_json(fuzz::serialize(target), again));
  return 0;
}
