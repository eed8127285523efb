// Object parsing: what parses serializes and parses back to the same value; the metadata
// accessors answer for any shape. As a LIST page, parsed without its items' managedFields, it is
// the same page with items[*].metadata.managedFields erased.
#include "drsync/object.hpp"
#include "fuzz.hpp"
#include "rest/list_page.hpp"

namespace {

void check_list_page(std::string_view in, rapidjson::Document& whole) {
  rapidjson::Document page;
  FUZZ_ASSERT(drsync::detail::parse_list_page(page, in, true));
  if (whole.IsObject() && whole.HasMember("items") && whole["items"].IsArray()) {
    for (auto& item : whole["items"].GetArray()) {
      if (item.IsObject() && item.HasMember("metadata") && item["metadata"].IsObject())
        item["metadata"].RemoveMember("managedFields");
    }
  }
  FUZZ_ASSERT(page == whole);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  rapidjson::Document well_formed;
  if (!fuzz::parse_json(fuzz::text(data, size), well_formed)) return 0;
  check_list_page(fuzz::text(data, size), well_formed);  // last use of well_formed: it is edited
  drsync::Object obj;
  if (!fuzz::accepts([&] { obj = drsync::Object::parse(fuzz::text(data, size)); })) return 0;
  (void)obj.name();
  (void)obj.namespace_();
  (void)obj.kind();
  (void)obj.resource_version();
  std::string written;
  if (!fuzz::accepts([&] { written = obj.to_json(); })) return 0;  // a number beyond JSON's range
  drsync::Object again;
  FUZZ_ASSERT(fuzz::accepts([&] { again = drsync::Object::parse(written); }));
  FUZZ_ASSERT(fuzz::same(again.json(), obj.json()));
  return 0;
}
