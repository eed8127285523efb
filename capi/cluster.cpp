// Clusters and results.
#include "handles.hpp"

using namespace drsync_capi;

extern "C" {

int drsync_cluster_open(drsync_cluster** out, const char* kubeconfig_path, const char* context) {
  return guarded([&]() -> int {
    reset_out(out, "drsync_cluster_open");
    *out = new drsync_cluster(drsync::Cluster::from_kubeconfig(
        kubeconfig_path ? kubeconfig_path : "", context ? context : ""));
    return DRSYNC_OK;
  });
}

int drsync_cluster_open_in_cluster(drsync_cluster** out) {
  return guarded([&]() -> int {
    reset_out(out, "drsync_cluster_open_in_cluster");
    *out = new drsync_cluster(drsync::Cluster::in_cluster());
    return DRSYNC_OK;
  });
}

int drsync_cluster_set_timeouts(drsync_cluster* cluster, int64_t connect_ms, int64_t attempt_ms,
                                int64_t call_ms) {
  return guarded([&]() -> int {
    need(cluster, "drsync_cluster_set_timeouts", "cluster");
    if (connect_ms < 0 || attempt_ms < 0 || call_ms < 0) {
      invalid("drsync_cluster_set_timeouts: a timeout is negative (0 keeps the current one)");
    }
    drsync::RestConfig config = cluster->cluster.config();
    using ms = std::chrono::milliseconds;
    if (connect_ms > 0) config.connect_timeout = ms(connect_ms);
    if (attempt_ms > 0) config.request_timeout = ms(attempt_ms);
    if (call_ms > 0) config.call_timeout = ms(call_ms);
    // The transport takes its configuration when it starts: a new one with the new deadlines.
    cluster->cluster = drsync::Cluster(std::move(config));
    return DRSYNC_OK;
  });
}

const char* drsync_cluster_server(const drsync_cluster* cluster) {
  return cluster ? cluster->server.c_str() : nullptr;
}

void drsync_cluster_free(drsync_cluster* cluster) {
  delete cluster;
}

drsync_result_kind drsync_result_kind_of(const drsync_result* result) {
  return result ? result->kind : DRSYNC_RESULT_SYNC;
}

const char* drsync_result_json(const drsync_result* result) {
  return result ? result->json.c_str() : nullptr;
}

int drsync_result_ok(const drsync_result* result) {
  return result && result->ok ? 1 : 0;
}

int drsync_result_count(const drsync_result* result, const char* action) {
  if (!result || !action || !result->has_counts) return -1;
  auto it = result->counts.find(action);
  return it == result->counts.end() ? -1 : it->second;
}

const char* drsync_result_markdown(const drsync_result* result) {
  if (!result) return nullptr;
  const bool report = result->kind == DRSYNC_RESULT_MIGRATION || result->kind == DRSYNC_RESULT_PLAN;
  return report ? result->markdown.c_str() : nullptr;
}

void drsync_result_free(drsync_result* result) {
  delete result;
}

}  // extern "C"
