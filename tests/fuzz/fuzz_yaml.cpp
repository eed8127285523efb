// YAML -> JSON: every document read comes back the same after JSON -> YAML -> JSON.
#include <vector>

#include "drsync/yaml.hpp"
#include "fuzz.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  std::vector<drsync::Object> docs;
  if (!fuzz::accepts([&] { docs = drsync::parse_yaml_documents(fuzz::text(data, size)); }))
    return 0;
  for (const auto& doc : docs) {
    std::string yaml = drsync::to_yaml(doc.json());
    drsync::Object again;
    FUZZ_ASSERT(fuzz::accepts([&] { again = drsync::parse_yaml(yaml); }));
    if (again.json() != doc.json()) {
      std::fprintf(stderr, "read:    %s\nwritten: %s\nre-read: %s\n", doc.to_json().c_str(),
                   yaml.c_str(), again.to_json().c_str());
    }
    FUZZ_ASSERT(again.json() == doc.json());
  }
  return 0;
}
