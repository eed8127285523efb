#include "leader_election.hpp"

#include <fmt/chrono.h>
#include <fmt/format.h>
#include <drsync/error.hpp>
#include <drsync/request.hpp>

#include <thread>

#include "logger.hpp"

namespace drsync_controller {
namespace {

using Clock = std::chrono::steady_clock;

// MicroTime: RFC 3339 with microseconds, UTC.
std::string micro_time_now() {
  auto now = std::chrono::system_clock::now();
  auto us = std::chrono::duration_cast<std::chrono::microseconds>(now.time_since_epoch()).count() %
            1000000;
  return fmt::format("{:%Y-%m-%dT%H:%M:%S}.{:06d}Z", std::chrono::floor<std::chrono::seconds>(now),
                     us);
}

std::string str(const drsync::Object& lease, const char* pointer) {
  const auto* v = lease.find(pointer);
  return v && v->IsString() ? std::string(v->GetString(), v->GetStringLength()) : std::string();
}

std::int64_t integer(const drsync::Object& lease, const char* pointer) {
  const auto* v = lease.find(pointer);
  return v && v->IsInt64() ? v->GetInt64() : 0;
}

int whole_seconds(std::chrono::milliseconds d) {
  return static_cast<int>((d.count() + 999) / 1000);
}

}  // namespace

LeaderElector::LeaderElector(drsync::Cluster cluster, LeaseConfig config)
    : cluster_(std::move(cluster)), config_(std::move(config)) {
  leases_.group = "coordination.k8s.io";
  leases_.version = "v1";
  leases_.resource = "leases";
  leases_.kind = "Lease";
  leases_.namespaced = true;
}

bool LeaderElector::sleep(std::chrono::milliseconds d, const drsync::CancelToken& cancel) const {
  auto until = Clock::now() + d;
  while (Clock::now() < until) {
    if (cancel.cancelled()) return false;
    std::this_thread::sleep_for(
        std::min<Clock::duration>(std::chrono::milliseconds(50), until - Clock::now()));
  }
  return !cancel.cancelled();
}

bool LeaderElector::acquire(const drsync::CancelToken& cancel) {
  info("waiting for the Lease {}/{} (identity {})", config_.lease_namespace, config_.name,
       config_.identity);
  while (!cancel.cancelled()) {
    if (try_acquire_or_renew() == Attempt::Held) {
      info("acquired the Lease {}/{}: this replica leads", config_.lease_namespace, config_.name);
      return true;
    }
    if (!sleep(config_.retry_period, cancel)) break;
  }
  return false;
}

bool LeaderElector::hold(const drsync::CancelToken& cancel) {
  auto last_renewal = Clock::now();
  while (sleep(config_.retry_period, cancel)) {
    Attempt a = try_acquire_or_renew();
    if (a == Attempt::Held) {
      last_renewal = Clock::now();
    } else if (a == Attempt::HeldByOther) {
      warn("the Lease {}/{} is held by another replica now", config_.lease_namespace, config_.name);
      return false;
    } else if (Clock::now() - last_renewal > config_.renew_deadline) {
      warn("could not renew the Lease {}/{} for {}: leadership lost", config_.lease_namespace,
           config_.name, config_.renew_deadline);
      return false;
    }
  }
  return true;
}

LeaderElector::Attempt LeaderElector::try_acquire_or_renew() {
  try {
    auto lease = cluster_.try_get(leases_, config_.lease_namespace, config_.name);
    if (!lease) {
      drsync::Object fresh = drsync::Object::parse(fmt::format(
          R"({{"apiVersion":"coordination.k8s.io/v1","kind":"Lease","metadata":{{"name":"{}","namespace":"{}"}},"spec":{{}}}})",
          config_.name, config_.lease_namespace));
      return take(std::move(fresh), false);
    }
    std::string holder = str(*lease, "/spec/holderIdentity");
    std::string record = holder + "|" + str(*lease, "/spec/renewTime") + "|" +
                         std::string(lease->resource_version());
    if (record != observed_record_) {
      observed_record_ = record;
      observed_at_ = Clock::now();
    }
    if (holder == config_.identity) return take(std::move(*lease), true);
    auto duration = std::chrono::seconds(integer(*lease, "/spec/leaseDurationSeconds"));
    if (!holder.empty() && Clock::now() < observed_at_ + duration) return Attempt::HeldByOther;
    return take(std::move(*lease), false);
  } catch (const drsync::Error& e) {
    if (e.code() == drsync::Errc::conflict || e.code() == drsync::Errc::already_exists)
      return Attempt::HeldByOther;
    if (last_error_ != e.what())
      warn("Lease {}/{}: {}", config_.lease_namespace, config_.name, e.what());
    last_error_ = e.what();
    return Attempt::Failed;
  }
}

LeaderElector::Attempt LeaderElector::take(drsync::Object lease, bool renewal) {
  auto& a = lease.allocator();
  auto* spec = lease.find("/spec");
  std::string now = micro_time_now();
  auto set = [&](const char* key, rapidjson::Value v) {
    spec->RemoveMember(key);
    spec->AddMember(rapidjson::Value(key, a), v, a);
  };
  if (!renewal) {
    set("acquireTime", rapidjson::Value(now.c_str(), a));
    set("leaseTransitions", rapidjson::Value(lease.resource_version().empty()
                                                 ? 0
                                                 : integer(lease, "/spec/leaseTransitions") + 1));
  }
  set("holderIdentity", rapidjson::Value(config_.identity.c_str(), a));
  set("renewTime", rapidjson::Value(now.c_str(), a));
  set("leaseDurationSeconds", rapidjson::Value(whole_seconds(config_.lease_duration)));
  auto req = lease.resource_version().empty() ? drsync::Verb::Create : drsync::Verb::Update;
  auto written = cluster_.request(req)
                     .resource(leases_)
                     .in_namespace(config_.lease_namespace)
                     .name(req == drsync::Verb::Update ? config_.name : std::string())
                     .body(lease)
                     .timeout(config_.retry_period)
                     .object();
  last_error_.clear();
  observed_record_ = config_.identity + "|" + now + "|" + std::string(written.resource_version());
  observed_at_ = Clock::now();
  return Attempt::Held;
}

void LeaderElector::release() {
  try {
    auto lease = cluster_.try_get(leases_, config_.lease_namespace, config_.name);
    if (!lease || str(*lease, "/spec/holderIdentity") != config_.identity) return;
    std::string body = fmt::format(
        R"({{"metadata":{{"resourceVersion":"{}"}},"spec":{{"holderIdentity":null,"leaseDurationSeconds":1,"renewTime":"{}"}}}})",
        lease->resource_version(), micro_time_now());
    cluster_.patch(leases_, config_.lease_namespace, config_.name, drsync::PatchType::Merge, body);
    info("released the Lease {}/{}", config_.lease_namespace, config_.name);
  } catch (const drsync::Error& e) {
    warn("could not release the Lease {}/{}: {}", config_.lease_namespace, config_.name, e.what());
  }
}

}  // namespace drsync_controller
