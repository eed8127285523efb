// Transform + hash micro-benchmark, one thread:
//   bench_transform [FIXTURES_DIR] [OBJECTS]
// Loads the online-boutique manifests, makes them look like objects read from a live API server
// (uid, resourceVersion, managedFields, last-applied annotation, status, clusterIP), replicates
// them to ~100,000 objects held like a LIST response (one shared document), and times
// default_transforms() + content_hash per object. Prints objects/s.
#include <drsync/error.hpp>
#include <drsync/object.hpp>
#include <drsync/transform.hpp>
#include <drsync/yaml.hpp>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <memory>
#include <string>
#include <vector>

using namespace drsync;
using Clock = std::chrono::steady_clock;

namespace {

constexpr const char* kNamePlaceholder = "@@NAME@@";

// The fields a real API server adds to a stored object.
void make_live(Object& o) {
  const std::string last_applied = o.to_json();
  const std::string kind(o.kind());
  std::string live = R"({"metadata":{"namespace":"boutique",
      "uid":"6f1c0d3e-9a52-4a43-9c1e-2b7f6a1d0c11","resourceVersion":"4821377","generation":3,
      "creationTimestamp":"2024-05-01T10:00:00Z",
      "managedFields":[{"manager":"kubectl-client-side-apply","operation":"Update",
        "apiVersion":"apps/v1","time":"2024-05-01T10:00:00Z","fieldsType":"FieldsV1",
        "fieldsV1":{"f:metadata":{"f:annotations":{".":{},
          "f:kubectl.kubernetes.io/last-applied-configuration":{}},"f:labels":{".":{},"f:app":{}}},
          "f:spec":{"f:selector":{},"f:template":{"f:metadata":{"f:labels":{".":{},"f:app":{}}}}}}},
        {"manager":"kube-controller-manager","operation":"Update","apiVersion":"apps/v1",
         "time":"2024-05-01T10:01:00Z","fieldsType":"FieldsV1","subresource":"status",
         "fieldsV1":{"f:status":{"f:availableReplicas":{},"f:conditions":{},"f:readyReplicas":{}}}}]}})";
  if (kind == "Deployment") {
    live += R"(,{"status":{"observedGeneration":3,"replicas":1,"updatedReplicas":1,
        "readyReplicas":1,"availableReplicas":1,"conditions":[
        {"type":"Available","status":"True","lastUpdateTime":"2024-05-01T10:01:00Z",
         "lastTransitionTime":"2024-05-01T10:01:00Z","reason":"MinimumReplicasAvailable",
         "message":"Deployment has minimum availability."},
        {"type":"Progressing","status":"True","lastUpdateTime":"2024-05-01T10:01:00Z",
         "lastTransitionTime":"2024-05-01T10:00:00Z","reason":"NewReplicaSetAvailable",
         "message":"ReplicaSet has successfully progressed."}]}})";
  } else if (kind == "Service") {
    live += R"(,{"spec":{"clusterIP":"10.96.40.12","clusterIPs":["10.96.40.12"],
        "ipFamilies":["IPv4"],"ipFamilyPolicy":"SingleStack","sessionAffinity":"None"}})";
  }
  Object patches = Object::parse("[" + live + "]");
  for (const auto& p : patches.json().GetArray()) apply_merge_patch(o.json(), p, o.allocator());
  o.set_annotation("kubectl.kubernetes.io/last-applied-configuration", last_applied);
}

