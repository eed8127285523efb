#include "sync/crds.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <thread>

#include "drsync/sync.hpp"
#include "drsync/transform.hpp"

namespace drsync::detail {
namespace {

const ResourceInfo kCrds{"apiextensions.k8s.io",
                         "v1",
                         "customresourcedefinitions",
                         "CustomResourceDefinition",
                         false,
                         {},
                         {},
                         {},
                         {}};

bool all_served(const Cluster& dest, const std::vector<std::string>& group_resources) {
  auto served = dest.resources(true);
  return std::all_of(group_resources.begin(), group_resources.end(), [&](const std::string& gr) {
    return std::any_of(served.begin(), served.end(),
                       [&](const ResourceInfo& r) { return r.group_resource() == gr; });
  });
}

}  // namespace

bool crd_established(const Object& crd) {
  const rapidjson::Value* conditions = crd.find("/status/conditions");
  if (!conditions || !conditions->IsArray()) return false;
  for (const auto& c : conditions->GetArray()) {
    if (json_str(json_get(c, "type")) == "Established")
      return json_str(json_get(c, "status")) == "True";
  }
  return false;
}

void copy_crds(const Cluster& source, const Cluster& dest,
               const std::vector<std::string>& group_resources, bool dry_run, Problems& problems) {
  WriteOptions write;
  write.dry_run = dry_run;
  for (const auto& name : group_resources) {
    Object crd = source.get(kCrds, "", name);
    strip_server_fields()->apply(crd, TransformContext{});
    crd.set_label(kManagedByLabel, kManagedByValue);
    try {
      dest.create(kCrds, "", crd, write);
      problems.warn(fmt::format("copied CustomResourceDefinition {} to the destination", name));
    } catch (const Error& e) {
      if (e.code() != Errc::already_exists) throw;
    }
  }
  if (dry_run) return;
  // Established first (the API server accepts their custom resources), then in discovery.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  std::vector<std::string> waiting = group_resources;
  while (!waiting.empty() || !all_served(dest, group_resources)) {
    std::erase_if(waiting, [&](const std::string& name) {
      return crd_established(dest.get(kCrds, "", name));
    });
    if (waiting.empty() && all_served(dest, group_resources)) break;
    if (std::chrono::steady_clock::now() > deadline) {
      throw Error(Errc::timeout,
                  fmt::format("copied CustomResourceDefinitions are not Established and served by "
                              "the destination after 60 s: {}",
                              fmt::join(waiting.empty() ? group_resources : waiting, ", ")));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
  }
}

}  // namespace drsync::detail
