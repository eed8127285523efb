// Internal: where a request's credentials come from (static, token file, exec plugin).
#pragma once

#include <memory>
#include <string>

#include "drsync/config.hpp"

namespace drsync::detail {

struct Credentials {
  std::string bearer_token;
  std::string client_cert_pem;  // an exec plugin may return a client certificate
  std::string client_key_pem;
  std::string username;  // basic auth
  std::string password;
};

// Thread-safe. current() is called before each request is sent (it is cheap when cached).
class CredentialSource {
 public:
  virtual ~CredentialSource() = default;
  // The credentials to use now: static ones, the token file (re-read when its mtime changes), or
  // the exec plugin's (run again when its expirationTimestamp has passed). Throws Error(config)
  // naming the plugin and showing its stderr when the plugin fails.
  virtual Credentials current() = 0;
  // After a 401: forget cached credentials. True when asking again may give different ones
  // (exec plugin, token file), so the request is worth one retry.
  virtual bool invalidate() = 0;
};

std::shared_ptr<CredentialSource> make_credential_source(const RestConfig& config);

}  // namespace drsync::detail
