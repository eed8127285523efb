// Internal: the pure parts of the built-in data mover — the Secrets, sshd Pod, Service and rsync
// Job of one PVC pair, and what rsync's output and exit status mean. No I/O: unit-tested without
// a server (tests/unit/test_mover.cpp); volume_mover.cpp creates, polls and deletes.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "drsync/migration.hpp"
#include "drsync/object.hpp"

namespace drsync::detail {

// Every object of a run carries kMoverLabel=<run id>; leftovers of any run are found by the key.
inline constexpr const char* kMoverLabel = "drsync.io/mover";
inline constexpr int kSshPort = 2222;

struct MoverNames {
  std::string run_id;
  std::size_t index = 0;
  std::string name() const;  // drsync-mover-<run>-<index>: Secret, Pod, Service, Job
};

// A Secret of the run holding `data` (raw bytes, encoded here).
Object mover_secret(const MoverNames& n, const std::map<std::string, std::string>& data);
// The destination side: sshd on kSshPort, `pvc` at /data, the host key and authorized_keys of
// the Secret at /keys (mode 0400), placed by the options.
Object sshd_pod(const MoverNames& n, const std::string& pvc, const DataMoverOptions& o);
Object sshd_service(const MoverNames& n, const DataMoverOptions& o);
// The source side: `pvc` read-only at /data, the client key and known_hosts at /keys; rsync to
// host:port. On `node` when a running Pod holds the PVC there (ReadWriteOnce), else placed by
// the options.
Object rsync_job(const MoverNames& n, const std::string& pvc, const std::string& host, int port,
                 const std::string& node, const DataMoverOptions& o);

// rsync's final statistics and exit, from the Job's termination message.
struct RsyncSummary {
  int exit = -1;
  std::uint64_t files_total = 0, files_transferred = 0, bytes_total = 0, bytes_sent = 0;
  std::string error;   // rsync's last error lines
  std::string verify;  // "full: 1003 files compared, 0 differ"
  bool verify_failed = false;
};
RsyncSummary parse_rsync_summary(const std::string& termination_message);

// One --info=progress2 line ("  1,234,567  45%  10.5MB/s  0:00:10 (xfr#12, to-chk=988/1003)").
struct RsyncProgress {
  std::uint64_t bytes_done = 0, bytes_total = 0, files_done = 0, files_total = 0;
};
std::optional<RsyncProgress> parse_rsync_progress(const std::string& line);

// "partial transfer due to error (23)", ...; ok for 0 and 24 (files vanished while copying).
std::string explain_rsync_exit(int exit);
bool rsync_exit_ok(int exit);
// The exit status explained with rsync's error lines (`error`, appended when it failed); a full
// destination volume or a failed ssh connection is named whatever the status.
std::string explain_rsync(int exit, const std::string& error);

}  // namespace drsync::detail
