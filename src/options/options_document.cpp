#include <fmt/format.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "drsync/error.hpp"
#include "drsync/options.hpp"
#include "drsync/yaml.hpp"

namespace drsync {
namespace {

using rapidjson::Value;

class Reader {
 public:
  Reader(const Value& v, std::string where) : v_(v), where_(std::move(where)) {
    if (!v.IsObject()) fail("", "must be a mapping");
  }

  [[noreturn]] void fail(const std::string& key, const std::string& why) const {
    if (key.empty()) throw Error(Errc::invalid_argument, fmt::format("{}: {}", where_, why));
    throw Error(Errc::invalid_argument, fmt::format("{}: {}", path(key), why));
  }
  std::string path(const std::string& key) const { return fmt::format("{}.{}", where_, key); }

  // Rejects keys that no reader asked for.
  void check_unknown() const {
    for (const auto& m : v_.GetObject()) {
      std::string k(m.name.GetString(), m.name.GetStringLength());
      if (!seen_.count(k)) fail(k, "unknown field");
    }
  }

  const Value* get(const std::string& key) {
    seen_.insert(key);
    return json_get(v_, key);
  }
  bool boolean(const std::string& key, bool& out) {
    const Value* v = get(key);
    if (!v) return false;
    if (!v->IsBool()) fail(key, "must be true or false");
    out = v->GetBool();
    return true;
  }
  void string(const std::string& key, std::string& out) {
    const Value* v = get(key);
    if (!v) return;
    if (!v->IsString()) fail(key, "must be a string");
    out = v->GetString();
  }
  void integer(const std::string& key, long long& out, long long min, long long max) {
    const Value* v = get(key);
    if (!v) return;
    if (!v->IsInt64()) fail(key, "must be an integer");
    out = v->GetInt64();
    if (out < min || out > max) fail(key, fmt::format("must be between {} and {}", min, max));
  }
  // A mapping of names to replica counts: {"web": 3, "deployments/api": "2"}.
  void counts(const std::string& key, std::map<std::string, std::string>& out) {
    const Value* v = get(key);
    if (!v) return;
    if (!v->IsObject()) fail(key, "must be a mapping of workload names to replica counts");
    for (const auto& m : v->GetObject()) {
      std::string name = m.name.GetString();
      if (m.value.IsUint()) {
        out[name] = std::to_string(m.value.GetUint());
      } else if (m.value.IsString() && m.value.GetStringLength() > 0 &&
                 std::string_view(m.value.GetString()).find_first_not_of("0123456789") ==
                     std::string_view::npos) {
        out[name] = m.value.GetString();
      } else {
        fail(key + "." + name, "must be a replica count (a non-negative integer)");
      }
    }
  }
  void strings(const std::string& key, std::vector<std::string>& out) {
    const Value* v = get(key);
    if (!v) return;
    if (!v->IsArray()) fail(key, "must be a list of strings");
    out.clear();
    for (const auto& s : v->GetArray()) {
      if (!s.IsString()) fail(key, "must be a list of strings");
      out.emplace_back(s.GetString());
    }
  }
  template <typename Map>
  void string_map(const std::string& key, Map& out) {
    const Value* v = get(key);
    if (!v) return;
    if (!v->IsObject()) fail(key, "must be a mapping of strings");
    out.clear();
    for (const auto& m : v->GetObject()) {
      if (!m.value.IsString())
        fail(fmt::format("{}.{}", key, m.name.GetString()), "must be a string");
      out.insert(out.end(), {m.name.GetString(), m.value.GetString()});
    }
  }

