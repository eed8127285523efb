// First e2e smoke test: both real API servers answer, over TLS with the client certificate
// handed to libcurl from memory; the restricted token is refused cluster-wide listing.
#include <catch2/catch.hpp>

#include "drsync/cluster.hpp"
#include "drsync/error.hpp"
#include "e2e/harness.hpp"

using namespace drsync;

TEST_CASE("both clusters list namespaces with the admin client certificate", "[e2e][smoke]") {
  for (const char* name : {"source", "dest"}) {
    Cluster c = Cluster::from_kubeconfig(test::kubeconfig_path(name));
    CHECK_FALSE(c.config().client_key_pem.empty());  // key material held in memory
    ObjectList namespaces = c.list(c.resolve("namespaces"), "");
    bool has_default = false;
    for (const auto& ns : namespaces.items) has_default |= ns.name() == "default";
    CHECK(has_default);
    CHECK(c.server_version() == "v1.32.2");
  }
}

TEST_CASE("the restricted token gets 403 listing namespaces cluster-wide", "[e2e][smoke]") {
  for (const char* name : {"source-restricted", "dest-restricted"}) {
    Cluster c = Cluster::from_kubeconfig(test::kubeconfig_path(name));
    ResourceInfo namespaces{"", "v1", "namespaces", "Namespace", false, {"list"}, {}, {}, {}};
    try {
      c.list(namespaces, "");
      FAIL("listing namespaces with the restricted token should be forbidden");
    } catch (const Error& e) {
      CHECK(e.code() == Errc::forbidden);
      CHECK(e.http_status() == 403);
      CHECK(e.reason() == "Forbidden");
      CHECK(std::string(e.what()).find(c.config().bearer_token) == std::string::npos);
    }
  }
}
