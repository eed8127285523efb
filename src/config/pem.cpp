// PEM checks for kubeconfig credentials (config/pem.hpp).
#include "config/pem.hpp"

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

namespace drsync::detail {

namespace {

// OpenSSL's default password callback prompts on the terminal for an encrypted key: never do that.
int refuse_passphrase(char*, int, int, void*) {
  return -1;
}

}  // namespace

bool is_pem_certificates(const std::string& pem) {
  ERR_clear_error();
  BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  if (bio == nullptr) return false;
  int count = 0;
  while (X509* cert = PEM_read_bio_X509(bio, nullptr, refuse_passphrase, nullptr)) {
    X509_free(cert);
    ++count;
  }
  // Reading stops with "no start line" at the end of the data, anything else is a broken block.
  unsigned long last = ERR_peek_last_error();
  bool clean_end = ERR_GET_LIB(last) == ERR_LIB_PEM && ERR_GET_REASON(last) == PEM_R_NO_START_LINE;
  ERR_clear_error();
  BIO_free(bio);
  return count > 0 && clean_end;
}

bool is_pem_private_key(const std::string& pem) {
  ERR_clear_error();
  BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  if (bio == nullptr) return false;
  EVP_PKEY* key = PEM_read_bio_PrivateKey(bio, nullptr, refuse_passphrase, nullptr);
  bool ok = key != nullptr;
  EVP_PKEY_free(key);
  BIO_free(bio);
  ERR_clear_error();
  return ok;
}

bool certificate_matches_key(const std::string& cert_pem, const std::string& key_pem) {
  BIO* cert_bio = BIO_new_mem_buf(cert_pem.data(), static_cast<int>(cert_pem.size()));
  BIO* key_bio = BIO_new_mem_buf(key_pem.data(), static_cast<int>(key_pem.size()));
  X509* cert =
      cert_bio ? PEM_read_bio_X509(cert_bio, nullptr, refuse_passphrase, nullptr) : nullptr;
  EVP_PKEY* key =
      key_bio ? PEM_read_bio_PrivateKey(key_bio, nullptr, refuse_passphrase, nullptr) : nullptr;
  bool match = cert != nullptr && key != nullptr && X509_check_private_key(cert, key) == 1;
  X509_free(cert);
  EVP_PKEY_free(key);
  BIO_free(cert_bio);
  BIO_free(key_bio);
  ERR_clear_error();
  return match;
}

}  // namespace drsync::detail
