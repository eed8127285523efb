// The drsync command line reads every dr-syncer-cli spelling the way Go's flag package does, and
// the activate / deactivate subcommands the way kubectl users write them.
#include <cstdlib>
#include <initializer_list>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "../../cli/cli_options.hpp"
#include "../../cli/flags.hpp"
#include "cli_parse.hpp"

using namespace drsync_cli;

namespace {

// The options a dr-syncer-cli command line sets, as one comparable string.
std::string summary(const CliOptions& o) {
  std::string s = o.source_kubeconfig + "|" + o.dest_kubeconfig + "|" + o.source_namespace + "|" +
                  o.dest_namespace + "|" + (o.mode ? drsync::mode_name(*o.mode) : "-") + "|" +
                  (o.include_custom_resources.value_or(false) ? "crs" : "no-crs");
  if (o.resource_types) {
    for (const auto& t : *o.resource_types) s += "|" + t;
  }
  return s;
}

struct ScopedEnv {
  ScopedEnv(const char* name, const char* value) : name_(name) { setenv(name, value, 1); }
  ~ScopedEnv() { unsetenv(name_); }
  const char* name_;
};

}  // namespace

TEST_CASE("every Go flag spelling of dr-syncer-cli parses the same", "[unit][cli]") {
  const std::string expected = "/k/src|/k/dst|shop|shop-dr|Stage|crs|deployments|services";
  CHECK(summary(parse({"--source-kubeconfig=/k/src", "--dest-kubeconfig=/k/dst",
                       "--source-namespace=shop", "--dest-namespace=shop-dr", "--mode=Stage",
                       "--include-custom-resources", "--resource-types=deployments,services"})) ==
        expected);
  CHECK(summary(parse({"-source-kubeconfig", "/k/src", "-dest-kubeconfig", "/k/dst",
                       "-source-namespace", "shop", "-dest-namespace", "shop-dr", "-mode", "Stage",
                       "-include-custom-resources=true", "-resource-types",
                       "deployments, services"})) == expected);
  CHECK(summary(parse({"--source-kubeconfig", "/k/src", "-dest-kubeconfig=/k/dst",
                       "--source-namespace", "shop", "--dest-namespace=shop-dr", "--mode", "Stage",
                       "--include-custom-resources=1", "--resource-types",
                       "deployments,services"})) == expected);
}

TEST_CASE("booleans are --flag or --flag=value, never --flag value", "[unit][cli]") {
  for (const char* yes : {"--include-custom-resources", "-include-custom-resources=t",
                          "--include-custom-resources=TRUE", "--include-custom-resources=True"}) {
    CAPTURE(yes);
    CHECK(parse({yes}).include_custom_resources == true);
  }
  for (const char* no : {"--include-custom-resources=false", "-include-custom-resources=0",
                         "--include-custom-resources=F"}) {
    CAPTURE(no);
    CHECK(parse({no}).include_custom_resources == false);
  }
  // Go's flag package stops at "false" and ignores the rest; drsync refuses the command line.
  CHECK_THROWS_AS(parse({"--include-custom-resources", "false", "--mode=Stage"}), UsageError);
  CHECK_THROWS_AS(parse({"--include-custom-resources=maybe"}), UsageError);
  CHECK(parse({"--migrate-pvc-data=false"}).data.migrate == false);
  CHECK(parse({"--migrate-pvc-data"}).data.migrate == true);
  CHECK(parse({"--use-standby-pvcs"}).unsupported ==
        std::vector<std::string>{"--use-standby-pvcs"});
}

