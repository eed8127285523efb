// Velero resource modifiers: rules (YAML) and an object (JSON) split at a "%%" line. Rules parse or
// fail with a typed error; applied to an object they leave an object (or fail typed).
#include <optional>

#include "drsync/transform.hpp"
#include "fuzz.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  auto parts = fuzz::split2(fuzz::text(data, size));
  std::string_view rules_text = parts.first, object_text = parts.second;
  std::optional<drsync::ResourceModifiers> rules;
  if (!fuzz::accepts([&] { rules.emplace(drsync::ResourceModifiers::parse(rules_text)); }))
    return 0;
  rapidjson::Document well_formed;
  if (!fuzz::parse_json(object_text, well_formed)) return 0;
  drsync::Object obj;
  if (!fuzz::accepts([&] { obj = drsync::Object::parse(object_text); })) return 0;
  if (!obj.json().IsObject()) return 0;
  int applied = 0;
  if (fuzz::accepts([&] { applied = rules->apply(obj, "deployments.apps", "fuzz"); })) {
    FUZZ_ASSERT(applied >= 0);
  }
  FUZZ_ASSERT(obj.json().IsObject());
  drsync::Object again;
  FUZZ_ASSERT(fuzz::accepts([&] { again = drsync::Object::parse(obj.to_json()); }));
  return 0;
}
