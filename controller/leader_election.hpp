// Leader election over a coordination.k8s.io/v1 Lease, with client-go's semantics: a candidate
// takes the Lease when it is free or when its record has not changed for leaseDuration (measured
// on the candidate's own clock, from when it saw the record change, so clock skew between
// replicas does not matter); the leader renews every retryPeriod and gives up when it could not
// renew for renewDeadline; a clean stop releases the Lease (empty holder) so a successor does
// not wait.
#pragma once

#include <drsync/cluster.hpp>

#include <chrono>
#include <string>

namespace drsync_controller {

struct LeaseConfig {
  std::string lease_namespace;
  std::string name = "drsync-controller";
  std::string identity;  // unique per replica (the Pod name)
  std::chrono::milliseconds lease_duration{15000};
  std::chrono::milliseconds renew_deadline{10000};
  std::chrono::milliseconds retry_period{2000};
};

class LeaderElector {
 public:
  LeaderElector(drsync::Cluster cluster, LeaseConfig config);

  // Blocks until this replica holds the Lease (true) or `cancel` is set (false).
  bool acquire(const drsync::CancelToken& cancel);
  // Blocks while leading, renewing every retry period. Returns true when `cancel` was set, false
  // when the lease was lost (another holder, or no successful renewal for renew_deadline).
  bool hold(const drsync::CancelToken& cancel);
  // Gives the Lease up when this replica holds it (best effort).
  void release();

  const LeaseConfig& config() const noexcept { return config_; }

 private:
  enum class Attempt { Held, HeldByOther, Failed };
  Attempt try_acquire_or_renew();
  Attempt take(drsync::Object lease, bool renewal);
  bool sleep(std::chrono::milliseconds d, const drsync::CancelToken& cancel) const;

  drsync::Cluster cluster_;
  LeaseConfig config_;
  drsync::ResourceInfo leases_;
  std::string observed_record_;  // holder + renewTime + resourceVersion last seen
  std::chrono::steady_clock::time_point observed_at_{};
  std::string last_error_;  // logged once until it changes or an attempt succeeds
};

}  // namespace drsync_controller
