// One PVC pair's copy: sshd Pod + Service in the destination, then the rsync Job in the source,
// polled until done; and the removal of what a run created (docs/data.md).
#include "migration/mover_run.hpp"

#include <fmt/format.h>

#include <fmt/ranges.h>

#include <set>
#include <thread>

#include "core/ids.hpp"
#include "drsync/error.hpp"

namespace drsync::detail {
namespace {

using Clock = std::chrono::steady_clock;

std::string selector(const std::string& run_id) {
  return run_id.empty() ? kMoverLabel : fmt::format("{}={}", kMoverLabel, run_id);
}

// The claim names a Pod mounts.
std::vector<std::string> claims_of(const Object& pod) {
  std::vector<std::string> out;
  const auto* volumes = pod.find("/spec/volumes");
  if (!volumes || !volumes->IsArray()) return out;
  for (const auto& v : volumes->GetArray()) {
    const auto* pvc = json_get(v, "persistentVolumeClaim");
    if (pvc) out.emplace_back(json_str(json_get(*pvc, "claimName")));
  }
  return out;
}

}  // namespace

MoverRun::MoverRun(Side source, Side dest, const DataMoverOptions& options, CancelToken cancel)
    : source_(std::move(source)),
      dest_(std::move(dest)),
      options_(options),
      cancel_(std::move(cancel)),
      run_id_(new_run_id()),
      client_key_(SshKeyPair::generate("drsync-mover-client")),
      host_key_(SshKeyPair::generate("drsync-mover-host")) {}

MoverRun::~MoverRun() {
  remove(source_, selector(run_id_));
  remove(dest_, selector(run_id_));
  // The volumes are free for the application only when the mover Pods are gone (a
  // ReadWriteOnce volume stays attached to the mover's node until then).
  wait_pods_gone(source_, selector(run_id_));
  wait_pods_gone(dest_, selector(run_id_));
}

void MoverRun::wait_pods_gone(const Side& side, const std::string& sel) const noexcept {
  const auto deadline = Clock::now() + std::chrono::seconds(60);
  try {
    const Cluster& c = side.cluster;
    auto pods = c.resolve("pods");
    ListOptions lo;
    lo.label_selector = sel;
    while (!c.list(pods, side.ns, lo).items.empty() && Clock::now() < deadline)
      std::this_thread::sleep_for(std::chrono::milliseconds(250));
  } catch (const std::exception&) {
  }
}

void MoverRun::remove_leftovers() {
  remove(source_, selector(""));
  remove(dest_, selector(""));
  wait_pods_gone(source_, selector(""));
  wait_pods_gone(dest_, selector(""));
}

// Jobs first (their Pods go with them, in the background), then Pods, Services and Secrets.
void MoverRun::remove(const Side& side, const std::string& sel) const noexcept {
  for (const char* type : {"jobs.batch", "pods", "services", "secrets"}) {
    try {
      const Cluster& c = side.cluster;
      auto r = c.resolve(type);
      ListOptions lo;
      lo.label_selector = sel;
      DeleteOptions d;
      d.propagation_policy = "Background";
      for (const auto& obj : c.list(r, side.ns, lo).items) {
        try {
          c.remove(r, side.ns, obj.name(), d);
        } catch (const Error&) {
        }  // gone already, or removed by the next run's remove_leftovers()
      }
    } catch (const std::exception&) {
    }
  }
}

std::vector<PvcTask> list_pvc_tasks(const MoverRun::Side& source, const MoverRun::Side& dest) {
  const Cluster& s = source.cluster;
  const Cluster& d = dest.cluster;
  std::map<std::string, std::string> holders;
  for (const auto& pod : s.list(s.resolve("pods"), source.ns).items) {
    if (json_str(pod.find("/status/phase")) != "Running" || pod.has_label(kMoverLabel)) continue;
    for (const auto& claim : claims_of(pod))
      holders.emplace(claim, std::string(json_str(pod.find("/spec/nodeName"))));
  }
  std::set<std::string> in_dest;
  for (const auto& pvc : d.list(d.resolve("persistentvolumeclaims"), dest.ns).items)
    in_dest.emplace(pvc.name());
  std::vector<PvcTask> out;
  std::vector<std::string> missing;
  for (const auto& pvc : s.list(s.resolve("persistentvolumeclaims"), source.ns).items) {
    if (json_str(pvc.find("/status/phase")) != "Bound") continue;
    std::string name(pvc.name());
    if (!in_dest.count(name)) missing.push_back(name);
    out.push_back({name, out.size(), holders.count(name) ? holders[name] : ""});
  }
  if (!missing.empty()) {
    throw Error(Errc::not_found,
                fmt::format("PVCs missing in the destination namespace {}: {} (run Stage first)",
                            dest.ns, fmt::join(missing, ", ")));
  }
  return out;
}

void MoverRun::pace(Deadline deadline, const std::string& what) const {
  if (cancel_.cancelled()) throw Error(Errc::cancelled, "operation cancelled");
  if (Clock::now() > deadline) {
    throw Error(Errc::timeout, fmt::format("{} (after {} s)", what,
                                           static_cast<long long>(options_.timeout.count())));
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
}

VolumeCopy MoverRun::copy(const PvcTask& t,
                          const std::function<void(const RsyncProgress&)>& progress) {
  VolumeCopy r;
  r.pvc = t.pvc;
  const auto t0 = Clock::now();
  const Deadline deadline = t0 + options_.timeout;
  MoverNames n{run_id_, t.index};
  try {
    Address to = start_sshd(n, t.pvc, deadline);
    RsyncSummary s = run_job(n, t, to, deadline, progress);
    r.rsync_exit = s.exit;
    r.files_total = s.files_total;
    r.files_transferred = s.files_transferred;
    r.bytes_total = s.bytes_total;
    r.bytes_sent = s.bytes_sent;
    r.verify = s.verify;
    r.ok = rsync_exit_ok(s.exit) && !s.verify_failed;
    r.message = explain_rsync(s.exit, s.error);
    if (s.verify_failed) r.message += fmt::format("; verification failed: {}", s.verify);
  } catch (const Error& e) {
    if (e.code() == Errc::cancelled) throw;
    r.message = e.what();
  }
  r.duration_ms = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - t0).count();
  return r;
}

}  // namespace drsync::detail
