// Internal: SSH keys for one data-mover run, generated in memory with OpenSSL (ed25519) and
// handed to the mover Pods only through Secrets: never written to this machine's disk, never
// logged, wiped from memory when the key pair is destroyed.
#pragma once

#include <string>

namespace drsync::detail {

class SshKeyPair {
 public:
  // A fresh ed25519 key; `comment` ends the public key line.
  static SshKeyPair generate(const std::string& comment);
  ~SshKeyPair();
  SshKeyPair(SshKeyPair&&) noexcept = default;
  SshKeyPair& operator=(SshKeyPair&&) noexcept = default;
  SshKeyPair(const SshKeyPair&) = delete;
  SshKeyPair& operator=(const SshKeyPair&) = delete;

  // "-----BEGIN OPENSSH PRIVATE KEY-----\n...": the unencrypted openssh-key-v1 format that ssh
  // and sshd read.
  const std::string& private_key() const noexcept { return private_; }
  // "ssh-ed25519 AAAA... comment": for authorized_keys and known_hosts lines.
  const std::string& public_line() const noexcept { return public_; }

 private:
  SshKeyPair() = default;
  std::string private_;
  std::string public_;
};

}  // namespace drsync::detail
