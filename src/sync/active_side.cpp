#include "sync/active_side.hpp"

#include <fmt/format.h>

#include <future>

#include "drsync/sync.hpp"

namespace drsync::detail {
namespace {

// The recorded role ("active", "passive", "" when never set).
std::string role_of(const Cluster& c, const std::string& ns, std::future<Response>& read) {
  static const ResourceInfo configmaps{"", "v1", "configmaps", "ConfigMap", true, {}, {}, {}, {}};
  Response r = read.get();
  if (r.status == 404) return {};
  if (!r.ok()) {
    c.request(Verb::Get).resource(configmaps).in_namespace(ns).name(kStateConfigMap).check(r);
  }
  return std::string(json_str(Object::parse(r.body).find("/data/role")));
}

std::future<Response> read_state(const Cluster& c, const std::string& ns) {
  static const ResourceInfo configmaps{"", "v1", "configmaps", "ConfigMap", true, {}, {}, {}, {}};
  return c.request(Verb::Get).resource(configmaps).in_namespace(ns).name(kStateConfigMap).start();
}

}  // namespace

std::string destination_active_reason(const Cluster& source, const std::string& source_ns,
                                      const Cluster& dest, const std::string& dest_ns) {
  auto source_read = read_state(source, source_ns);
  auto dest_read = read_state(dest, dest_ns);
  const std::string dest_role = role_of(dest, dest_ns, dest_read);
  const std::string source_role = role_of(source, source_ns, source_read);
  if (dest_role == "active") {
    return fmt::format(
        "the destination namespace {} is the active side (a Cutover made it so): continuous sync "
        "never writes into an active DR site; suspended until a Failback",
        dest_ns);
  }
  if (source_role == "passive") {
    return fmt::format(
        "the source namespace {} is fenced (passive: a Cutover is running or ran): continuous "
        "sync suspended until a Failback makes it active again",
        source_ns);
  }
  return {};
}

}  // namespace drsync::detail
