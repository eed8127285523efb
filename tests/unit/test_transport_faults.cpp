// Fault injection for the REST transport against an in-process HTTP/1.1 stub server: retries
// (429 with Retry-After, 5xx, connection resets) and their limits, the create (POST) retry rules,
// timeouts, concurrency, client-side rate limiting and the typed errors parsed from Status bodies.
#include <netinet/in.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <future>
#include <string>
#include <thread>
#include <vector>

#include "drsync/cluster.hpp"
#include "drsync/error.hpp"
#include "drsync/object.hpp"
#include "expect_error.hpp"
#include "unit/stub_server.hpp"

using namespace drsync;
using drsync::test::StubReply;
using drsync::test::StubServer;
using test::expect_error;
using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

namespace {

const ResourceInfo kConfigMaps{"", "v1", "configmaps", "ConfigMap", true, {}, {}, {}, {}};
const ResourceInfo kDeployments{"apps", "v1", "deployments", "Deployment", true, {}, {}, {}, {}};

RestConfig stub_config(const StubServer& stub, int max_retries = 3) {
  RestConfig c;
  c.server = stub.url();
  c.max_retries = max_retries;
  c.connect_timeout = milliseconds(2000);
  c.request_timeout = milliseconds(10'000);
  return c;
}

std::string configmap_json(const std::string& name, const std::string& uid = "uid-1",
                           const std::string& rv = "7") {
  return R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":")" + name +
         R"(","namespace":"ns","uid":")" + uid + R"(","resourceVersion":")" + rv +
         R"("},"data":{"k":"v"}})";
}

Object configmap(const std::string& name) {
  Object o = Object::parse(R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{}})");
  o.set_name(name);
  o.set_namespace("ns");
  return o;
}

long ms_since(Clock::time_point t0) {
  return static_cast<long>(std::chrono::duration_cast<milliseconds>(Clock::now() - t0).count());
}

double process_cpu_ms() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) * 1e3 + static_cast<double>(ts.tv_nsec) / 1e6;
}

Request get_request(const std::string& path = "/api/v1/namespaces/ns/configmaps/a") {
  Request r;
  r.path = path;
  return r;
}

// A port on 127.0.0.1 where nothing listens (bound, then closed).
int closed_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  ::close(fd);
  return ntohs(addr.sin_port);
}

}  // namespace

TEST_CASE("GET is retried after 429, honouring Retry-After", "[faults]") {
  StubServer stub;
  stub.script(
      {StubReply::k8s_status(429, "TooManyRequests", "slow down").with_header("Retry-After", "1"),
       StubReply::json(200, configmap_json("a"))});
  Cluster c(stub_config(stub));
  auto t0 = Clock::now();
  Response r = c.send(get_request());
  long took = ms_since(t0);
  CHECK(r.status == 200);
  CHECK(r.attempts == 2);
  CHECK(took >= 950);  // waited for Retry-After: 1
  CHECK(took < 3000);  // ... and not much longer
  CHECK(Object::parse(r.body).name() == "a");
  CHECK(stub.count("GET") == 2);
  CHECK(c.stats().retries == 1);
  CHECK(c.stats().get == 2);  // every attempt on the wire counts
}

TEST_CASE("GET is retried after a 503 and the typed verb returns the object", "[faults]") {
  StubServer stub;
  stub.script({StubReply::k8s_status(503, "ServiceUnavailable", "etcd leader changed"),
               StubReply::json(200, configmap_json("a", "uid-503"))});
  Cluster c(stub_config(stub));
  auto t0 = Clock::now();
  Object o = c.get(kConfigMaps, "ns", "a");
  // No Retry-After: the first backoff is 50-100 ms (with jitter), not a fixed poll interval.
  CHECK(ms_since(t0) < 500);
  CHECK(o.uid() == "uid-503");
  auto log = stub.requests();
  REQUIRE(log.size() == 2);
  CHECK(log[0].path == "/api/v1/namespaces/ns/configmaps/a");
  CHECK(log[1].path == log[0].path);
}

