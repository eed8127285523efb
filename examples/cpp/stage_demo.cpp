// Stage demo: deploys an application's manifests into a namespace of the source cluster, copies
// the namespace into the destination with NamespaceSync (workloads stopped), and shows both sides.
//
//   stage_demo SOURCE_KUBECONFIG DEST_KUBECONFIG APP_DIR NAMESPACE
#include <drsync/cluster.hpp>
#include <drsync/error.hpp>
#include <drsync/ledger.hpp>
#include <drsync/sync.hpp>
#include <drsync/yaml.hpp>

#include <filesystem>
#include <iostream>

int main(int argc, char** argv) {
  if (argc != 5) {
    std::cerr << "usage: stage_demo SOURCE_KUBECONFIG DEST_KUBECONFIG APP_DIR NAMESPACE\n";
    return 2;
  }
  try {
    drsync::Cluster source = drsync::Cluster::from_kubeconfig(argv[1]);
    drsync::Cluster dest = drsync::Cluster::from_kubeconfig(argv[2]);
    const std::string ns = argv[4];

    std::cout << "source " << source.server() << " (" << source.server_version() << "), dest "
              << dest.server() << " (" << dest.server_version() << ")\n";
    auto namespaces = source.resolve("namespaces");
    drsync::Object nsobj = drsync::Object::parse(R"({"apiVersion":"v1","kind":"Namespace"})");
    nsobj.set_name(ns);
    if (!source.try_get(namespaces, "", ns)) source.create(namespaces, "", nsobj);
    for (const auto& entry : std::filesystem::directory_iterator(argv[3])) {
      for (auto& obj : drsync::load_yaml_file(entry.path().string())) {
        auto type = source.resolve_kind(obj.api_version(), obj.kind());
        if (!source.try_get(type, ns, obj.name())) source.create(type, ns, obj);
      }
    }
    std::cout << "deployed " << argv[3] << " into source namespace " << ns << "\n";

    drsync::NamespaceSync sync(source, ns, dest, ns);
    drsync::SyncResult result = sync.run();
    std::cout << "stage: " << result.count(drsync::Action::Create) << " created, "
              << result.count(drsync::Action::Update) << " updated, "
              << result.count(drsync::Action::Unchanged) << " unchanged, " << result.errors.size()
              << " errors in " << result.duration.count() << " ms (" << result.dest_requests.total()
              << " requests to the destination)\n";
    for (const auto& e : result.errors) std::cout << "  error: " << e << "\n";

    drsync::ReplicaLedger ledger;
    for (const char* kind : {"deployments", "statefulsets"}) {
      auto type = dest.resolve(kind);
      for (const auto& w : dest.list(type, ns).items) {
        auto original = ledger.recorded(w);
        std::cout << "  dest " << kind << "/" << w.name() << ": replicas " << ledger.live_value(w)
                  << " (original " << (original ? original->value : "?") << ")\n";
      }
    }
    return result.ok() ? 0 : 1;
  } catch (const drsync::Error& e) {
    std::cerr << "error: " << e.what() << "\n";
    return 1;
  }
}