 private:
  const Value& v_;
  std::string where_;
  std::set<std::string> seen_;
};

std::string resolve(const std::string& base_dir, const std::string& p) {
  if (p.empty() || std::filesystem::path(p).is_absolute()) return p;
  return (std::filesystem::path(base_dir) / p).string();
}

template <typename Enum>
void read_choice(Reader& r, const char* key, Enum& out,
                 std::initializer_list<std::pair<std::string_view, Enum>> choices,
                 const char* message) {
  std::string text;
  r.string(key, text);
  if (text.empty()) return;
  for (const auto& [name, value] : choices) {
    if (text == name) {
      out = value;
      return;
    }
  }
  r.fail(key, message);
}

ScaleSpec read_scale_kind(Reader& kr) {
  ScaleSpec spec;
  std::string type = "int";
  kr.string("group", spec.group);
  kr.string("kind", spec.kind);
  kr.string("path", spec.path);
  kr.string("type", type);
  kr.string("stoppedValue", spec.stopped_value);
  kr.check_unknown();
  if (spec.kind.empty() || spec.path.empty()) kr.fail("", "kind and path are required");
  if (type == "int")
    spec.type = ScaleType::Int;
  else if (type == "bool")
    spec.type = ScaleType::Bool;
  else if (type == "string")
    spec.type = ScaleType::String;
  else
    kr.fail("type", "must be int, bool or string");
  if (spec.stopped_value.empty()) spec.stopped_value = spec.type == ScaleType::Bool ? "true" : "0";
  return spec;
}

void read_scale_kinds(Reader& r, SyncOptions& s) {
  const Value* kinds = r.get("scaleKinds");
  if (!kinds) return;
  if (!kinds->IsArray()) r.fail("scaleKinds", "must be a list");
  s.custom_scale_kinds.clear();
  int i = 0;
  for (const auto& k : kinds->GetArray()) {
    Reader kr(k, r.path(fmt::format("scaleKinds[{}]", i++)));
    s.custom_scale_kinds.push_back(read_scale_kind(kr));
  }
}

void read_sync_options(Reader& r, SyncOptions& s, const std::string& base_dir) {
  r.strings("includeTypes", s.include_types);
  r.strings("excludeTypes", s.exclude_types);
  r.boolean("includeJobs", s.include_jobs);
  r.boolean("includeCustomResources", s.include_custom_resources);
  r.boolean("copyCRDs", s.copy_crds);
  r.boolean("clusterResources", s.cluster_resources);
  r.string("labelSelector", s.label_selector);
  r.boolean("prune", s.prune);
  r.boolean("dryRun", s.dry_run);
  read_choice(r, "unmanaged", s.unmanaged,
              {{"skip", UnmanagedPolicy::Skip},
               {"adopt", UnmanagedPolicy::Adopt},
               {"fail", UnmanagedPolicy::Fail}},
              "must be skip, adopt or fail");
  read_choice(r, "immutable", s.immutable,
              {{"fail", ImmutablePolicy::Fail}, {"recreate", ImmutablePolicy::Recreate}},
              "must be fail or recreate");
  r.string_map("storageClassMap", s.storage_class_map);
  r.string_map("accessModeMap", s.access_mode_map);
  r.string_map("imageMap", s.image_map);
  r.boolean("preserveNodePorts", s.preserve_node_ports);
  std::string modifiers;
  r.string("resourceModifiers", modifiers);
  if (!modifiers.empty()) {
    s.modifiers = std::make_shared<ResourceModifiers>(
        ResourceModifiers::load_file(resolve(base_dir, modifiers)));
  }
  read_scale_kinds(r, s);
  long long n = s.concurrency;
  r.integer("concurrency", n, 1, 1024);
  s.concurrency = static_cast<int>(n);
}

void read_seconds(Reader& r, const char* key, std::chrono::seconds& out) {
  long long n = out.count();
  r.integer(key, n, 0, 366LL * 24 * 3600);  // up to a year
  out = std::chrono::seconds(n);
}

Toleration read_toleration(Reader& tr) {
  Toleration t;
  tr.string("key", t.key);
  tr.string("operator", t.op);
  tr.string("value", t.value);
  tr.string("effect", t.effect);
  tr.check_unknown();
  if (t.op != "Equal" && t.op != "Exists") tr.fail("operator", "must be Equal or Exists");
  return t;
}

ServiceCheck read_service_check(Reader& cr) {
  ServiceCheck c;
  cr.string("name", c.name);
  cr.string("url", c.url);
  cr.string("address", c.address);
  long long status = 0;
  cr.integer("expectStatus", status, 0, 599);
  c.expect_status = static_cast<int>(status);
  read_seconds(cr, "timeoutSeconds", c.timeout);
  read_choice(cr, "from", c.from,
              {{"host", ServiceCheck::From::Host}, {"pod", ServiceCheck::From::Pod}},
              "must be host or pod");
  cr.boolean("insecureSkipTLSVerify", c.insecure_skip_tls_verify);
  cr.check_unknown();
  if (c.url.empty() == c.address.empty()) cr.fail("", "give either url or address (host:port)");
  return c;
}

// A list of mappings under `key`, each read by `read_one`.
template <typename T, typename F>
void read_list(Reader& r, const char* key, std::vector<T>& out, F read_one) {
  const Value* list = r.get(key);
  if (!list) return;
  if (!list->IsArray()) r.fail(key, "must be a list");
  out.clear();
  int i = 0;
  for (const auto& item : list->GetArray()) {
    Reader ir(item, r.path(fmt::format("{}[{}]", key, i++)));
    out.push_back(read_one(ir));
  }
}

void read_service_checks(Reader& r, ServiceCheckOptions& o) {
  const Value* v = r.get("serviceChecks");
  if (!v) return;
  Reader sr(*v, r.path("serviceChecks"));
  sr.boolean("endpoints", o.endpoints);
  sr.string("podImage", o.pod_image);
  sr.string_map("podNodeSelector", o.pod_placement.node_selector);
  read_list(sr, "podTolerations", o.pod_placement.tolerations, read_toleration);
  read_list(sr, "checks", o.checks, read_service_check);
  sr.check_unknown();
}

void read_data_mover(Reader& r, DataMoverOptions& o) {
  const Value* v = r.get("dataMover");
  if (!v) return;
  Reader dr(*v, r.path("dataMover"));
  dr.string("image", o.image);
  read_choice(dr, "serviceType", o.service_type,
              {{"NodePort", std::string("NodePort")},
               {"LoadBalancer", std::string("LoadBalancer")},
               {"ClusterIP", std::string("ClusterIP")}},
              "must be NodePort, LoadBalancer or ClusterIP");
  dr.string("address", o.address);
  long long n = o.parallelism;
  dr.integer("parallelism", n, 1, 64);
  o.parallelism = static_cast<int>(n);
  dr.strings("rsyncArgs", o.rsync_args);
  dr.integer("bandwidthLimitKiB", o.bandwidth_limit_kib, 0, 1LL << 40);
  dr.strings("exclude", o.exclude);
  read_seconds(dr, "timeoutSeconds", o.timeout);
  read_choice(dr, "verify", o.verify,
              {{"none", DataMoverOptions::Verify::None},
               {"sample", DataMoverOptions::Verify::Sample},
               {"full", DataMoverOptions::Verify::Full}},
              "must be none, sample or full");
  dr.string_map("nodeSelector", o.placement.node_selector);
  read_list(dr, "tolerations", o.placement.tolerations, read_toleration);
  dr.check_unknown();
}

void read_migration_options(Reader& r, MigrationOptions& o, const std::string& base_dir) {
  r.strings("workloads", o.subset.names);
  r.string("workloadSelector", o.subset.label_selector);
  r.boolean("force", o.force);
  r.counts("scaleOverrides", o.scale_overrides);
  r.boolean("leaveUnrecordedStopped", o.leave_unrecorded_stopped);
  r.boolean("sourceUnavailable", o.source_unavailable);
  read_seconds(r, "waitTimeoutSeconds", o.wait_timeout);
  read_seconds(r, "goneTimeoutSeconds", o.gone_timeout);
  r.boolean("rollbackOnFailure", o.rollback_on_failure);
  r.boolean("migrateData", o.migrate_data);
  r.boolean("reverseMigrateData", o.reverse_migrate_data);
  r.boolean("reverseSync", o.reverse_sync);
  read_service_checks(r, o.service_checks);
  read_data_mover(r, o.data_mover);
  std::string journal;
  r.string("journalFile", journal);
  if (!journal.empty()) o.journal_file = resolve(base_dir, journal);
}

}  // namespace

void apply_options_value(MigrationOptions& o, const Value& value, std::string_view origin,
                         const std::string& base_dir) {
  Reader r(value, std::string(origin));
  read_sync_options(r, o.sync, base_dir);
  read_migration_options(r, o, base_dir);
  r.check_unknown();
}

void apply_options_document(MigrationOptions& options, std::string_view document,
                            std::string_view origin, const std::string& base_dir) {
  Object doc = parse_yaml(document, origin);  // JSON is YAML too
  apply_options_value(options, doc.json(), origin, base_dir);
}

DrPlan parse_plan(std::string_view yaml, std::string_view origin, const std::string& base_dir) {
  Object doc = parse_yaml(yaml, origin);
  Reader r(doc.json(), std::string(origin));
  DrPlan plan;
  std::string api_version, kind;
  r.string("apiVersion", api_version);
  r.string("kind", kind);
  if (api_version != "drsync.io/v1" || kind != "DRPlan") {
    r.fail("", "must be apiVersion: drsync.io/v1, kind: DRPlan");
  }
  if (const Value* meta = r.get("metadata")) {
    Reader mr(*meta, r.path("metadata"));
    mr.string("name", plan.name);
    mr.check_unknown();
  }
  auto cluster = [&](const char* key, ClusterRef& out) {
    const Value* v = r.get(key);
    if (!v) r.fail(key, "is required");
    Reader cr(*v, r.path(key));
    cr.string("kubeconfig", out.kubeconfig);
    cr.string("context", out.context);
    cr.check_unknown();
    out.kubeconfig = resolve(base_dir, out.kubeconfig);
  };
  cluster("source", plan.source);
  cluster("destination", plan.destination);
  MigrationOptions defaults;
  if (const Value* d = r.get("defaults"))
    apply_options_value(defaults, *d, r.path("defaults"), base_dir);
  const Value* pairs = r.get("namespaces");
  if (!pairs || !pairs->IsArray() || pairs->Empty())
    r.fail("namespaces", "must list at least one namespace pair");
  int i = 0;
  for (const auto& p : pairs->GetArray()) {
    std::string where = r.path(fmt::format("namespaces[{}]", i++));
    Reader pr(p, where);
    PlanNamespace pn;
    pr.string("source", pn.source);
    pr.string("destination", pn.destination);
    if (pn.source.empty()) pr.fail("source", "is required");
    if (pn.destination.empty()) pn.destination = pn.source;
    pn.options = defaults;
    if (const Value* o = pr.get("options"))
      apply_options_value(pn.options, *o, fmt::format("{}.options", where), base_dir);
    pr.check_unknown();
    plan.namespaces.push_back(std::move(pn));
  }
  r.check_unknown();
  return plan;
}

DrPlan load_plan(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw Error(Errc::invalid_argument, fmt::format("{}: cannot read plan file", path));
  std::stringstream ss;
  ss << in.rdbuf();
  std::string dir = std::filesystem::path(path).parent_path().string();
  return parse_plan(ss.str(), path, dir.empty() ? "." : dir);
}

}  // namespace drsync