TEST_CASE("PVC data flags: DR-Syncer's mapped, the mover's own checked", "[unit][cli]") {
  auto d =
      parse({"--migrate-pvc-data", "--reverse-migrate-pvc-data=true",
             "--pv-migrate-flags=--dest-delete-extraneous-files --no-chown",
             "--mover-image=registry.example.com/mover:1", "--mover-node-selector=pool=dr",
             "--mover-toleration=dedicated=dr:NoSchedule", "--mover-toleration=spot:NoExecute",
             "--mover-service-type=LoadBalancer", "--mover-parallelism=4", "--data-verify=sample",
             "--mover-address=dr-gw.example.com:2222", "--mover-bandwidth-limit=20480",
             "--mover-exclude=/cache", "--mover-exclude=*.tmp", "--mover-timeout=90m"})
          .data;
  CHECK(d.migrate == true);
  CHECK(d.reverse == true);
  CHECK(d.rsync_args == std::vector<std::string>{"--no-owner", "--no-group"});
  CHECK(d.image == "registry.example.com/mover:1");
  CHECK(d.node_selector.at("pool") == "dr");
  REQUIRE(d.tolerations.size() == 2);
  CHECK(d.tolerations[0].value == "dr");
  CHECK(d.tolerations[1].op == "Exists");
  CHECK(d.tolerations[1].effect == "NoExecute");
  CHECK(d.service_type == "LoadBalancer");
  CHECK(d.parallelism == 4);
  CHECK(d.verify == drsync::DataMoverOptions::Verify::Sample);
  drsync::MigrationOptions o;
  apply_data_flags(d, o);
  CHECK(o.migrate_data);
  CHECK(o.data_mover.parallelism == 4);
  CHECK(o.data_mover.address == "dr-gw.example.com:2222");
  CHECK(o.data_mover.bandwidth_limit_kib == 20480);
  CHECK(o.data_mover.exclude == std::vector<std::string>{"/cache", "*.tmp"});
  CHECK(o.data_mover.timeout == std::chrono::seconds(5400));
  CHECK_THROWS_WITH(parse({"--mover-bandwidth-limit=-1"}), Catch::Contains("must be 0 to"));
  CHECK_THROWS_WITH(parse({"--mover-timeout=0s"}), Catch::Contains("more than 0"));
  CHECK_THROWS_WITH(parse({"--mover-timeout=soon"}), Catch::Contains("--mover-timeout"));
  CHECK_THROWS_WITH(parse({"--mover-exclude="}), Catch::Contains("the pattern is empty"));
  CHECK_THROWS_WITH(parse({"--mover-address=http://x/"}), Catch::Contains("HOST or HOST:PORT"));
  CHECK_THROWS_WITH(parse({"--pv-migrate-flags=--strategies mnt2"}),
                    Catch::Contains("--strategies has no meaning for drsync's mover"));
  CHECK_THROWS_WITH(parse({"--mover-service-type=Ingress"}),
                    Catch::Contains("must be NodePort, LoadBalancer or ClusterIP"));
  CHECK_THROWS_WITH(parse({"--mover-parallelism=0"}), Catch::Contains("must be 1 to 64"));
  CHECK_THROWS_WITH(parse({"--data-verify=some"}), Catch::Contains("none, sample or full"));
  CHECK_THROWS_WITH(parse({"--mover-toleration=k=v:Never"}), Catch::Contains("the effect must"));
}

TEST_CASE("the mode takes DR-Syncer names in any case", "[unit][cli]") {
  CHECK(parse({"--mode=Stage"}).mode == drsync::Mode::Stage);
  CHECK(parse({"--mode=cutover"}).mode == drsync::Mode::Cutover);
  CHECK(parse({"-mode", "FAILBACK"}).mode == drsync::Mode::Failback);
  // activate and deactivate are subcommands of one cluster, not modes of a pair.
  CHECK_THROWS_AS(parse({"--mode=Activate"}), UsageError);
  CHECK_THROWS_AS(parse({"--mode=Restore"}), UsageError);
}

TEST_CASE("help in every spelling Go accepts, and DEBUG=true means debug logs", "[unit][cli]") {
  for (const char* help : {"-h", "--h", "-help", "--help", "--help=true"}) {
    CAPTURE(help);
    CHECK(parse({help}).command == Command::Help);
  }
  CHECK(parse({"activate", "-h"}).command == Command::Help);
  CHECK(parse({}).log_level == LogLevel::Info);
  ScopedEnv debug("DEBUG", "true");
  CHECK(parse({}).log_level == LogLevel::Debug);
  CHECK(parse({"--log-level=warn"}).log_level == LogLevel::Warn);  // the flag wins
}

TEST_CASE("activate and deactivate take kubectl's cluster and namespace flags", "[unit][cli]") {
  CliOptions a = parse({"activate", "--kubeconfig=~/.kube/dr", "--context", "dr", "-n", "shop",
                        "--namespace=db,cache", "-l", "tier=web", "--scale-override", "web=3",
                        "--scale-override=deployments/api=0,db=2", "--leave-unrecorded-stopped"});
  CHECK(a.single_cluster);
  CHECK(a.mode == drsync::Mode::Activate);
  CHECK(a.kubeconfig == "~/.kube/dr");
  CHECK(a.context == "dr");
  CHECK(a.namespaces == std::vector<std::string>{"shop", "db", "cache"});
  CHECK(a.selector == "tier=web");
  CHECK(a.scale_overrides ==
        std::map<std::string, std::string>{{"web", "3"}, {"deployments/api", "0"}, {"db", "2"}});
  CHECK(a.leave_unrecorded_stopped == true);
  CHECK(parse({"activate", "-A"}).all_namespaces);
  CHECK(parse({"activate", "--all-namespaces=true"}).all_namespaces);
  CHECK(parse({"deactivate", "-n", "shop"}).mode == drsync::Mode::Deactivate);
  CHECK_THROWS_AS(parse({"activate", "-n", "shop", "--scale-override", "web=three"}), UsageError);
  CHECK_THROWS_AS(parse({"activate", "--source-kubeconfig=x"}), UsageError);  // one cluster
  CHECK_THROWS_AS(parse({"activate", "shop"}), UsageError);                   // positional
}

TEST_CASE("durations too long to represent are usage errors (fuzz finding)", "[unit][cli]") {
  CHECK(parse({"--wait-timeout=90"}).wait_timeout == std::chrono::seconds(90));
  CHECK(parse({"--wait-timeout=1h30m"}).wait_timeout == std::chrono::seconds(5400));
  // Was a signed overflow converting seconds to milliseconds.
  CHECK_THROWS_AS(parse({"--wait-timeout=17777777777777777777"}), UsageError);
  CHECK_THROWS_AS(parse({"--wait-timeout=9999999999999h"}), UsageError);
}