TEST_CASE("GET is retried after the connection is reset without an answer", "[faults]") {
  StubServer stub;
  stub.script({StubReply::connection_reset(), StubReply::json(200, configmap_json("a"))});
  Cluster c(stub_config(stub));
  Response r = c.send(get_request());
  CHECK(r.status == 200);
  CHECK(r.attempts == 2);
  CHECK(stub.count("GET") == 2);
  CHECK(stub.connections() == 2);  // the reset connection was not reused
}

TEST_CASE("retries stop after max_retries with a clear error", "[faults]") {
  StubServer stub;
  Cluster c(stub_config(stub, /*max_retries=*/3));

  SECTION("5xx every time") {
    stub.set_fallback(
        StubReply::k8s_status(503, "ServiceUnavailable", "apiserver is shutting down"));
    auto t0 = Clock::now();
    Error e = expect_error([&] { c.get(kConfigMaps, "ns", "a"); });
    CHECK(ms_since(t0) < 8000);
    CHECK(e.code() == Errc::server_error);
    CHECK(e.http_status() == 503);
    CHECK(e.reason() == "ServiceUnavailable");
    std::string what = e.what();
    INFO(what);
    CHECK(what.find(stub.url()) != std::string::npos);
    CHECK(what.find("4 attempts") != std::string::npos);
    CHECK(what.find("apiserver is shutting down") != std::string::npos);
    CHECK(stub.count("GET") == 4);  // 1 + max_retries, then it stopped
  }
  SECTION("429 every time") {
    stub.set_fallback(StubReply::k8s_status(429, "TooManyRequests", "storage is (re)initializing")
                          .with_header("Retry-After", "0"));
    Error e = expect_error([&] { c.get(kConfigMaps, "ns", "a"); });
    CHECK(e.code() == Errc::too_many_requests);
    CHECK(std::string(e.what()).find("4 attempts") != std::string::npos);
    CHECK(stub.count("GET") == 4);
  }
  SECTION("connection reset every time") {
    stub.set_fallback(StubReply::connection_reset());
    Error e = expect_error([&] { c.get(kConfigMaps, "ns", "a"); });
    CHECK(e.code() == Errc::network);
    std::string what = e.what();
    INFO(what);
    CHECK(what.find(stub.url()) != std::string::npos);
    CHECK(what.find("4 attempts") != std::string::npos);
    CHECK(stub.count("GET") == 4);
  }
  // Nothing more arrives afterwards: the transport is not still retrying in the background.
  auto seen = stub.requests().size();
  std::this_thread::sleep_for(milliseconds(300));
  CHECK(stub.requests().size() == seen);
}

TEST_CASE("connection refused is retried, then reported naming the server", "[faults]") {
  RestConfig cfg;
  cfg.server = "http://127.0.0.1:" + std::to_string(closed_port());
  cfg.max_retries = 2;
  Cluster c(cfg);
  // Nothing reached a server, so even a create may be repeated: both report after 3 attempts.
  Error get_error = expect_error([&] { c.get(kConfigMaps, "ns", "a"); });
  Error create_error = expect_error([&] { c.create(kConfigMaps, "ns", configmap("a")); });
  for (const Error* e : {&get_error, &create_error}) {
    CHECK(e->code() == Errc::network);
    std::string what = e->what();
    INFO(what);
    CHECK(what.find(cfg.server) != std::string::npos);
    CHECK(what.find("3 attempts") != std::string::npos);
  }
  CHECK(c.stats().get == 3);
  CHECK(c.stats().create == 3);
}

