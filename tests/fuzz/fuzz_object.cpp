// Object parsing: what parses serializes and parses back to the same value; the metadata
// accessors answer for any shape.
#include "drsync/object.hpp"
#include "fuzz.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  rapidjson::Document well_formed;
  if (!fuzz::parse_json(fuzz::text(data, size), well_formed)) return 0;
  drsync::Object obj;
  if (!fuzz::accepts([&] { obj = drsync::Object::parse(fuzz::text(data, size)); })) return 0;
  (void)obj.name();
  (void)obj.namespace_();
  (void)obj.kind();
  (void)obj.resource_version();
  drsync::Object again;
  FUZZ_ASSERT(fuzz::accepts([&] { again = drsync::Object::parse(obj.to_json()); }));
  FUZZ_ASSERT(fuzz::same(again.json(), obj.json()));
  return 0;
}
