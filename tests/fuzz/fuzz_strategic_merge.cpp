// Strategic merge patch: the first line names the kind, then target and patch split at a "%%"
// line. Objects patched by objects stay objects; directives that make no sense fail typed.
#include "drsync/transform.hpp"
#include "fuzz.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  std::string_view in = fuzz::text(data, size);
  auto nl = in.find('\n');
  if (nl == std::string_view::npos) return 0;
  std::string kind(in.substr(0, nl));
  auto parts = fuzz::split2(in.substr(nl + 1));
  std::string_view target_text = parts.first, patch_text = parts.second;
  rapidjson::Document target, patch;
  if (!fuzz::parse_json(target_text, target) || !fuzz::parse_json(patch_text, patch)) return 0;
  bool objects = target.IsObject() && patch.IsObject();
  if (!fuzz::accepts(
          [&] { drsync::apply_strategic_merge_patch(target, patch, kind, target.GetAllocator()); }))
    return 0;
  if (objects) FUZZ_ASSERT(target.IsObject());
  rapidjson::Document again;
  FUZZ_ASSERT(fuzz::parse_json(fuzz::serialize(target), again));
  return 0;
}
