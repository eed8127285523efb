// Request deadlines and creates that are never repeated blindly, against the in-process stub
// server (faults a real API server does not produce on demand: a server that accepts and never
// answers, a connection cut after the request arrived). docs/reliability.md.
#include <catch2/catch.hpp>
#include <chrono>
#include <string>
#include <thread>

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

std::string configmap_json(const std::string& name, const std::string& rv = "7") {
  return R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":")" + name +
         R"(","namespace":"ns","uid":"uid-1","resourceVersion":")" + rv +
         R"(","labels":{"app":"web"}},"data":{"k":"v"}})";
}

Object configmap(const std::string& name) {
  Object o = Object::parse(R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{}})");
  o.set_name(name);
  o.set_namespace("ns");
  o.set_label("app", "web");
  return o;
}

long ms_since(Clock::time_point t0) {
  return static_cast<long>(std::chrono::duration_cast<milliseconds>(Clock::now() - t0).count());
}

RestConfig config_for(const StubServer& stub) {
  RestConfig c;
  c.server = stub.url();
  c.connect_timeout = milliseconds(2000);
  return c;
}

Request get_x() {
  Request r;
  r.path = "/api/v1/namespaces/ns/configmaps/x";
  return r;
}

Request post(const std::string& body) {
  Request r;
  r.method = Method::Post;
  r.path = "/api/v1/namespaces/ns/configmaps";
  r.body = body;
  r.what = "create configmaps ns/a";
  return r;
}

}  // namespace

