// Units of drsync-controller without a cluster: reading the custom resources, the metrics text,
// the HTTP server, the flags (ctest "controller: ..."; the controller against real clusters is
// tests/controller/test_*.py).
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <drsync/error.hpp>

#include "../../controller/controller_flags.hpp"
#include "../../controller/http_server.hpp"
#include "../../controller/metrics.hpp"
#include "../../controller/resources.hpp"

using namespace drsync_controller;

namespace {

drsync::Object mapping(const std::string& spec) {
  return drsync::Object::parse(
      R"({"apiVersion":"dr-syncer.io/v1alpha1","kind":"NamespaceMapping","metadata":{"name":"m","namespace":"dr","generation":3},"spec":)" +
      spec + "}");
}

std::string error_of(const std::string& spec) {
  try {
    parse_namespace_mapping(mapping(spec));
  } catch (const drsync::Error& e) {
    CHECK(e.code() == drsync::Errc::invalid_argument);
    return e.what();
  }
  return "no error";
}

std::string http_get(int port, const std::string& request) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
  REQUIRE(::send(fd, request.data(), request.size(), 0) == static_cast<ssize_t>(request.size()));
  std::string out;
  char buf[512];
  for (ssize_t n; (n = ::recv(fd, buf, sizeof buf, 0)) > 0;)
    out.append(buf, static_cast<size_t>(n));
  ::close(fd);
  return out;
}

}  // namespace

TEST_CASE("a Continuous NamespaceMapping with a ClusterMapping: defaults and what is ignored",
          "[controller]") {
  auto s = parse_namespace_mapping(mapping(
      R"({"replicationMode":"Continuous","clusterMappingRef":{"name":"pair"},"sourceNamespace":"shop",)"
      R"("resourceTypes":["*"],"continuous":{"backgroundSyncInterval":"90m"},"pvcConfig":{"syncData":true,)"
      R"("storageClassMappings":[{"from":"fast","to":"dr-fast"}]},"retryConfig":{"maxRetries":2}})"));
  CHECK(s.mode == ReplicationMode::Continuous);
  REQUIRE(s.cluster_mapping);
  CHECK(s.cluster_mapping->key() == "dr/pair");  // the mapping's own namespace
  CHECK(s.destination_namespace == "shop");      // the same name by default
  CHECK(s.resource_types.empty());               // "*": the default DR set
  CHECK(s.scale_to_zero);
  CHECK(s.resync_interval == std::chrono::minutes(90));
  CHECK(s.storage_class_map.at("fast") == "dr-fast");
  CHECK(s.generation == 3);
  CHECK(s.ignored == std::vector<std::string>{
                         "spec.retryConfig",
                         "spec.pvcConfig.syncData (Continuous mode: data is copied by Stages)"});
}

TEST_CASE("NamespaceMapping errors name the field", "[controller]") {
  CHECK_THAT(error_of(R"({"sourceCluster":"a","destinationCluster":"b","sourceNamespace":"x"})"),
             Catch::Contains("spec.schedule: required in Scheduled mode"));
  CHECK_THAT(
      error_of(
          R"({"sourceCluster":"a","destinationCluster":"b","sourceNamespace":"x","schedule":"61 * * * *"})"),
      Catch::Contains("NamespaceMapping dr/m: spec.schedule"));
  CHECK_THAT(
      error_of(
          R"({"replicationMode":"Sometimes","sourceCluster":"a","destinationCluster":"b","sourceNamespace":"x"})"),
      Catch::Contains("\"Sometimes\" is not Scheduled, Continuous or Manual"));
  CHECK_THAT(error_of(R"({"replicationMode":"Manual","sourceNamespace":"x"})"),
             Catch::Contains("needs clusterMappingRef, or sourceCluster and destinationCluster"));
  CHECK_THAT(error_of(R"({"replicationMode":"Manual","clusterMappingRef":{"name":"p"}})"),
             Catch::Contains("/spec/sourceNamespace: required"));
  CHECK_THAT(
      error_of(
          R"({"replicationMode":"Manual","clusterMappingRef":{"name":"p"},"sourceNamespace":"x","continuous":{"backgroundSyncInterval":"soon"}})"),
      Catch::Contains("backgroundSyncInterval"));
}

TEST_CASE("the sync-now annotation and paused are read", "[controller]") {
  auto o = mapping(
      R"({"replicationMode":"Manual","paused":true,"sourceCluster":"a","destinationCluster":"b","sourceNamespace":"x"})");
  CHECK_FALSE(parse_namespace_mapping(o).sync_now);
  o.set_annotation(kSyncNowAnnotation, "true");
  auto s = parse_namespace_mapping(o);
  CHECK(s.sync_now);
  CHECK(s.paused);
}

TEST_CASE("a Failover: defaults and a bad mode", "[controller]") {
  auto f = parse_failover(drsync::Object::parse(
      R"({"kind":"Failover","metadata":{"name":"go","namespace":"dr","uid":"u1"},"spec":{"namespaceMapping":"m"},"status":{"phase":"Running"}})"));
  CHECK(f.mode == "Cutover");
  CHECK(f.wait_timeout == std::chrono::minutes(5));
  CHECK(f.phase == "Running");
  CHECK_THROWS_WITH(
      parse_failover(drsync::Object::parse(
          R"({"kind":"Failover","metadata":{"name":"go","namespace":"dr"},"spec":{"namespaceMapping":"m","mode":"Sideways"}})")),
      Catch::Contains("spec.mode"));
}