TEST_CASE("a create (POST) answered 500 is not repeated", "[faults]") {
  StubServer stub;
  stub.script({StubReply::k8s_status(500, "InternalError", "admission webhook failed")});
  stub.set_fallback(StubReply::json(201, configmap_json("a")));  // a repeat would "succeed"
  Cluster c(stub_config(stub));
  Error e = expect_error([&] { c.create(kConfigMaps, "ns", configmap("a")); });
  CHECK(e.code() == Errc::server_error);
  CHECK(e.http_status() == 500);
  CHECK(std::string(e.what()).find("admission webhook failed") != std::string::npos);
  std::this_thread::sleep_for(milliseconds(300));
  CHECK(stub.count("POST") == 1);
  CHECK(c.stats().retries == 0);
}

TEST_CASE("a create (POST) reset mid-request is not repeated", "[faults]") {
  StubServer stub;
  stub.script({StubReply::connection_reset()});
  stub.set_fallback(StubReply::json(200, configmap_json("a")));
  Cluster c(stub_config(stub));
  SECTION("the request fails, its outcome unknown") {
    Request post;
    post.method = Method::Post;
    post.path = "/api/v1/namespaces/ns/configmaps";
    post.body = configmap("a").to_json();
    Error e = expect_error([&] { c.send(post); });
    CHECK(e.code() == Errc::network);
    CHECK(outcome_unknown(e));
    CHECK(stub.count("POST") == 1);
  }
  SECTION("Cluster::create looks instead of repeating it, and finds its object") {
    Object o = c.create(kConfigMaps, "ns", configmap("a"));
    CHECK(o.name() == "a");
    CHECK(stub.count("POST") == 1);
    CHECK(stub.count("GET") == 1);
  }
}

TEST_CASE("a create (POST) answered 429 is repeated once and succeeds", "[faults]") {
  StubServer stub;
  stub.script(
      {StubReply::k8s_status(429, "TooManyRequests", "try again").with_header("Retry-After", "0"),
       StubReply::json(201, configmap_json("a", "uid-created"))});
  Cluster c(stub_config(stub));
  auto t0 = Clock::now();
  Object o = c.create(kConfigMaps, "ns", configmap("a"));
  CHECK(ms_since(t0) < 500);  // Retry-After: 0 means now
  CHECK(o.uid() == "uid-created");
  auto log = stub.requests();
  REQUIRE(log.size() == 2);
  CHECK(log[0].method == "POST");
  CHECK(log[1].method == "POST");
  CHECK(log[0].path == "/api/v1/namespaces/ns/configmaps?fieldManager=drsync");
  CHECK(log[1].body == log[0].body);
  CHECK(Object::parse(log[0].body).name() == "a");
  CHECK(c.stats().create == 2);
  CHECK(c.stats().retries == 1);
}

TEST_CASE("a retried create that meets AlreadyExists returns the live object", "[faults]") {
  StubServer stub;
  stub.script({
      StubReply::k8s_status(429, "TooManyRequests", "try again").with_header("Retry-After", "0"),
      StubReply::k8s_status(409, "AlreadyExists", R"(configmaps "a" already exists)",
                            R"({"name":"a","kind":"configmaps"})"),
      StubReply::json(200, configmap_json("a", "uid-live", "42")),
  });
  Cluster c(stub_config(stub));
  Object o = c.create(kConfigMaps, "ns", configmap("a"));
  CHECK(o.uid() == "uid-live");
  CHECK(o.resource_version() == "42");
  auto log = stub.requests();
  REQUIRE(log.size() == 3);
  CHECK(log[0].method == "POST");
  CHECK(log[1].method == "POST");
  CHECK(log[2].method == "GET");
  CHECK(log[2].path == "/api/v1/namespaces/ns/configmaps/a");
}

TEST_CASE("a first-attempt AlreadyExists is an error, not a GET", "[faults]") {
  StubServer stub;
  stub.script({StubReply::k8s_status(409, "AlreadyExists", R"(configmaps "a" already exists)")});
  Cluster c(stub_config(stub));
  Error e = expect_error([&] { c.create(kConfigMaps, "ns", configmap("a")); });
  CHECK(e.code() == Errc::already_exists);
  CHECK(stub.requests().size() == 1);
}

