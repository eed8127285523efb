// PEM checks for kubeconfig credentials: certificates and private keys are validated in memory,
// never written anywhere, and never read with a passphrase prompt.
#pragma once

#include <string>

namespace drsync::detail {

// One or more certificates and nothing malformed (text around the PEM blocks is allowed).
bool is_pem_certificates(const std::string& pem);
// One private key that OpenSSL can read without a passphrase.
bool is_pem_private_key(const std::string& pem);
// The first certificate of `cert_pem` belongs to the key of `key_pem` (both already validated).
bool certificate_matches_key(const std::string& cert_pem, const std::string& key_pem);

}  // namespace drsync::detail
