// RFC 7386 merge patch: target and patch split at a "%%" line. Applying a patch is idempotent
// (RFC 7386 section 1), and a patch that is not an object replaces the target.
#include "drsync/transform.hpp"
#include "fuzz.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  auto parts = fuzz::split2(fuzz::text(data, size));
  std::string_view target_text = parts.first, patch_text = parts.second;
  rapidjson::Document target, patch;
  if (!fuzz::parse_json(target_text, target) || !fuzz::parse_json(patch_text, patch)) return 0;
  drsync::apply_merge_patch(target, patch, target.GetAllocator());
  if (!patch.IsObject()) FUZZ_ASSERT(target == patch);
  rapidjson::Document twice;
  twice.CopyFrom(target, twice.GetAllocator());
  drsync::apply_merge_patch(twice, patch, twice.GetAllocator());
  FUZZ_ASSERT(twice == target);
  return 0;
}
