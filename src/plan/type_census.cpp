#include "plan/type_census.hpp"

#include <future>
#include <map>

#include "drsync/error.hpp"
#include "sync/lister.hpp"

namespace drsync::detail {
namespace {

// The types any pair selects (discovery is cached per Cluster: no request after the first).
std::map<std::string, ResourceInfo> selected_types(const Cluster& source, const Cluster& dest,
                                                   const std::vector<PlanNamespace>& pairs) {
  std::map<std::string, ResourceInfo> out;
  for (const auto& p : pairs) {
    Lister lister(source, p.source, dest, p.destination.empty() ? p.source : p.destination);
    for (const auto& t : lister.select(p.options.sync).types) {
      out.emplace(t.type.info.group_resource(), t.type.info);
    }
  }
  return out;
}

bool has_no_items(const Response& r) {
  if (r.status != 200) return false;
  const Object page = Object::parse(r.body);
  const auto* items = page.find("/items");
  return items && items->IsArray() && items->Empty();
}

}  // namespace

std::shared_ptr<const std::set<std::string>> absent_source_types(
    const Cluster& source, const Cluster& dest, const std::vector<PlanNamespace>& pairs) {
  try {
    std::map<std::string, std::future<Response>> lists;
    for (const auto& [name, type] : selected_types(source, dest, pairs)) {
      lists.emplace(name, source.request(Verb::List).resource(type).param("limit", "1").start());
    }
    auto absent = std::make_shared<std::set<std::string>>();
    for (auto& [name, pending] : lists) {
      try {
        if (has_no_items(pending.get())) absent->insert(name);
      } catch (const Error&) {
      }  // not known: listed per namespace
    }
    return absent;
  } catch (const Error&) {
    return nullptr;  // discovery failed: each pair will say why
  }
}

}  // namespace drsync::detail
