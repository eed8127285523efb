// The built-in data mover without a server: keys in OpenSSH's format, the manifests of one PVC
// pair, and what rsync's summary, progress and exit status mean (docs/data.md).
#include <catch2/catch.hpp>

#include <cstdio>
#include <string>

#include "migration/mover_manifests.hpp"
#include "migration/ssh_keys.hpp"

using namespace drsync;
using namespace drsync::detail;

TEST_CASE("ssh keys: ed25519 in OpenSSH's formats, that ssh-keygen reads back", "[unit][mover]") {
  auto key = SshKeyPair::generate("drsync-test");
  CHECK(key.private_key().rfind("-----BEGIN OPENSSH PRIVATE KEY-----\n", 0) == 0);
  CHECK(key.public_line().rfind("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI", 0) == 0);
  CHECK(key.public_line().substr(key.public_line().size() - 12) == " drsync-test");
  CHECK(SshKeyPair::generate("x").public_line() != SshKeyPair::generate("x").public_line());
  // ssh-keygen -y derives the public key from the private one; read through a pipe.
  std::string cmd =
      "bash -c 'ssh-keygen -y -f /dev/stdin <<< \"$0\"' \"" + key.private_key() + "\"";
  FILE* p = popen(cmd.c_str(), "r");
  REQUIRE(p != nullptr);
  char buf[512] = {};
  std::string out;
  while (fgets(buf, sizeof buf, p)) out += buf;
  REQUIRE(pclose(p) == 0);
  CHECK(out == key.public_line() + "\n");
}

TEST_CASE("mover manifests: labelled, keys from the Secret, PVC read-only at the source",
          "[unit][mover]") {
  DataMoverOptions o;
  o.image = "mover:1";
  o.placement.node_selector = {{"pool", "dr"}};
  o.rsync_args = {"--compress", "--no-owner"};
  o.exclude = {"cache/", "*.tmp"};
  o.verify = DataMoverOptions::Verify::Full;
  MoverNames n{"abc123", 3};
  CHECK(n.name() == "drsync-mover-abc123-3");

  auto secret = mover_secret(n, {{"id", "KEY"}});
  CHECK(secret.label(kMoverLabel) == "abc123");
  CHECK(json_str(secret.find("/data/id")) == "S0VZ");  // base64, never the raw key in YAML

  auto pod = sshd_pod(n, "data-db-0", o);
  CHECK(json_str(pod.find("/spec/volumes/0/persistentVolumeClaim/claimName")) == "data-db-0");
  CHECK(json_str(pod.find("/spec/volumes/1/secret/secretName")) == n.name());
  CHECK(pod.find("/spec/volumes/1/secret/defaultMode")->GetInt() == 0400);
  CHECK(json_str(pod.find("/spec/nodeSelector/pool")) == "dr");
  CHECK(pod.find("/spec/automountServiceAccountToken")->GetBool() == false);
  CHECK(pod.find("/spec/containers/0/readinessProbe/tcpSocket/port")->GetInt() == kSshPort);

  auto svc = sshd_service(n, o);
  CHECK(json_str(svc.find("/spec/type")) == "NodePort");
  CHECK(json_str(svc.find("/spec/selector/drsync.io~1mover-pod")) == n.name());

  auto job = rsync_job(n, "data-db-0", "10.0.0.9", 30022, "node-7", o);
  const std::string c = "/spec/template/spec/containers/0";
  CHECK(job.find(c + "/volumeMounts/0/readOnly")->GetBool());
  CHECK(json_str(job.find("/spec/template/spec/nodeName")) == "node-7");
  CHECK(job.find("/spec/template/spec/nodeSelector") == nullptr);  // pinned to the holder's node
  CHECK(job.find("/spec/backoffLimit")->GetInt() == 0);
  CHECK(json_str(job.find(c + "/env/0/value")) == "10.0.0.9");
  CHECK(json_str(job.find(c + "/env/1/value")) == "30022");
  CHECK(json_str(job.find(c + "/env/2/value")) == "--compress --no-owner");
  CHECK(json_str(job.find(c + "/env/4/value")) == "cache/\n*.tmp");
  CHECK(json_str(job.find(c + "/env/5/value")) == "full");
  auto unpinned = rsync_job(n, "data", "h", 1, "", o);
  CHECK(json_str(unpinned.find("/spec/template/spec/nodeSelector/pool")) == "dr");
}

TEST_CASE("rsync's summary, progress and exit status", "[unit][mover]") {
  auto s = parse_rsync_summary(
      "rsync-exit: 0\nNumber of files: 1,088 (reg: 1,003, dir: 82, link: 3)\n"
      "Number of regular files transferred: 4\nTotal file size: 335,771,272 bytes\n"
      "Total bytes sent: 52,311\nverify: full 1003 0 0\n");
  CHECK(s.exit == 0);
  CHECK(s.files_total == 1088);
  CHECK(s.files_transferred == 4);
  CHECK(s.bytes_total == 335771272);
  CHECK(s.bytes_sent == 52311);
  CHECK(s.verify == "full: 1003 files compared, 0 differ");
  CHECK_FALSE(s.verify_failed);
  auto bad = parse_rsync_summary(
      "rsync-exit: 11\nrsync-error: rsync: [receiver] write failed on \"/data/big\": No space "
      "left on device (28)\nverify: sample 50 2 0\n");
  CHECK(bad.exit == 11);
  CHECK(bad.error.find("No space left on device") != std::string::npos);
  CHECK(bad.verify_failed);
  CHECK(explain_rsync_exit(11).find("is the destination volume full?") != std::string::npos);
  CHECK(explain_rsync_exit(255).find("ssh failed") != std::string::npos);
  CHECK(explain_rsync_exit(137) == "rsync was killed by signal 9");
  CHECK(
      explain_rsync(11, bad.error).starts_with("the destination volume is full (rsync exit 11): "));
  CHECK(explain_rsync(12, "ssh: connect to host 10.0.0.1 port 30022: Connection refused")
            .starts_with("ssh failed: the destination's sshd is unreachable"));
  CHECK(explain_rsync(23, "rsync: [sender] send_files failed") ==
        "partial transfer due to error (some files were not copied) (rsync exit 23): rsync: "
        "[sender] send_files failed");
  CHECK(explain_rsync(0, "") == "success (rsync exit 0)");
  CHECK(rsync_exit_ok(24));
  CHECK_FALSE(rsync_exit_ok(23));

  auto p =
      parse_rsync_progress("    134,217,728  40%   95.20MB/s    0:00:01 (xfr#2, to-chk=900/1000)");
  REQUIRE(p.has_value());
  CHECK(p->bytes_done == 134217728);
  CHECK(p->bytes_total == 335544320);
  CHECK(p->files_total == 1000);
  CHECK(p->files_done == 100);
  CHECK_FALSE(parse_rsync_progress("sending incremental file list").has_value());
}
