// The one table of request verbs: name, counter in RequestStats, default method, write or not.
// Counting, snapshots, differences, totals and the JSON of request counts all read it.
#include <array>

#include "drsync/request.hpp"
#include "rest/verbs.hpp"

namespace drsync {
namespace {

struct VerbRow {
  Verb verb;
  const char* name;
  std::uint64_t RequestStats::*counter;
  Method method;
  bool writes;
};

constexpr std::array<VerbRow, kAllVerbs.size()> kVerbTable = {{
    {Verb::List, "list", &RequestStats::list, Method::Get, false},
    {Verb::Get, "get", &RequestStats::get, Method::Get, false},
    {Verb::Create, "create", &RequestStats::create, Method::Post, true},
    {Verb::Update, "update", &RequestStats::update, Method::Put, true},
    {Verb::Patch, "patch", &RequestStats::patch, Method::Patch, true},
    {Verb::Delete, "delete", &RequestStats::remove, Method::Delete, true},
    {Verb::Watch, "watch", &RequestStats::watch, Method::Get, false},
    {Verb::Discovery, "discovery", &RequestStats::discovery, Method::Get, false},
    {Verb::Other, "other", &RequestStats::other, Method::Get, false},
}};

const VerbRow& row(Verb v) noexcept {
  return kVerbTable[static_cast<std::size_t>(v)];
}

}  // namespace

const char* verb_name(Verb v) noexcept {
  return row(v).name;
}

Verb default_verb(Method method) noexcept {
  switch (method) {
    case Method::Get:
      return Verb::Get;
    case Method::Post:
      return Verb::Create;
    case Method::Put:
      return Verb::Update;
    case Method::Patch:
      return Verb::Patch;
    case Method::Delete:
      return Verb::Delete;
  }
  return Verb::Other;
}

std::uint64_t& RequestStats::operator[](Verb v) noexcept {
  return this->*row(v).counter;
}
std::uint64_t RequestStats::operator[](Verb v) const noexcept {
  return this->*row(v).counter;
}

std::uint64_t RequestStats::total() const noexcept {
  std::uint64_t n = 0;
  for (const auto& r : kVerbTable) n += this->*r.counter;
  return n;
}

std::uint64_t RequestStats::writes() const noexcept {
  std::uint64_t n = 0;
  for (const auto& r : kVerbTable) n += r.writes ? this->*r.counter : 0;
  return n;
}

RequestStats RequestStats::operator-(const RequestStats& before) const noexcept {
  RequestStats d;
  for (const auto& r : kVerbTable) d.*r.counter = this->*r.counter - before.*r.counter;
  d.retries = retries - before.retries;
  return d;
}

const char* patch_content_type(PatchType type) noexcept {
  switch (type) {
    case PatchType::Json:
      return "application/json-patch+json";
    case PatchType::Merge:
      return "application/merge-patch+json";
    case PatchType::StrategicMerge:
      return "application/strategic-merge-patch+json";
    case PatchType::Apply:
      return "application/apply-patch+yaml";
  }
  return "application/json";
}

namespace detail {

Method method_for(Verb v) noexcept {
  return row(v).method;
}

void Counters::count(Verb v) noexcept {
  ++by_verb[static_cast<std::size_t>(v)];
}

RequestStats Counters::snapshot() const noexcept {
  RequestStats s;
  for (Verb v : kAllVerbs) s[v] = by_verb[static_cast<std::size_t>(v)];
  s.retries = retries;
  return s;
}

void Counters::reset() noexcept {
  for (auto& c : by_verb) c.store(0);
  retries.store(0);
}

}  // namespace detail
}  // namespace drsync