TEST_CASE("the default deadlines bound every call", "[deadlines]") {
  RestConfig c;
  CHECK(c.connect_timeout == milliseconds(10'000));
  CHECK(c.request_timeout == milliseconds(30'000));
  CHECK(c.call_timeout == milliseconds(60'000));
}

TEST_CASE("a hung server fails a GET at the call's deadline, naming it", "[deadlines]") {
  StubServer stub;  // accepts, reads the request, never answers (within the test)
  stub.set_fallback(StubReply::json(200, configmap_json("a")).after(milliseconds(20'000)));
  RestConfig cfg = config_for(stub);
  cfg.max_retries = 5;  // without the deadline: 6 x 400 ms plus backoff
  cfg.request_timeout = milliseconds(400);
  cfg.call_timeout = milliseconds(1000);
  Cluster c(cfg);
  auto t0 = Clock::now();
  Error e = expect_error([&] { c.get(kConfigMaps, "ns", "a"); });
  long took = ms_since(t0);
  CHECK(e.code() == Errc::timeout);
  CHECK(took >= 800);  // gives up when the next backoff would pass the deadline
  CHECK(took < 1700);
  std::string what = e.what();
  INFO(what);
  CHECK(what.find("get configmaps ns/a") != std::string::npos);
  CHECK(what.find(stub.url()) != std::string::npos);
  CHECK(what.find("deadline (1000 ms; attempt timeout 400 ms)") != std::string::npos);
  CHECK(stub.count("GET") >= 2);  // retried within the deadline
  CHECK(stub.count("GET") <= 3);
  CHECK(stub.connections() == stub.count("GET"));  // each retry on a fresh connection
}

TEST_CASE("a longer per-request timeout extends its call's deadline", "[deadlines]") {
  StubServer stub;
  stub.set_fallback(StubReply::json(200, configmap_json("a")).after(milliseconds(600)));
  RestConfig cfg = config_for(stub);
  cfg.request_timeout = milliseconds(200);
  cfg.call_timeout = milliseconds(300);
  Cluster c(cfg);
  Request slow;
  slow.path = "/api/v1/namespaces/ns/configmaps/a";
  slow.timeout = milliseconds(2000);
  CHECK(c.send(slow).status == 200);
}

TEST_CASE("a create whose reused connection dies after sending is not resent", "[deadlines]") {
  StubServer stub;
  Cluster c(config_for(stub));
  // The first request leaves a kept-alive connection; the POST goes out on it and the server
  // cuts it (RST) after reading the whole request, before answering. libcurl would send it again
  // on a fresh connection by itself ("Connection died, retrying a fresh connect").
  stub.script({StubReply::json(200, configmap_json("x")), StubReply::connection_reset()});
  stub.set_fallback(StubReply::json(201, configmap_json("a")));  // a resend would "succeed"

  SECTION("the raw POST fails, saying its outcome is unknown") {
    REQUIRE(c.send(get_x()).status == 200);
    Error e = expect_error([&] { c.send(post(configmap("a").to_json())); });
    CHECK(e.code() == Errc::network);
    CHECK(outcome_unknown(e));
    std::string what = e.what();
    INFO(what);
    CHECK(what.find("create configmaps ns/a") != std::string::npos);
    CHECK(what.find("not sent again") != std::string::npos);
    std::this_thread::sleep_for(milliseconds(300));
    CHECK(stub.count("POST") == 1);
    // libcurl did connect again to resend it: the refused rewind stopped it before it sent
    // anything on the new connection.
    CHECK(stub.connections() == 2);
  }
  SECTION("an idempotent PUT in the same spot is resent (the fault is real)") {
    REQUIRE(c.send(get_x()).status == 200);
    Request put = post(configmap("a").to_json());
    put.method = Method::Put;
    put.path += "/a";
    CHECK(c.send(put).status == 201);
    CHECK(stub.count("PUT") == 2);
    CHECK(stub.connections() == 2);
  }
}

TEST_CASE("Cluster::create looks before it sends an unanswered create again", "[deadlines]") {
  StubServer stub;
  Cluster c(config_for(stub));
  SECTION("the first create happened: its object is returned, nothing is written again") {
    stub.script({StubReply::json(200, configmap_json("x")), StubReply::connection_reset(),
                 StubReply::json(200, configmap_json("a", "42"))});
    REQUIRE(c.send(get_x()).status == 200);
    Object o = c.create(kConfigMaps, "ns", configmap("a"));
    CHECK(o.resource_version() == "42");
    auto log = stub.requests();
    REQUIRE(log.size() == 3);
    CHECK(log[1].method == "POST");
    CHECK(log[2].method == "GET");
    CHECK(log[2].path == "/api/v1/namespaces/ns/configmaps/a");
  }
  SECTION("it did not happen: created once more, after the lookup") {
    stub.script({StubReply::json(200, configmap_json("x")), StubReply::connection_reset(),
                 StubReply::k8s_status(404, "NotFound", R"(configmaps "a" not found)"),
                 StubReply::json(201, configmap_json("a", "43"))});
    REQUIRE(c.send(get_x()).status == 200);
    Object o = c.create(kConfigMaps, "ns", configmap("a"));
    CHECK(o.resource_version() == "43");
    auto log = stub.requests();
    REQUIRE(log.size() == 4);
    CHECK(log[1].method == "POST");
    CHECK(log[2].method == "GET");
    CHECK(log[3].method == "POST");
  }
  SECTION("someone else's object is there: AlreadyExists, not adopted") {
    stub.script({StubReply::json(200, configmap_json("x")), StubReply::connection_reset(),
                 StubReply::json(200, R"({"apiVersion":"v1","kind":"ConfigMap","metadata":)"
                                      R"({"name":"a","namespace":"ns","resourceVersion":"9"}})")});
    REQUIRE(c.send(get_x()).status == 200);
    Error e = expect_error([&] { c.create(kConfigMaps, "ns", configmap("a")); });
    CHECK(e.code() == Errc::already_exists);
    CHECK(stub.count("POST") == 1);
  }
}

TEST_CASE("a create that times out is not repeated", "[deadlines]") {
  StubServer stub;
  stub.script({StubReply::json(201, configmap_json("a")).after(milliseconds(800))});
  stub.set_fallback(StubReply::json(201, configmap_json("a")));
  RestConfig cfg = config_for(stub);
  cfg.request_timeout = milliseconds(200);
  Cluster c(cfg);
  Error e = expect_error([&] { c.send(post(configmap("a").to_json())); });
  CHECK(e.code() == Errc::timeout);
  CHECK(outcome_unknown(e));
  std::this_thread::sleep_for(milliseconds(300));
  CHECK(stub.count("POST") == 1);
}
