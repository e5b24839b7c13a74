// REST API throughput and latency against a real strato-server on loopback (SQLite):
//   1. GET /zstack/v1/zones/{uuid}: the simplest query, by uuid;
//   2. a two-level cross-inventory query (VM -> nics -> l3.name) over 100,000 VMs, 100,000 NICs
//      and 1,000 L3 networks (bench/plugins/query_fixture_plugin.cc seeds them).
//
//   strato-bench-rest [--requests N] [--repeat K] [--json FILE] [--db URL]
#include <fmt/format.h>

#include <algorithm>
#include <fstream>
#include <functional>
#include <iostream>
#include <nlohmann/json.hpp>
#include <thread>

#include "bench_args.h"
#include "bench_server.h"
#include "http_load.h"

namespace {

using strato::bench::Json;
using strato::bench::LoadResult;
using strato::bench::LoadSpec;
using strato::bench::Reply;
using strato::bench::send;

struct Scenario {
  std::string name;
  int connections;
  long requests;
  std::function<std::string(long)> path;
};

}  // namespace

int main(int argc, char** argv) {
  auto args = strato::bench::parseBenchArgs(argc, argv, "strato-bench-rest", 50000);
  if (!args) return 2;
  long requests = args->requests;
  int repeat = args->repeat;
  const std::string& jsonFile = args->jsonFile;
  strato::bench::Server server(args->databaseUrl,
                               std::string(STRATO_PLUGIN_DIR) + "," + STRATO_BENCH_PLUGIN_DIR);
  int port = server.port();
  std::string session = strato::bench::loginAdmin(port);
  if (session.empty()) return 1;
  auto created = send(port, "POST", "/zstack/v1/zones", {{"params", {{"name", "bench"}}}}, session);
  Reply zone = strato::bench::waitForJob(port, created, session);
  std::string zoneUuid = zone.body["inventory"]["uuid"];

  // A fast wrong answer is not a result: the query must find the 100 VMs on that network.
  auto probe =
      send(port, "GET", "/zstack/v1/bench/vm-instances?q=nics.l3.name=l3-7", nullptr, session);
  if (probe.status != 200 || probe.body["inventories"].size() != 100) {
    std::cerr << "cross-inventory query is wrong: " << probe.status << " "
              << probe.body.dump().substr(0, 300) << "\n";
    return 1;
  }

  std::vector<Scenario> scenarios{
      {"GET /zones/{uuid}", 8, requests, [&](long) { return "/zstack/v1/zones/" + zoneUuid; }},
      {"VM by nics.l3.name (100k rows), 1 client", 1, requests / 25,
       [](long i) {
         return fmt::format("/zstack/v1/bench/vm-instances?q=nics.l3.name=l3-{}", i % 1000);
       }},
      {"VM by nics.l3.name (100k rows), 4 clients", 4, requests / 10,
       [](long i) {
         return fmt::format("/zstack/v1/bench/vm-instances?q=nics.l3.name=l3-{}", i % 1000);
       }},
  };
  Json results = Json::array();
  std::cout << fmt::format("{:<44} {:>9} {:>10} {:>9} {:>9}\n", "scenario", "requests", "req/s",
                           "p50 ms", "p99 ms");
  for (const auto& s : scenarios) {
    std::vector<LoadResult> runs;
    for (int r = 0; r < repeat; ++r) {
      runs.push_back(strato::bench::runLoad(LoadSpec{
          port, s.connections, s.requests, {{"Authorization", "OAuth " + session}}, s.path, 200}));
      if (runs.back().failures != 0) {
        std::cerr << s.name << ": " << runs.back().failures << " requests failed\n";
        return 1;
      }
    }
    std::sort(runs.begin(), runs.end(), [](const LoadResult& a, const LoadResult& b) {
      return a.perSecond() < b.perSecond();
    });
    const LoadResult& median = runs[runs.size() / 2];
    std::cout << fmt::format("{:<44} {:>9} {:>10.0f} {:>9.2f} {:>9.2f}\n", s.name, s.requests,
                             median.perSecond(), median.percentileMs(50), median.percentileMs(99));
    results.push_back({{"scenario", s.name},
                       {"connections", s.connections},
                       {"requests", s.requests},
                       {"minPerSecond", runs.front().perSecond()},
                       {"medianPerSecond", median.perSecond()},
                       {"maxPerSecond", runs.back().perSecond()},
                       {"p50Ms", median.percentileMs(50)},
                       {"p99Ms", median.percentileMs(99)}});
  }
  if (!jsonFile.empty()) {
    std::ofstream(jsonFile) << Json{{"benchmark", "rest-api"},
                                    {"database", args->databaseUrl.empty() ? "sqlite" : "mysql"},
                                    {"cores", std::thread::hardware_concurrency()},
                                    {"results", results}}
                                   .dump(2)
                            << "\n";
  }
  return 0;
}