TEST_CASE("a slow server hits the request timeout", "[faults]") {
  StubServer stub;
  stub.set_fallback(StubReply::json(200, configmap_json("a")).after(milliseconds(300)));
  RestConfig cfg = stub_config(stub, /*max_retries=*/0);
  cfg.request_timeout = milliseconds(100);
  Cluster c(cfg);
  auto t0 = Clock::now();
  Error e = expect_error([&] { c.get(kConfigMaps, "ns", "a"); });
  long took = ms_since(t0);
  CHECK(e.code() == Errc::timeout);
  CHECK(took >= 90);
  CHECK(took < 290);  // gave up before the server answered
  CHECK(std::string(e.what()).find(stub.url()) != std::string::npos);

  // A per-request timeout overrides the cluster's.
  Request slow_ok = get_request();
  slow_ok.timeout = milliseconds(2000);
  CHECK(c.send(slow_ok).status == 200);
}

TEST_CASE("concurrent requests are in flight at once", "[faults]") {
  StubServer stub;
  stub.set_fallback(StubReply::json(200, configmap_json("a")).after(milliseconds(200)));
  Cluster c(stub_config(stub));
  auto t0 = Clock::now();
  std::vector<std::future<Response>> futures;
  for (int i = 0; i < 50; ++i) {
    futures.push_back(
        c.send_async(get_request("/api/v1/namespaces/ns/configmaps/cm-" + std::to_string(i))));
  }
  int ok = 0;
  for (auto& f : futures) ok += f.get().status == 200 ? 1 : 0;
  long took = ms_since(t0);
  CHECK(ok == 50);
  CHECK(stub.count("GET") == 50);
  CHECK(took < 2500);  // sequentially: 50 x 200 ms = 10 s
  CHECK(stub.max_in_flight() >= 25);
}

TEST_CASE("the concurrency cap holds requests back but never blocks them", "[faults]") {
  StubServer stub;
  stub.set_fallback(StubReply::json(200, configmap_json("a")).after(milliseconds(50)));
  RestConfig cfg = stub_config(stub);
  SECTION("one at a time") {
    cfg.max_concurrent_requests = 1;
  }
  SECTION("a cap of 0 is treated as 1") {
    cfg.max_concurrent_requests = 0;
  }
  Cluster c(cfg);
  auto t0 = Clock::now();
  std::vector<std::future<Response>> futures;
  for (int i = 0; i < 6; ++i) futures.push_back(c.send_async(get_request()));
  for (auto& f : futures) {
    REQUIRE(f.wait_for(std::chrono::seconds(5)) == std::future_status::ready);
    CHECK(f.get().status == 200);
  }
  long took = ms_since(t0);
  CHECK(stub.max_in_flight() == 1);
  CHECK(took >= 290);  // 6 x 50 ms, one after the other
  // Each request starts as soon as the previous one frees the slot, not at a poll tick.
  CHECK(took < 900);
}

TEST_CASE("client-side rate limiting spaces requests out", "[faults]") {
  StubServer stub;
  stub.set_fallback(StubReply::json(200, configmap_json("a")));
  RestConfig cfg = stub_config(stub);

  SECTION("qps 20, burst 1: 10 requests take at least 9 intervals of 50 ms") {
    cfg.qps = 20;
    cfg.burst = 1;
    Cluster c(cfg);
    auto t0 = Clock::now();
    double cpu0 = process_cpu_ms();
    std::vector<std::future<Response>> futures;
    for (int i = 0; i < 10; ++i) futures.push_back(c.send_async(get_request()));
    for (auto& f : futures) CHECK(f.get().status == 200);
    long took = ms_since(t0);
    CHECK(took >= 400);
    CHECK(took < 2000);
    CHECK(process_cpu_ms() - cpu0 < 200);  // the event loop sleeps while it waits, no spinning
  }
  SECTION("without a limit the same requests are quick") {
    cfg.qps = 0;
    Cluster c(cfg);
    auto t0 = Clock::now();
    std::vector<std::future<Response>> futures;
    for (int i = 0; i < 10; ++i) futures.push_back(c.send_async(get_request()));
    for (auto& f : futures) CHECK(f.get().status == 200);
    CHECK(ms_since(t0) < 400);
  }
  CHECK(stub.count("GET") == 10);
}

