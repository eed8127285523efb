#include "transform/destination_fields.hpp"

#include <rapidjson/pointer.h>

namespace drsync::detail {
namespace {

struct KindRule {
  std::string_view api_version;
  std::string_view kind;
  void (*keep)(Object& desired, const Object& live);
};

constexpr KindRule kKindRules[] = {
    {"v1", "Service", keep_service_fields},
    {"v1", "PersistentVolumeClaim", keep_claim_fields},
    {"batch/v1", "Job", keep_job_fields},
    {"v1", "ServiceAccount", keep_service_account_fields},
};

}  // namespace

void keep_destination_fields(Object& desired, const Object& live) {
  for (const auto& rule : kKindRules) {
    if (live.kind() == rule.kind && live.api_version() == rule.api_version) {
      rule.keep(desired, live);
      return;
    }
  }
}

void copy_pointer(Object& to, const Object& from, const char* pointer) {
  if (const rapidjson::Value* v = from.find(pointer)) {
    rapidjson::Pointer(pointer).Set(to.json(), rapidjson::Value(*v, to.allocator()),
                                    to.allocator());
  }
}

}  // namespace drsync::detail
