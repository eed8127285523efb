// The two sides of one PVC pair's copy: the destination's sshd (Pod, Service, its address as the
// source sees it) and the source's rsync Job (progress from its log, summary from its
// termination message).
#include <fmt/format.h>

#include "drsync/error.hpp"
#include "migration/mover_run.hpp"

namespace drsync::detail {
namespace {

bool condition_true(const Object& pod, std::string_view type) {
  const auto* conditions = pod.find("/status/conditions");
  if (!conditions || !conditions->IsArray()) return false;
  for (const auto& c : conditions->GetArray()) {
    if (json_str(json_get(c, "type")) == type) return json_str(json_get(c, "status")) == "True";
  }
  return false;
}

std::string scheduling_message(const Object& pod) {
  const auto* conditions = pod.find("/status/conditions");
  if (!conditions || !conditions->IsArray()) return {};
  for (const auto& c : conditions->GetArray()) {
    if (json_str(json_get(c, "type")) == "PodScheduled" &&
        json_str(json_get(c, "status")) == "False")
      return std::string(json_str(json_get(c, "message")));
  }
  return {};
}

std::string last_progress_line(const std::string& log) {
  std::size_t end = log.size();
  while (end > 0) {
    std::size_t start = log.rfind('\n', end - 1);
    std::size_t from = start == std::string::npos ? 0 : start + 1;
    if (log.find("-chk=", from) < end) return log.substr(from, end - from);
    if (start == std::string::npos) break;
    end = start;
  }
  return {};
}

}  // namespace

PodStart pod_start_state(const Object& pod) {
  PodStart s;
  std::string_view phase = json_str(pod.find("/status/phase"));
  s.ready = phase == "Running" && condition_true(pod, "Ready");
  std::string_view reason = json_str(pod.find("/status/containerStatuses/0/state/waiting/reason"));
  if (reason == "ErrImagePull" || reason == "ImagePullBackOff" || reason == "InvalidImageName" ||
      reason == "ErrImageNeverPull" || reason == "CreateContainerConfigError" ||
      reason == "CreateContainerError" || reason == "RunContainerError") {
    s.fatal = true;
    s.why = fmt::format("{}: {}", reason,
                        json_str(pod.find("/status/containerStatuses/0/state/waiting/message")));
  } else if (phase == "Failed" || phase == "Succeeded") {
    s.fatal = true;
    s.why = fmt::format("it ended ({}): {}", phase,
                        json_str(pod.find("/status/containerStatuses/0/state/terminated/message")));
  } else if (auto m = scheduling_message(pod); !m.empty()) {
    s.why = "not scheduled: " + m;
  } else {
    s.why = fmt::format("phase {}", phase.empty() ? "Pending" : phase);
  }
  return s;
}

MoverRun::Address MoverRun::start_sshd(const MoverNames& n, const std::string& pvc,
                                       Deadline deadline) const {
  const Cluster& c = dest_.cluster;
  const std::string known = host_key_.public_line();
  c.create(c.resolve("secrets"), dest_.ns,
           mover_secret(n, {{"host_key", host_key_.private_key()},
                            {"authorized_keys", client_key_.public_line() + "\n"}}));
  c.create(c.resolve("services"), dest_.ns, sshd_service(n, options_));
  auto pods = c.resolve("pods");
  c.create(pods, dest_.ns, sshd_pod(n, pvc, options_));
  while (true) {
    Object pod = c.get(pods, dest_.ns, n.name());
    PodStart s = pod_start_state(pod);
    const std::string what = fmt::format("{}: the mover Pod {} in the destination is not ready: {}",
                                         pvc, n.name(), s.why);
    if (s.fatal) throw Error(Errc::unavailable, what);
    if (s.ready) {
      Address a = address_of(n, pod);
      if (!a.host.empty()) return a;
    }
    pace(deadline, what);
  }
}

// Where the source reaches the sshd: the options' address, the NodePort on the Pod's node, the
// LoadBalancer's ingress, or the ClusterIP (same cluster only). Empty host: not known yet.
MoverRun::Address MoverRun::address_of(const MoverNames& n, const Object& pod) const {
  const Cluster& c = dest_.cluster;
  Object svc = c.get(c.resolve("services"), dest_.ns, n.name());
  const auto* node_port = svc.find("/spec/ports/0/nodePort");
  const int port = options_.service_type == "NodePort" && node_port && node_port->IsInt()
                       ? node_port->GetInt()
                       : kSshPort;
  if (!options_.address.empty()) {
    auto colon = options_.address.rfind(':');
    if (colon != std::string::npos && options_.address.find(']', colon) == std::string::npos)
      return {options_.address.substr(0, colon), std::stoi(options_.address.substr(colon + 1))};
    return {options_.address, port};
  }
  if (options_.service_type == "NodePort")
    return {std::string(json_str(pod.find("/status/hostIP"))), port};
  if (options_.service_type == "LoadBalancer") {
    std::string host(json_str(svc.find("/status/loadBalancer/ingress/0/ip")));
    if (host.empty()) host = json_str(svc.find("/status/loadBalancer/ingress/0/hostname"));
    return {host, kSshPort};
  }
  return {std::string(json_str(svc.find("/spec/clusterIP"))), kSshPort};
}

RsyncSummary MoverRun::run_job(const MoverNames& n, const PvcTask& t, const Address& to,
                               Deadline deadline,
                               const std::function<void(const RsyncProgress&)>& progress) const {
  const Cluster& c = source_.cluster;
  c.create(c.resolve("secrets"), source_.ns,
           mover_secret(n, {{"id", client_key_.private_key()},
                            {"known_hosts", "* " + host_key_.public_line() + "\n"}}));
  c.create(c.resolve("jobs.batch"), source_.ns,
           rsync_job(n, t.pvc, to.host, to.port, t.holder_node, options_));
  auto pods = c.resolve("pods");
  ListOptions lo;
  lo.label_selector = "job-name=" + n.name();
  while (true) {
    auto list = c.list(pods, source_.ns, lo).items;
    std::string why = "its Pod is not created yet";
    if (!list.empty()) {
      const Object& pod = list.front();
      std::string_view phase = json_str(pod.find("/status/phase"));
      if (phase == "Succeeded" || phase == "Failed") {
        auto message = json_str(pod.find("/status/containerStatuses/0/state/terminated/message"));
        if (!message.empty()) return parse_rsync_summary(std::string(message));
        throw Error(Errc::unavailable, fmt::format("{}: the mover Job {} in the source ended "
                                                   "without a summary ({})",
                                                   t.pvc, n.name(), phase));
      }
      PodStart s = pod_start_state(pod);
      why = s.why;
      if (s.fatal)
        throw Error(Errc::unavailable, fmt::format("{}: the mover Job {} in the source cannot "
                                                   "start: {}",
                                                   t.pvc, n.name(), s.why));
      if (phase == "Running" && progress) {
        try {
          auto log = c.request(Verb::Get)
                         .resource(pods)
                         .in_namespace(source_.ns)
                         .name(pod.name())
                         .subresource("log")
                         .param("tailLines", "4")
                         .response();
          if (auto p = parse_rsync_progress(last_progress_line(log.body))) progress(*p);
        } catch (const Error&) {
        }  // progress is best effort: no log access (403), or the kubelet is unreachable
      }
    }
    pace(deadline, fmt::format("{}: the mover Job {} in the source did not finish: {}", t.pvc,
                               n.name(), why));
  }
}

}  // namespace drsync::detail