TEST_CASE("Status bodies become typed errors", "[faults]") {
  StubServer stub;
  Cluster c(stub_config(stub, /*max_retries=*/0));

  SECTION("404 NotFound; try_get gives nullopt") {
    stub.set_fallback(StubReply::k8s_status(404, "NotFound", R"(configmaps "a" not found)",
                                            R"({"name":"a","kind":"configmaps"})"));
    Error e = expect_error([&] { c.get(kConfigMaps, "ns", "a"); });
    CHECK(e.code() == Errc::not_found);
    CHECK(e.http_status() == 404);
    CHECK(e.reason() == "NotFound");
    CHECK(std::string(e.what()).find("ns/a") != std::string::npos);
    CHECK_FALSE(c.try_get(kConfigMaps, "ns", "a").has_value());
  }
  SECTION("409 AlreadyExists vs 409 Conflict") {
    stub.script({StubReply::k8s_status(409, "AlreadyExists", R"(configmaps "a" already exists)"),
                 StubReply::k8s_status(409, "Conflict",
                                       "Operation cannot be fulfilled on configmaps \"a\": the "
                                       "object has been modified")});
    Error exists = expect_error([&] { c.create(kConfigMaps, "ns", configmap("a")); });
    CHECK(exists.code() == Errc::already_exists);
    CHECK(exists.reason() == "AlreadyExists");
    Object stale = Object::parse(configmap_json("a", "uid-1", "3"));
    Error conflict = expect_error([&] { c.update(kConfigMaps, "ns", stale); });
    CHECK(conflict.code() == Errc::conflict);
    CHECK(conflict.http_status() == 409);
    CHECK(conflict.reason() == "Conflict");
    auto log = stub.requests();
    REQUIRE(log.size() == 2);
    CHECK(log[1].method == "PUT");
    CHECK(log[1].path == "/api/v1/namespaces/ns/configmaps/a?fieldManager=drsync");
    CHECK(Object::parse(log[1].body).resource_version() == "3");
  }
  SECTION("422 Invalid with field causes") {
    stub.set_fallback(StubReply::k8s_status(
        422, "Invalid", R"(ConfigMap "Bad_Name" is invalid: metadata.name: Invalid value)",
        R"({"name":"Bad_Name","kind":"ConfigMap","causes":[)"
        R"({"reason":"FieldValueInvalid","message":"Invalid value: \"Bad_Name\"","field":"metadata.name"},)"
        R"({"reason":"FieldValueRequired","message":"Required value","field":"data"}]})"));
    Error e = expect_error([&] { c.create(kConfigMaps, "ns", configmap("Bad_Name")); });
    CHECK(e.code() == Errc::invalid);
    CHECK(e.http_status() == 422);
    REQUIRE(e.causes().size() == 2);
    CHECK(e.causes()[0].field == "metadata.name");
    CHECK(e.causes()[0].reason == "FieldValueInvalid");
    CHECK(e.causes()[0].message == "Invalid value: \"Bad_Name\"");
    CHECK(e.causes()[1].field == "data");
  }
  SECTION("other statuses") {
    struct Case {
      int status;
      const char* reason;
      Errc code;
    };
    for (const Case& k :
         {Case{400, "BadRequest", Errc::bad_request}, Case{401, "Unauthorized", Errc::unauthorized},
          Case{403, "Forbidden", Errc::forbidden},
          Case{405, "MethodNotAllowed", Errc::method_not_allowed}, Case{410, "Expired", Errc::gone},
          Case{504, "Timeout", Errc::timeout}}) {
      stub.script({StubReply::k8s_status(k.status, k.reason, "status message")});
      Error e = expect_error([&] { c.get(kDeployments, "ns", "web"); });
      INFO(k.status);
      CHECK(e.code() == k.code);
      CHECK(e.http_status() == k.status);
      CHECK(e.reason() == k.reason);
    }
  }
  SECTION("a body that is not a Status (a proxy's error page)") {
    stub.set_fallback(StubReply::json(502, "<html>upstream connect error</html>")
                          .with_header("Content-Type", "text/html"));
    Error e = expect_error([&] { c.get(kConfigMaps, "ns", "a"); });
    CHECK(e.code() == Errc::server_error);
    CHECK(e.http_status() == 502);
    CHECK(e.reason().empty());
    CHECK(std::string(e.what()).find("upstream connect error") != std::string::npos);
  }
}

