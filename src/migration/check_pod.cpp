// The Pod that runs a service check from inside a cluster, and what its end means (pure;
// check_services.cpp creates, polls and deletes the Pods).
#include <fmt/format.h>

#include "migration/pod_placement.hpp"
#include "migration/service_checks.hpp"

namespace drsync::detail {
namespace {

// Retries the check once a second until it passes or DRSYNC_TIMEOUT seconds are over; the last
// outcome goes to the termination message. curl if the image has it, else busybox wget (its -T
// crashes in some builds: `timeout` bounds each attempt instead); nc -z for TCP, or busybox's
// small nc, which has no -z, running `true` once connected. The target is
// read from the environment, so no value is ever interpreted by the shell.
constexpr const char* kScript = R"sh(end=$(( $(date +%s) + DRSYNC_TIMEOUT ))
attempt() {
  if [ -n "$DRSYNC_URL" ]; then
    if command -v curl >/dev/null 2>&1; then
      code=$(curl -sS -o /dev/null -w '%{http_code}' --max-time 5 $DRSYNC_CURL_FLAGS "$DRSYNC_URL" 2>/tmp/err)
      [ "$code" = 000 ] && code=
    else
      timeout 5 wget -S -O /dev/null "$DRSYNC_URL" >/tmp/err 2>&1
      code=$(sed -n 's/^.*HTTP\/[0-9.]* \([0-9][0-9][0-9]\).*$/\1/p' /tmp/err | tail -n 1)
    fi
    if [ -z "$code" ]; then msg=$(tail -n 1 /tmp/err); return 1; fi
    msg="HTTP $code"
    [ "$DRSYNC_EXPECT" = "$code" ] && return 0
    [ "$DRSYNC_EXPECT" = 0 ] && [ "$code" -ge 200 ] && [ "$code" -lt 400 ] && return 0
    [ "$DRSYNC_EXPECT" != 0 ] && msg="HTTP $code, expected $DRSYNC_EXPECT"
    return 1
  fi
  host=${DRSYNC_ADDRESS%:*}; host=${host#[}; host=${host%]}; port=${DRSYNC_ADDRESS##*:}
  if nc -h 2>&1 | grep -q -- '-z'; then set -- -z -w 3 "$host" "$port"
  else set -- -w 3 "$host" "$port" -e true; fi
  if timeout 5 nc "$@" >/tmp/err 2>&1 </dev/null; then
    msg=connected; return 0
  fi
  msg=$(tail -n 1 /tmp/err); [ -n "$msg" ] || msg="connection failed"; return 1
}
while :; do
  if attempt; then echo "$msg" >/dev/termination-log; exit 0; fi
  if [ "$(date +%s)" -ge "$end" ]; then echo "$msg" >/dev/termination-log; exit 1; fi
  sleep 1
done
)sh";

void add_string(rapidjson::Value& obj, const char* key, std::string_view value,
                Object::Allocator& a) {
  obj.AddMember(rapidjson::StringRef(key), json_string(value, a), a);
}

rapidjson::Value env_var(const char* name, const std::string& value, Object::Allocator& a) {
  rapidjson::Value e(rapidjson::kObjectType);
  add_string(e, "name", name, a);
  add_string(e, "value", value, a);
  return e;
}

rapidjson::Value container(const ServiceCheck& check, const ServiceCheckOptions& options,
                           Object::Allocator& a) {
  rapidjson::Value c(rapidjson::kObjectType);
  add_string(c, "name", "check", a);
  add_string(c, "image", options.pod_image, a);
  rapidjson::Value command(rapidjson::kArrayType);
  for (const char* arg : {"sh", "-c", kScript}) command.PushBack(json_string(arg, a), a);
  c.AddMember("command", command, a);
  rapidjson::Value env(rapidjson::kArrayType);
  env.PushBack(env_var("DRSYNC_URL", check.url, a), a);
  env.PushBack(env_var("DRSYNC_ADDRESS", check.address, a), a);
  env.PushBack(env_var("DRSYNC_EXPECT", std::to_string(check.expect_status), a), a);
  env.PushBack(env_var("DRSYNC_TIMEOUT", std::to_string(check.timeout.count()), a), a);
  env.PushBack(env_var("DRSYNC_CURL_FLAGS", check.insecure_skip_tls_verify ? "-k" : "", a), a);
  c.AddMember("env", env, a);
  add_string(c, "terminationMessagePolicy", "File", a);
  return c;
}

}  // namespace

Object check_pod_manifest(const ServiceCheck& check, std::size_t index,
                          const ServiceCheckOptions& options, const std::string& run_id) {
  Object pod = Object::parse(
      R"({"apiVersion":"v1","kind":"Pod","metadata":{},"spec":{"restartPolicy":"Never",)"
      R"("terminationGracePeriodSeconds":1,"automountServiceAccountToken":false,)"
      R"("enableServiceLinks":false}})");
  pod.set_name(fmt::format("drsync-check-{}-{}", run_id, index));
  pod.set_label(kCheckPodLabel, run_id);
  pod.set_label("app.kubernetes.io/managed-by", "drsync");
  auto& a = pod.allocator();
  auto& spec = *pod.find("/spec");
  spec.AddMember("activeDeadlineSeconds",
                 rapidjson::Value(static_cast<int64_t>(check.timeout.count()) + 60), a);
  rapidjson::Value containers(rapidjson::kArrayType);
  containers.PushBack(container(check, options, a), a);
  spec.AddMember("containers", containers, a);
  apply_placement(spec, options.pod_placement, a);
  return pod;
}

CheckPodState check_pod_state(const Object& pod) {
  CheckPodState s;
  std::string_view phase = json_str(pod.find("/status/phase"));
  std::string_view message =
      json_str(pod.find("/status/containerStatuses/0/state/terminated/message"));
  if (phase == "Succeeded" || phase == "Failed") {
    s.done = true;
    s.ok = phase == "Succeeded";
    std::string text(message);
    while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
    if (text.empty()) text = std::string(json_str(pod.find("/status/reason")));
    if (text.empty()) text = s.ok ? "passed" : "the check Pod failed";
    s.detail = fmt::format("{} (from Pod {})", text, pod.name());
    return s;
  }
  // A container that cannot start (image missing, bad config) never will: say why now.
  std::string_view reason = json_str(pod.find("/status/containerStatuses/0/state/waiting/reason"));
  if (reason == "ErrImagePull" || reason == "ImagePullBackOff" || reason == "InvalidImageName" ||
      reason == "CreateContainerConfigError" || reason == "CreateContainerError") {
    s.done = true;
    s.detail = fmt::format("check Pod {} cannot start: {}: {}", pod.name(), reason,
                           json_str(pod.find("/status/containerStatuses/0/state/waiting/message")));
    return s;
  }
  const auto* conditions = pod.find("/status/conditions");
  if (conditions && conditions->IsArray()) {
    for (const auto& c : conditions->GetArray()) {
      if (json_str(json_get(c, "type")) == "PodScheduled" &&
          json_str(json_get(c, "status")) == "False") {
        s.detail = fmt::format("check Pod {} is not scheduled: {}", pod.name(),
                               json_str(json_get(c, "message")));
      }
    }
  }
  if (s.detail.empty())
    s.detail = fmt::format("check Pod {} did not finish (phase {})", pod.name(),
                           phase.empty() ? "unknown" : phase);
  return s;
}

}  // namespace drsync::detail