TEST_CASE("metrics: the exposition text, escaped labels, forgetting a mapping", "[controller]") {
  Metrics m;
  m.add("drsync_mapping_syncs_total", {{"mapping", "dr/a\"b"}, {"result", "success"}});
  m.add("drsync_mapping_syncs_total", {{"mapping", "dr/a\"b"}, {"result", "success"}}, 2);
  m.set("drsync_mapping_lag_seconds", {{"mapping", "dr/c"}, {"quantile", "0.99"}}, 0.25);
  std::string text = m.render();
  CHECK_THAT(text, Catch::Contains("# TYPE drsync_mapping_syncs_total counter\n"));
  CHECK_THAT(text, Catch::Contains(
                       "drsync_mapping_syncs_total{mapping=\"dr/a\\\"b\",result=\"success\"} 3\n"));
  CHECK_THAT(text, Catch::Contains(
                       "drsync_mapping_lag_seconds{mapping=\"dr/c\",quantile=\"0.99\"} 0.25\n"));
  CHECK_THAT(text, Catch::Contains("process_resident_memory_bytes "));
  m.forget("mapping", "dr/c");
  CHECK_THAT(m.render(), !Catch::Contains("dr/c"));
  CHECK(m.get("drsync_mapping_syncs_total", {{"mapping", "dr/a\"b"}, {"result", "success"}}) == 3);
  CHECK_THROWS_AS(m.add("drsync_undeclared_total", {}), std::logic_error);
}

TEST_CASE("the HTTP server answers GET, refuses other methods, and reports a busy port",
          "[controller]") {
  HttpServer server("127.0.0.1:0", [](const std::string& path) {
    return path == "/healthz" ? HttpResponse{200, "text/plain", "ok\n"}
                              : HttpResponse{404, "text/plain", "no\n"};
  });
  REQUIRE(server.port() > 0);
  std::string ok = http_get(server.port(), "GET /healthz?verbose HTTP/1.1\r\nHost: x\r\n\r\n");
  CHECK_THAT(ok, Catch::StartsWith("HTTP/1.1 200 OK\r\n"));
  CHECK_THAT(ok, Catch::EndsWith("\r\n\r\nok\n"));
  CHECK_THAT(http_get(server.port(), "GET /x HTTP/1.1\r\n\r\n"), Catch::StartsWith("HTTP/1.1 404"));
  CHECK_THAT(http_get(server.port(), "POST /healthz HTTP/1.1\r\n\r\n"),
             Catch::StartsWith("HTTP/1.1 405"));
  CHECK_THROWS_WITH(HttpServer("127.0.0.1:" + std::to_string(server.port()), {}),
                    Catch::Contains("cannot listen"));
  HttpServer disabled("0", {});
  CHECK(disabled.port() == 0);
}

TEST_CASE("controller flags: defaults and the leader election timing rule", "[controller]") {
  const char* plain[] = {"drsync-controller", "--namespace", "dr"};
  auto f = parse_controller_flags(3, plain);
  CHECK(f.watch_namespace == "dr");
  CHECK(f.lease.lease_namespace == "dr");
  CHECK(f.lease.lease_duration == std::chrono::seconds(15));
  CHECK(f.metrics_address == ":8080");
  const char* bad[] = {"drsync-controller", "--lease-duration", "5s", "--renew-deadline", "5s"};
  CHECK_THROWS_AS(parse_controller_flags(5, bad), drsync_cli::UsageError);
}

TEST_CASE(
    "pvcConfig.syncData and dataSyncConfig become the Stage's data mover, drsyncOptions apply last",
    "[controller]") {
  auto s = parse_namespace_mapping(mapping(
      R"({"replicationMode":"Manual","clusterMappingRef":{"name":"pair"},"sourceNamespace":"shop",)"
      R"("pvcConfig":{"syncData":true,"dataSyncConfig":{"concurrentSyncs":3,"excludePaths":["cache/"],)"
      R"("rsyncOptions":["--inplace"],"bandwidthLimit":1024,"timeout":"10m","verificationMode":"sample"}},)"
      R"("drsyncOptions":{"dataMover":{"image":"registry.example/mover:2","parallelism":4},"waitTimeoutSeconds":60}})"));
  CHECK(s.sync_data);
  CHECK(s.options.migrate_data);
  const auto& m = s.options.data_mover;
  CHECK(m.parallelism == 4);  // drsyncOptions wins over concurrentSyncs
  CHECK(m.exclude == std::vector<std::string>{"cache/"});
  CHECK(m.rsync_args == std::vector<std::string>{"--inplace"});
  CHECK(m.bandwidth_limit_kib == 1024);
  CHECK(m.timeout == std::chrono::minutes(10));
  CHECK(m.verify == drsync::DataMoverOptions::Verify::Sample);
  CHECK(m.image == "registry.example/mover:2");
  CHECK(s.options.wait_timeout == std::chrono::seconds(60));
  CHECK(s.ignored.empty());
  CHECK_THAT(
      error_of(
          R"({"replicationMode":"Manual","clusterMappingRef":{"name":"p"},"sourceNamespace":"x",)"
          R"("pvcConfig":{"dataSyncConfig":{"verificationMode":"always"}}})"),
      Catch::Contains("verify"));
  auto continuous = parse_namespace_mapping(mapping(
      R"({"replicationMode":"Continuous","clusterMappingRef":{"name":"p"},"sourceNamespace":"x","pvcConfig":{"syncData":true}})"));
  REQUIRE(continuous.ignored.size() == 1);
  CHECK_THAT(continuous.ignored[0], Catch::StartsWith("spec.pvcConfig.syncData"));
}