TEST_CASE("no bearer token appears in any error message", "[faults]") {
  const std::string token = "super-secret-token";
  StubServer stub;
  RestConfig cfg = stub_config(stub, /*max_retries=*/1);
  cfg.bearer_token = token;
  cfg.request_timeout = milliseconds(300);
  Cluster c(cfg);
  stub.script({
      StubReply::k8s_status(401, "Unauthorized", "Unauthorized"),
      StubReply::k8s_status(403, "Forbidden", R"(User "system:anonymous" cannot get configmaps)"),
      StubReply::k8s_status(404, "NotFound", R"(configmaps "a" not found)"),
      StubReply::k8s_status(500, "InternalError", "boom"),  // the create: not repeated
      StubReply::k8s_status(503, "ServiceUnavailable", "busy"),
      // Closing here makes the resets below hit fresh connections (libcurl silently repeats a
      // request once when a reused connection dies before answering).
      StubReply::k8s_status(503, "ServiceUnavailable", "busy").closing(),
      StubReply::connection_reset(),
      StubReply::connection_reset(),
      StubReply::json(200, "{}").after(milliseconds(1000)),
      StubReply::json(200, "{}").after(milliseconds(1000)),
  });
  std::vector<Error> errors;
  for (int i = 0; i < 3; ++i)
    errors.push_back(expect_error([&] { c.get(kConfigMaps, "ns", "a"); }));
  errors.push_back(expect_error([&] { c.create(kConfigMaps, "ns", configmap("a")); }));
  for (int i = 0; i < 3; ++i)
    errors.push_back(expect_error([&] { c.get(kConfigMaps, "ns", "a"); }));
  REQUIRE(errors.size() == 7);
  CHECK(errors[0].code() == Errc::unauthorized);
  CHECK(errors[1].code() == Errc::forbidden);
  CHECK(errors[2].code() == Errc::not_found);
  CHECK(errors[3].code() == Errc::server_error);
  CHECK(errors[4].code() == Errc::server_error);
  CHECK(errors[5].code() == Errc::network);
  CHECK(errors[6].code() == Errc::timeout);
  for (const auto& e : errors) {
    INFO(e.what());
    CHECK(std::string(e.what()).find(token) == std::string::npos);
    CHECK(std::string(e.what()).find("Bearer") == std::string::npos);
  }
  // The token was really sent, on every request.
  auto log = stub.requests();
  REQUIRE_FALSE(log.empty());
  for (const auto& r : log) CHECK(r.header("authorization") == "Bearer " + token);
}

