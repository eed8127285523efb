#include "remote_clusters.hpp"

#include <fmt/format.h>
#include <openssl/evp.h>
#include <drsync/config.hpp>
#include <drsync/error.hpp>

namespace drsync_controller {
namespace {

std::string decode_base64(std::string_view text, const std::string& what) {
  std::string out((text.size() / 4 + 1) * 3, '\0');
  int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(text.data()),
                          static_cast<int>(text.size()));
  if (n < 0 || text.size() % 4 != 0) {
    throw drsync::Error(drsync::Errc::config, fmt::format("{}: not base64", what));
  }
  std::size_t pad = 0;
  for (auto it = text.rbegin(); it != text.rend() && *it == '='; ++it) ++pad;
  out.resize(static_cast<std::size_t>(n) - pad);
  return out;
}

drsync::Object get_or_explain(const drsync::Cluster& home, const drsync::ResourceInfo& r,
                              const ObjectRef& ref, std::string_view referrer) {
  auto o = home.try_get(r, ref.namespace_, ref.name);
  if (!o) {
    throw drsync::Error(
        drsync::Errc::not_found,
        fmt::format("{} {} (referenced by {}) does not exist", r.kind, ref.key(), referrer));
  }
  return std::move(*o);
}

drsync::Cluster cluster_of(const drsync::Cluster& home, const ObjectRef& remote,
                           std::string_view referrer) {
  auto spec = parse_remote_cluster(get_or_explain(home, remote_clusters(), remote, referrer));
  std::string what = fmt::format("Secret {} (key {:?}) of RemoteCluster {}",
                                 spec.kubeconfig_secret.key(), spec.kubeconfig_key, remote.key());
  auto secret =
      get_or_explain(home, secrets(), spec.kubeconfig_secret, "RemoteCluster " + remote.key());
  const auto* data = secret.find("/data/" + spec.kubeconfig_key);
  if (!data || !data->IsString()) throw drsync::Error(drsync::Errc::config, what + ": no such key");
  std::string yaml = decode_base64({data->GetString(), data->GetStringLength()}, what);
  return drsync::Cluster(drsync::load_kubeconfig_yaml(yaml, what, "/nonexistent"));
}

}  // namespace

ClusterPair resolve_clusters(const drsync::Cluster& home, const NamespaceMappingSpec& m) {
  std::string referrer = "NamespaceMapping " + m.self.key();
  std::string source = m.source_cluster, dest = m.destination_cluster;
  bool paused = false;
  if (m.cluster_mapping) {
    auto cm = parse_cluster_mapping(
        get_or_explain(home, cluster_mappings(), *m.cluster_mapping, referrer));
    source = cm.source_cluster;
    dest = cm.target_cluster;
    paused = cm.paused;
    referrer = "ClusterMapping " + m.cluster_mapping->key();
  }
  const std::string& ns = m.cluster_mapping ? m.cluster_mapping->namespace_ : m.self.namespace_;
  ClusterPair p{cluster_of(home, {ns, source}, referrer), cluster_of(home, {ns, dest}, referrer),
                source, dest, paused};
  return p;
}

}  // namespace drsync_controller
