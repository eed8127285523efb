#include "data_flags.hpp"

#include <fmt/format.h>

#include "duration.hpp"
#include "flags.hpp"

namespace drsync_cli {
namespace {

using K = FlagKind;
using Verify = drsync::DataMoverOptions::Verify;

// K=V:EFFECT, K:EFFECT (Exists), or K=V (every effect), as kubectl taint writes taints.
drsync::Toleration parse_toleration(const std::string& text) {
  drsync::Toleration t;
  std::string kv = text;
  auto colon = text.rfind(':');
  if (colon != std::string::npos) {
    t.effect = text.substr(colon + 1);
    kv = text.substr(0, colon);
    if (t.effect != "NoSchedule" && t.effect != "PreferNoSchedule" && t.effect != "NoExecute")
      throw UsageError(
          fmt::format("invalid --mover-toleration \"{}\": the effect must be "
                      "NoSchedule, PreferNoSchedule or NoExecute",
                      text));
  }
  auto eq = kv.find('=');
  t.key = kv.substr(0, eq);
  if (eq == std::string::npos)
    t.op = "Exists";
  else
    t.value = kv.substr(eq + 1);
  if (t.key.empty())
    throw UsageError(
        fmt::format("invalid --mover-toleration \"{}\": expected KEY=VALUE:EFFECT", text));
  return t;
}

// pv-migrate's flags that mean something for an rsync-over-SSH copy; the others are refused by
// name (a DR tool does not ignore what it was asked to do).
void map_pv_migrate_flags(const std::string& flags, DataFlags& d) {
  for (const auto& flag : split_list(flags, ' ')) {
    if (flag.empty() || flag == "--dest-delete-extraneous-files" || flag == "-d" ||
        flag == "--no-progress-bar" || flag == "--ignore-mounted" || flag == "-i")
      continue;  // drsync always deletes extraneous files, and copies mounted volumes
    if (flag == "--no-chown" || flag == "-o") {
      d.rsync_args.insert(d.rsync_args.end(), {"--no-owner", "--no-group"});
      continue;
    }
    throw UsageError(fmt::format(
        "--pv-migrate-flags: {} has no meaning for drsync's mover (rsync over SSH, Pod to Pod); "
        "known: --dest-delete-extraneous-files, --no-chown, --no-progress-bar, "
        "--ignore-mounted. Use --mover-* flags, or dataMover in a plan (docs/data.md)",
        flag));
  }
}

// A whole number in [min, max], or UsageError naming the flag.
long long bounded_number(const std::string& flag, const std::string& text, long long min,
                         long long max) {
  const bool digits = !text.empty() && text.size() <= 12 &&
                      text.find_first_not_of("0123456789") == std::string::npos;
  if (!digits || std::stoll(text) < min || std::stoll(text) > max)
    throw UsageError(fmt::format("invalid --{} \"{}\": must be {} to {}", flag, text, min, max));
  return std::stoll(text);
}

void parse_transfer_flags(const ParsedFlags& f, DataFlags& d) {
  if (f.has("mover-parallelism"))
    d.parallelism =
        static_cast<int>(bounded_number("mover-parallelism", f.last("mover-parallelism"), 1, 64));
  if (f.has("mover-address")) {
    d.address = f.last("mover-address");
    if (d.address->empty() || d.address->find_first_of(" /") != std::string::npos)
      throw UsageError(
          fmt::format("invalid --mover-address \"{}\": expected HOST or HOST:PORT", *d.address));
  }
  if (f.has("mover-bandwidth-limit"))
    d.bandwidth_limit_kib =
        bounded_number("mover-bandwidth-limit", f.last("mover-bandwidth-limit"), 0, 1000000000);
  d.exclude = f.all("mover-exclude");
  for (const auto& e : d.exclude)
    if (e.empty()) throw UsageError("invalid --mover-exclude \"\": the pattern is empty");
  if (f.has("mover-timeout")) {
    auto t = ceil_seconds(parse_duration("mover-timeout", f.last("mover-timeout")));
    if (t.count() <= 0) throw UsageError("invalid --mover-timeout: must be more than 0");
    d.timeout = t;
  }
}

}  // namespace

const std::vector<FlagSpec>& data_flag_specs() {
  static const std::vector<FlagSpec> list = {
      {"migrate-pvc-data", K::Bool, "",
       "copy PVC data (Stage: while the source runs; Cutover: the last delta)"},
      {"reverse-migrate-pvc-data", K::Bool, "", "Failback: copy PVC data back first"},
      {"pv-migrate-flags", K::Value, "FLAGS", "DR-Syncer: pv-migrate flags, mapped (docs/data.md)"},
      {"mover-image", K::Value, "IMAGE", "data mover image (rsync, OpenSSH)"},
      {"mover-node-selector", K::Repeated, "K=V", "data mover Pods' node selector (repeatable)"},
      {"mover-toleration", K::Repeated, "K=V:EFFECT", "data mover Pods' toleration (repeatable)"},
      {"mover-service-type",
       K::Value,
       "TYPE",
       "how the source reaches the destination's mover: NodePort, LoadBalancer or ClusterIP",
       "",
       {"NodePort", "LoadBalancer", "ClusterIP"}},
      {"mover-parallelism", K::Value, "N", "PVCs copied at once (default 2)"},
      {"mover-address", K::Value, "HOST[:PORT]",
       "where the source reaches the destination's mover (default: from its Service)"},
      {"mover-bandwidth-limit", K::Value, "KIB", "rsync --bwlimit per PVC, in KiB/s (0: none)"},
      {"mover-exclude", K::Repeated, "PATTERN",
       "rsync exclude pattern, relative to the volume (repeatable)"},
      {"mover-timeout", K::Value, "DURATION", "per PVC, from its mover Pods' creation (1h)"},
      {"data-verify",
       K::Value,
       "MODE",
       "after the copy compare checksums: none, sample or full",
       "",
       {"none", "sample", "full"}},
  };
  return list;
}

DataFlags parse_data_flags(const ParsedFlags& f) {
  DataFlags d;
  if (f.has("migrate-pvc-data")) d.migrate = f.boolean("migrate-pvc-data");
  if (f.has("reverse-migrate-pvc-data")) d.reverse = f.boolean("reverse-migrate-pvc-data");
  map_pv_migrate_flags(f.last("pv-migrate-flags"), d);
  if (f.has("mover-image")) d.image = f.last("mover-image");
  for (const auto& v : f.all("mover-node-selector")) {
    auto eq = v.find('=');
    if (eq == std::string::npos || eq == 0)
      throw UsageError(fmt::format("invalid --mover-node-selector \"{}\": expected KEY=VALUE", v));
    d.node_selector[v.substr(0, eq)] = v.substr(eq + 1);
  }
  for (const auto& v : f.all("mover-toleration")) d.tolerations.push_back(parse_toleration(v));
  if (f.has("mover-service-type")) {
    std::string t = f.last("mover-service-type");
    if (t != "NodePort" && t != "LoadBalancer" && t != "ClusterIP")
      throw UsageError(
          fmt::format("invalid --mover-service-type \"{}\": must be NodePort, "
                      "LoadBalancer or ClusterIP",
                      t));
    d.service_type = t;
  }
  parse_transfer_flags(f, d);
  if (f.has("data-verify")) {
    std::string v = f.last("data-verify");
    if (v == "none")
      d.verify = Verify::None;
    else if (v == "sample")
      d.verify = Verify::Sample;
    else if (v == "full")
      d.verify = Verify::Full;
    else
      throw UsageError(
          fmt::format("invalid --data-verify \"{}\": must be none, sample or full", v));
  }
  return d;
}

void apply_data_flags(const DataFlags& d, drsync::MigrationOptions& o) {
  if (d.migrate) o.migrate_data = *d.migrate;
  if (d.reverse) o.reverse_migrate_data = *d.reverse;
  auto& m = o.data_mover;
  if (d.image) m.image = *d.image;
  if (d.service_type) m.service_type = *d.service_type;
  for (const auto& [k, v] : d.node_selector) m.placement.node_selector[k] = v;
  m.placement.tolerations.insert(m.placement.tolerations.end(), d.tolerations.begin(),
                                 d.tolerations.end());
  if (d.parallelism) m.parallelism = *d.parallelism;
  if (d.address) m.address = *d.address;
  if (d.bandwidth_limit_kib) m.bandwidth_limit_kib = *d.bandwidth_limit_kib;
  m.exclude.insert(m.exclude.end(), d.exclude.begin(), d.exclude.end());
  if (d.timeout) m.timeout = *d.timeout;
  if (d.verify) m.verify = *d.verify;
  m.rsync_args.insert(m.rsync_args.end(), d.rsync_args.begin(), d.rsync_args.end());
}

}  // namespace drsync_cli