// `count` live copies of `base` (round robin, distinct names) as one JSON array document.
std::shared_ptr<rapidjson::Document> replicate(std::vector<Object>& base, std::size_t count) {
  std::vector<std::pair<std::string, std::string>> halves;  // JSON before / after the name
  std::vector<std::string> names;
  for (auto& o : base) {
    names.emplace_back(o.name());
    make_live(o);
    o.set_name(kNamePlaceholder);
    const std::string json = o.to_json();
    const auto at = json.find(kNamePlaceholder);
    halves.emplace_back(json.substr(0, at), json.substr(at + std::string(kNamePlaceholder).size()));
  }
  std::string all = "[";
  for (std::size_t i = 0; i < count; ++i) {
    const std::size_t b = i % base.size();
    if (i) all += ',';
    all += halves[b].first;
    all += names[b] + "-" + std::to_string(i);
    all += halves[b].second;
  }
  all += ']';
  auto doc = std::make_shared<rapidjson::Document>();
  doc->Parse(all.data(), all.size());
  if (doc->HasParseError()) throw Error(Errc::internal, "replicated JSON does not parse");
  return doc;
}

std::vector<Object> views(const std::shared_ptr<rapidjson::Document>& doc) {
  std::vector<Object> out;
  out.reserve(doc->Size());
  for (auto& v : doc->GetArray()) out.emplace_back(doc, &v);
  return out;
}

double seconds_since(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

// CPU time of this thread: on a shared machine it shows the rate one uncontended core gives.
double thread_cpu_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + 1e-9 * static_cast<double>(ts.tv_nsec);
}

}  // namespace

int main(int argc, char** argv) {
  try {
    const std::string dir = argc > 1 ? argv[1] : DRSYNC_FIXTURES_DIR;
    const std::size_t count = argc > 2 ? std::strtoul(argv[2], nullptr, 10) : 100'000;
    std::vector<Object> base =
        load_yaml_file(dir + "/apps/online-boutique/kubernetes-manifests.yaml");
    if (base.empty() || count == 0) throw Error(Errc::invalid_argument, "nothing to benchmark");

    TransformContext ctx;
    ctx.source_namespace = "boutique";
    ctx.dest_namespace = "boutique-dr";
    ctx.image_map = {
        {"us-central1-docker.pkg.dev/online-boutique-ci", "registry.dr.example.com/ob"},
        {"docker.io/library", "registry.dr.example.com/library"}};
    ctx.storage_class_map = {{"standard", "fast-dr"}};
    const TransformList pipeline = default_transforms();

    // 1. transform + hash per object (the sync's hot loop).
    auto doc = replicate(base, count);
    std::vector<Object> objs = views(doc);
    std::size_t bytes = 0;
    for (const auto& o : objs) bytes += o.to_json().size();
    std::size_t sink = 0;
    auto t0 = Clock::now();
    const double cpu0 = thread_cpu_seconds();
    for (auto& o : objs) {
      run_transforms(pipeline, o, ctx);
      sink += static_cast<unsigned char>(content_hash(o.json())[0]);
    }
    const double both = seconds_since(t0);
    const double both_cpu = thread_cpu_seconds() - cpu0;

    // 2. the two halves separately, on a fresh copy.
    std::vector<Object> base2 =
        load_yaml_file(dir + "/apps/online-boutique/kubernetes-manifests.yaml");
    auto doc2 = replicate(base2, count);
    std::vector<Object> objs2 = views(doc2);
    t0 = Clock::now();
    for (auto& o : objs2) run_transforms(pipeline, o, ctx);
    const double transform = seconds_since(t0);
    t0 = Clock::now();
    for (auto& o : objs2) sink += static_cast<unsigned char>(content_hash(o.json())[0]);
    const double hash = seconds_since(t0);

    const double n = static_cast<double>(objs.size());
    std::printf("objects: %zu (from %zu online-boutique manifests, avg %.0f bytes of live JSON)\n",
                objs.size(), base.size(), static_cast<double>(bytes) / n);
    std::printf("transform+hash: %.3f s, %.0f objects/s (%.2f us/object)\n", both, n / both,
                1e6 * both / n);
    std::printf("  thread CPU time: %.3f s, %.0f objects/s\n", both_cpu, n / both_cpu);
    std::printf("  transform only: %.0f objects/s; content_hash only: %.0f objects/s\n",
                n / transform, n / hash);
    std::printf("(checksum %zu)\n", sink);
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench_transform: %s\n", e.what());
    return 1;
  }
}
