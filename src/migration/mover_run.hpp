// Internal: one run of the built-in data mover between two namespaces: the run's keys and id,
// the copy of one PVC pair (sshd Pod + Service in the destination, rsync Job in the source), and
// the removal of everything the run (or a killed earlier run) created.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "drsync/cluster.hpp"
#include "drsync/migration.hpp"
#include "migration/mover_manifests.hpp"
#include "migration/ssh_keys.hpp"

namespace drsync::detail {

struct PvcTask {
  std::string pvc;
  std::size_t index = 0;
  std::string holder_node;  // the node of a running Pod that mounts it (ReadWriteOnce)
};

class MoverRun {
 public:
  struct Side {
    Cluster cluster;
    std::string ns;
  };
  MoverRun(Side source, Side dest, const DataMoverOptions& options, CancelToken cancel);
  ~MoverRun();  // removes what this run created, in both namespaces (best effort)
  MoverRun(const MoverRun&) = delete;
  MoverRun& operator=(const MoverRun&) = delete;

  // Removes what any earlier run left behind in both namespaces (a killed run).
  void remove_leftovers();
  // Copies one PVC pair; never throws but for cancellation: failures are in the result.
  // `progress` is called from this (worker) thread.
  VolumeCopy copy(const PvcTask& task, const std::function<void(const RsyncProgress&)>& progress);

 private:
  struct Address {
    std::string host;
    int port = 0;
  };
  using Deadline = std::chrono::steady_clock::time_point;
  Address start_sshd(const MoverNames& n, const std::string& pvc, Deadline deadline) const;
  Address address_of(const MoverNames& n, const Object& pod) const;
  RsyncSummary run_job(const MoverNames& n, const PvcTask& task, const Address& to,
                       Deadline deadline,
                       const std::function<void(const RsyncProgress&)>& progress) const;
  void remove(const Side& side, const std::string& selector) const noexcept;
  void wait_pods_gone(const Side& side, const std::string& selector) const noexcept;
  // Sleeps one poll interval; throws Error(cancelled) or Error(timeout) naming `what`.
  void pace(Deadline deadline, const std::string& what) const;

  Side source_, dest_;
  const DataMoverOptions& options_;
  CancelToken cancel_;
  std::string run_id_;
  SshKeyPair client_key_, host_key_;
};

// The Bound PVCs of the source namespace, each with the node of a running Pod holding it;
// throws Error(not_found) naming those missing in the destination.
std::vector<PvcTask> list_pvc_tasks(const MoverRun::Side& source, const MoverRun::Side& dest);

// Whether a Pod that is not running yet never will by itself (image, config), with why; and
// why it is not scheduled, if it is not.
struct PodStart {
  bool ready = false;
  bool fatal = false;
  std::string why;
};
PodStart pod_start_state(const Object& pod);

}  // namespace drsync::detail
