// The three places a request's credentials come from: the kubeconfig itself (static), a token
// file that may be rotated under us, or an exec plugin whose output is cached until it expires.
#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <mutex>
#include <optional>
#include <string>

#include "config/credentials.hpp"
#include "config/exec_plugin.hpp"
#include "core/file.hpp"
#include "drsync/error.hpp"

namespace drsync::detail {

namespace {

Credentials static_credentials(const RestConfig& config) {
  Credentials credentials;
  credentials.bearer_token = config.bearer_token;
  credentials.client_cert_pem = config.client_cert_pem;
  credentials.client_key_pem = config.client_key_pem;
  credentials.username = config.username;
  credentials.password = config.password;
  return credentials;
}

class StaticSource final : public CredentialSource {
 public:
  explicit StaticSource(Credentials credentials) : credentials_(std::move(credentials)) {}
  Credentials current() override { return credentials_; }
  bool invalidate() override { return false; }  // asking again gives the same answer

 private:
  const Credentials credentials_;
};

// Which version of a file we read. Kubelet rotates projected tokens by swapping a symlink (new
// inode), editors rename or rewrite in place (size, nanosecond mtime): any change re-reads.
struct FileVersion {
  dev_t device = 0;
  ino_t inode = 0;
  off_t size = 0;
  time_t mtime_seconds = 0;
  long mtime_nanoseconds = 0;
  bool operator==(const FileVersion&) const = default;
};

class TokenFileSource final : public CredentialSource {
 public:
  explicit TokenFileSource(const RestConfig& config)
      : base_(static_credentials(config)), path_(config.bearer_token_file) {}

  Credentials current() override {
    std::lock_guard<std::mutex> lock(mutex_);
    struct stat st {};
    if (::stat(path_.c_str(), &st) != 0) {
      reload_or_keep(std::strerror(errno));
    } else {
      FileVersion version{st.st_dev, st.st_ino, st.st_size, st.st_mtim.tv_sec, st.st_mtim.tv_nsec};
      if (stale_ || !version_ || *version_ != version) {
        std::string why;
        std::string token;
        if (read_token(token, why)) {
          token_ = std::move(token);
          version_ = version;
          stale_ = false;
        } else {
          reload_or_keep(why);
        }
      }
    }
    Credentials credentials = base_;
    credentials.bearer_token = token_;
    return credentials;
  }

  bool invalidate() override {
    std::lock_guard<std::mutex> lock(mutex_);
    stale_ = true;  // the next current() reads the file even if it looks unchanged
    return true;
  }

 private:
  bool read_token(std::string& token, std::string& why) const {
    if (int failure = detail::read_small_file(path_, token); failure != 0) {
      why = std::strerror(failure);
      return false;
    }
    auto begin = token.find_first_not_of(" \t\r\n");
    auto end = token.find_last_not_of(" \t\r\n");
    token = begin == std::string::npos ? std::string() : token.substr(begin, end - begin + 1);
    if (token.empty()) why = "the file is empty";
    return !token.empty();
  }

  // Like client-go: a token file caught mid-rotation keeps the last good token (a 401 will tell);
  // without one, the kubeconfig's own token, else an error.
  void reload_or_keep(const std::string& why) {
    if (!token_.empty()) return;
    if (!base_.bearer_token.empty()) {
      token_ = base_.bearer_token;
      return;
    }
    throw Error(Errc::config, fmt::format("cannot read the token file {}: {}", path_, why));
  }

  const Credentials base_;
  const std::string path_;
  std::mutex mutex_;
  std::string token_;
  std::optional<FileVersion> version_;
  bool stale_ = false;
};

class ExecSource final : public CredentialSource {
 public:
  explicit ExecSource(const RestConfig& config) : exec_(*config.exec) {
    // What the plugin may learn about the cluster (provideClusterInfo), never our credentials.
    cluster_.server = config.server;
    cluster_.ca_pem = config.ca_pem;
    cluster_.insecure_skip_tls_verify = config.insecure_skip_tls_verify;
    cluster_.tls_server_name = config.tls_server_name;
    cluster_.proxy_url = config.proxy_url;
    cluster_.context = config.context;
    cluster_.origin = config.origin;
  }

  // The mutex is held while the plugin runs: concurrent callers wait for that one run.
  Credentials current() override {
    std::lock_guard<std::mutex> lock(mutex_);
    bool valid =
        cached_ && (!cached_->expires || std::chrono::system_clock::now() < *cached_->expires);
    if (!valid) cached_ = run_exec_plugin(exec_, cluster_);
    return cached_->credentials;
  }

  bool invalidate() override {
    std::lock_guard<std::mutex> lock(mutex_);
    cached_.reset();
    return true;
  }

 private:
  const ExecConfig exec_;
  RestConfig cluster_;
  std::mutex mutex_;
  std::optional<ExecCredential> cached_;
};

}  // namespace

std::shared_ptr<CredentialSource> make_credential_source(const RestConfig& config) {
  // As in client-go, credentials written in the kubeconfig win over an exec plugin.
  if (!config.bearer_token_file.empty()) return std::make_shared<TokenFileSource>(config);
  bool has_static = !config.bearer_token.empty() || !config.username.empty() ||
                    !config.password.empty() || !config.client_cert_pem.empty();
  if (config.exec && !has_static) return std::make_shared<ExecSource>(config);
  return std::make_shared<StaticSource>(static_credentials(config));
}

}  // namespace drsync::detail
