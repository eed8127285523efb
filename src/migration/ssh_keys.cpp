// ed25519 keys in OpenSSH's formats (PROTOCOL.key of OpenSSH: "openssh-key-v1", no cipher, no
// KDF), from OpenSSL's raw key bytes.
#include "migration/ssh_keys.hpp"

#include <fmt/format.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <array>
#include <cstdint>
#include <memory>

#include "core/base64.hpp"
#include "drsync/error.hpp"

namespace drsync::detail {
namespace {

constexpr std::size_t kKeyBytes = 32;

// SSH wire encoding: uint32 big-endian, and strings prefixed with their length.
void put_u32(std::string& out, std::uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8)
    out.push_back(static_cast<char>((v >> shift) & 0xff));
}
void put_string(std::string& out, std::string_view s) {
  put_u32(out, static_cast<std::uint32_t>(s.size()));
  out.append(s);
}

std::string public_blob(std::string_view pub) {
  std::string blob;
  put_string(blob, "ssh-ed25519");
  put_string(blob, pub);
  return blob;
}

// The private section: two equal check integers, the key, the comment, padded to 8 bytes.
std::string private_section(std::string_view pub, std::string_view seed,
                            const std::string& comment) {
  std::uint32_t check = 0;
  if (RAND_bytes(reinterpret_cast<unsigned char*>(&check), sizeof check) != 1)
    throw Error(Errc::internal, "RAND_bytes failed");
  std::string s;
  put_u32(s, check);
  put_u32(s, check);
  put_string(s, "ssh-ed25519");
  put_string(s, pub);
  std::string secret(seed);
  secret.append(pub);  // OpenSSH keeps the 32-byte seed followed by the public key
  put_string(s, secret);
  OPENSSL_cleanse(secret.data(), secret.size());
  put_string(s, comment);
  for (char pad = 1; s.size() % 8 != 0; ++pad) s.push_back(pad);
  return s;
}

std::string armored(const std::string& der) {
  std::string b64 = base64_encode(der);
  std::string out = "-----BEGIN OPENSSH PRIVATE KEY-----\n";
  for (std::size_t i = 0; i < b64.size(); i += 70) out += b64.substr(i, 70) + "\n";
  out += "-----END OPENSSH PRIVATE KEY-----\n";
  OPENSSL_cleanse(b64.data(), b64.size());
  return out;
}

struct PkeyDeleter {
  void operator()(EVP_PKEY* k) const noexcept { EVP_PKEY_free(k); }
};

}  // namespace

SshKeyPair SshKeyPair::generate(const std::string& comment) {
  std::unique_ptr<EVP_PKEY, PkeyDeleter> key(EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519"));
  std::array<unsigned char, kKeyBytes> pub{}, seed{};
  std::size_t pub_len = pub.size(), seed_len = seed.size();
  if (!key || EVP_PKEY_get_raw_public_key(key.get(), pub.data(), &pub_len) != 1 ||
      EVP_PKEY_get_raw_private_key(key.get(), seed.data(), &seed_len) != 1 ||
      pub_len != kKeyBytes || seed_len != kKeyBytes) {
    throw Error(Errc::internal, "cannot generate an ed25519 key (OpenSSL)");
  }
  std::string_view pub_view(reinterpret_cast<const char*>(pub.data()), pub.size());
  std::string_view seed_view(reinterpret_cast<const char*>(seed.data()), seed.size());
  std::string file = "openssh-key-v1";
  file.push_back('\0');
  put_string(file, "none");
  put_string(file, "none");
  put_string(file, "");
  put_u32(file, 1);
  put_string(file, public_blob(pub_view));
  std::string section = private_section(pub_view, seed_view, comment);
  put_string(file, section);
  OPENSSL_cleanse(section.data(), section.size());
  OPENSSL_cleanse(seed.data(), seed.size());
  SshKeyPair pair;
  pair.private_ = armored(file);
  OPENSSL_cleanse(file.data(), file.size());
  pair.public_ = fmt::format("ssh-ed25519 {} {}", base64_encode(public_blob(pub_view)), comment);
  return pair;
}

SshKeyPair::~SshKeyPair() {
  OPENSSL_cleanse(private_.data(), private_.size());
}

}  // namespace drsync::detail
