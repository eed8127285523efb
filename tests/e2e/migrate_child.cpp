// A Migration run as a child process, for the kill-point tests: it SIGKILLs itself right after
// its k-th API write (counted over both clusters) returns.
//   drsync_migrate_child SRC_KUBECONFIG DST_KUBECONFIG SRC_NS DST_NS Stage|Cutover|Failback
//   KILL_AFTER
#include <atomic>
#include <csignal>
#include <cstdlib>
#include <iostream>

#include "drsync/error.hpp"
#include "drsync/migration.hpp"

int main(int argc, char** argv) {
  if (argc != 7) {
    std::cerr << "usage: drsync_migrate_child SRC DST SRC_NS DST_NS MODE KILL_AFTER\n";
    return 2;
  }
  using namespace drsync;
  Cluster src = Cluster::from_kubeconfig(argv[1]);
  Cluster dst = Cluster::from_kubeconfig(argv[2]);
  long kill_after = std::atol(argv[6]);
  static std::atomic<long> writes{0};
  auto observer = [kill_after](const Request& r, const Response&) {
    if (r.method == Method::Get) return;
    if (++writes == kill_after) std::raise(SIGKILL);
  };
  src.set_observer(observer);
  dst.set_observer(observer);
  MigrationOptions options;
  options.poll_interval = std::chrono::milliseconds(100);
  options.wait_timeout = std::chrono::seconds(120);
  Migration m(src, argv[3], dst, argv[4], options);
  std::string mode = argv[5];
  try {
    MigrationReport r = mode == "Stage"     ? m.stage()
                        : mode == "Cutover" ? m.cutover()
                                            : m.failback();
    std::cout << "writes=" << writes.load() << "\n";
    if (!r.ok) std::cerr << r.to_json() << "\n";
    return r.ok ? 0 : 1;
  } catch (const Error& e) {
    std::cerr << "error: " << e.what() << "\n";
    return 1;
  }
}
