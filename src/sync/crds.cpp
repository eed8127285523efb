#include "sync/crds.hpp"

#include <fmt/format.h>

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
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (!all_served(dest, group_resources)) {
    if (std::chrono::steady_clock::now() > deadline) {
      throw Error(Errc::timeout,
                  "copied CustomResourceDefinitions are not served by the destination after 60 s");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
  }
}

}  // namespace drsync::detail