TEST_CASE("a 401 re-reads a rotated token file once and retries with the new token", "[faults]") {
  StubServer stub;
  stub.script({StubReply::k8s_status(401, "Unauthorized", "Unauthorized")
                   .after(std::chrono::milliseconds(400)),
               StubReply::json(200, configmap_json("a"))});
  char dir_template[] = "/tmp/drsync-token-XXXXXX";
  std::string dir = mkdtemp(dir_template);
  std::string token_file = dir + "/token";
  { std::ofstream(token_file) << "old-token"; }
  RestConfig config = stub_config(stub);
  config.bearer_token_file = token_file;
  Cluster c(config);
  auto pending = c.send_async(get_request());
  // Rotate the token the way kubelet does (write + rename) while the old one is in use.
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  std::ofstream(token_file + ".new") << "new-token-rotated";
  std::rename((token_file + ".new").c_str(), token_file.c_str());
  Response r = pending.get();
  CHECK(r.status == 200);
  auto requests = stub.requests();
  REQUIRE(requests.size() == 2);
  CHECK(requests[0].header("authorization") == "Bearer old-token");
  CHECK(requests[1].header("authorization") == "Bearer new-token-rotated");
  std::filesystem::remove_all(dir);
}

TEST_CASE("cancel_all aborts in-flight and queued requests at once", "[faults]") {
  StubServer stub;
  stub.set_fallback(StubReply::json(200, configmap_json("slow")).after(std::chrono::seconds(3)));
  RestConfig config = stub_config(stub);
  config.max_concurrent_requests = 2;  // so some requests are still queued
  Cluster c(config);
  std::vector<std::future<Response>> pending;
  for (int i = 0; i < 5; ++i) pending.push_back(c.send_async(get_request()));
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  auto t0 = Clock::now();
  c.cancel_all();
  for (auto& f : pending) {
    Error e = expect_error([&] { f.get(); });
    CHECK(e.code() == Errc::cancelled);
  }
  CHECK(ms_since(t0) < 1000);
  // The cluster still works afterwards.
  stub.script({StubReply::json(200, configmap_json("after"))});
  CHECK(c.send(get_request()).status == 200);
}

TEST_CASE("a watch answered 410 Gone re-lists and continues from the list's version", "[faults]") {
  // A real API server will not say 410 on demand (its watch cache replays old versions), so
  // the stub plays it: ERROR 410 on the first watch, then the LIST, then a live event.
  StubServer stub;
  stub.script({
      StubReply::json(
          200, R"({"type":"ERROR","object":{"kind":"Status","apiVersion":"v1","status":)"
               R"("Failure","reason":"Expired","code":410,"message":"too old resource version"}})"
               "\n"),
      StubReply::json(
          200, R"({"kind":"ConfigMapList","apiVersion":"v1","metadata":{"resourceVersion":"100"},)"
               R"("items":[)" +
                   configmap_json("a", "u1", "90") + "," + configmap_json("b", "u2", "95") + "]}"),
      StubReply::json(200,
                      R"({"type":"ADDED","object":)" + configmap_json("c", "u3", "101") + "}\n"),
  });
  Cluster c(stub_config(stub));
  std::vector<std::pair<std::string, std::string>> events;
  WatchOptions opts;
  opts.resource_version = "5";
  c.watch(kConfigMaps, "ns", opts, [&](WatchEvent& ev) {
    events.emplace_back(ev.type, std::string(ev.object.name()));
    return ev.object.name() != "c";  // stop after the live event
  });
  using Ev = std::pair<std::string, std::string>;
  CHECK(events == std::vector<Ev>{{"RELISTED", "a"}, {"RELISTED", "b"}, {"ADDED", "c"}});
  auto requests = stub.requests();
  REQUIRE(requests.size() == 3);
  CHECK(requests[0].path.find("watch=1") != std::string::npos);
  CHECK(requests[0].path.find("resourceVersion=5") != std::string::npos);
  CHECK(requests[1].path.find("watch=1") == std::string::npos);  // the re-list
  CHECK(requests[2].path.find("resourceVersion=100") != std::string::npos);
  CHECK(c.stats().list == 1);
  CHECK(c.stats().watch == 2);
}
