// Adding simulator hosts through the REST API: a real strato-server (SQLite unless --db), one
// zone, one Simulator cluster, then N AddSimulatorHost calls (default 1,000) from several
// clients, each keeping a window of jobs in flight and polling them. Reports the wall time, the
// rate, and the server's resident memory afterwards (VmRSS).
//
//   strato-bench-hosts [--requests N] [--repeat K] [--json FILE] [--db URL]
#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <deque>
#include <fstream>
#include <iostream>
#include <thread>

#include "bench_args.h"
#include "bench_server.h"

namespace {

using strato::bench::Json;
using strato::bench::Reply;
using strato::bench::send;

constexpr int kClients = 8;
constexpr int kWindow = 8;  // jobs each client keeps in flight

struct Run {
  double seconds = 0;
  long failures = 0;
  long rssKib = 0;
  long hostsListed = 0;
};

std::string jobPath(const Reply& accepted) {
  std::string location = accepted.body.value("location", "");
  auto at = location.find("/zstack/");
  return at == std::string::npos ? std::string() : location.substr(at);
}

// Client `c` adds hosts c, c + kClients, ...: submits up to kWindow, polls them in turn, and
// refills the window as jobs finish.
// Addresses are 10.<run>.x.y, so runs against one MariaDB database never collide.
long addHosts(int port, const std::string& session, const std::string& clusterUuid, int run, int c,
              long count) {
  long failures = 0;
  long next = c;
  std::deque<std::string> inFlight;
  while (next < count || !inFlight.empty()) {
    while (next < count && static_cast<int>(inFlight.size()) < kWindow) {
      Json params{
          {"name", fmt::format("sim-{}", next)},
          {"managementIp", fmt::format("10.{}.{}.{}", run % 256, (next / 256) % 256, next % 256)},
          {"clusterUuid", clusterUuid},
          {"cpuCapacity", 32},
          {"memoryCapacity", 128LL << 30}};
      auto accepted =
          send(port, "POST", "/zstack/v1/hosts/simulators", {{"params", params}}, session);
      next += kClients;
      if (accepted.status != 202) {
        if (++failures < 3)
          std::cerr << "add refused: " << accepted.status << " " << accepted.body << "\n";
        continue;
      }
      inFlight.push_back(jobPath(accepted));
    }
    std::string path = inFlight.front();
    inFlight.pop_front();
    auto polled = send(port, "GET", path, nullptr, session);
    if (polled.status == 202) {
      inFlight.push_back(path);
      if (inFlight.size() == 1) std::this_thread::sleep_for(std::chrono::milliseconds(2));
    } else if (polled.status != 200) {
      if (++failures < 3)
        std::cerr << "add failed: " << polled.status << " " << polled.body << "\n";
    }
  }
  return failures;
}

Run runOnce(const strato::bench::BenchArgs& args, int runIndex) {
  strato::bench::Server server(args.databaseUrl, STRATO_PLUGIN_DIR);
  int port = server.port();
  std::string session = strato::bench::loginAdmin(port);
  if (session.empty()) throw std::runtime_error("login failed");
  auto zone = strato::bench::waitForJob(
      port, send(port, "POST", "/zstack/v1/zones", {{"params", {{"name", "bench"}}}}, session),
      session);
  auto cluster = strato::bench::waitForJob(port,
                                           send(port, "POST", "/zstack/v1/clusters",
                                                {{"params",
                                                  {{"zoneUuid", zone.body["inventory"]["uuid"]},
                                                   {"name", "sim"},
                                                   {"hypervisorType", "Simulator"}}}},
                                                session),
                                           session);
  if (cluster.status != 200)
    throw std::runtime_error("cluster creation failed: " + cluster.body.dump());
  std::string clusterUuid = cluster.body["inventory"]["uuid"];

  std::atomic<long> failures{0};
  auto start = std::chrono::steady_clock::now();
  std::vector<std::thread> clients;
  for (int c = 0; c < kClients; ++c) {
    clients.emplace_back(
        [&, c] { failures += addHosts(port, session, clusterUuid, runIndex, c, args.requests); });
  }
  for (auto& t : clients) t.join();
  Run run;
  run.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  run.failures = failures;
  run.rssKib = server.rssKib();
  // A fast wrong answer is not a result: every host must be there, Connected.
  auto listed = send(port, "GET",
                     "/zstack/v1/hosts?q=status=Connected&count=true&q=clusterUuid=" + clusterUuid,
                     nullptr, session);
  run.hostsListed = listed.body.value("total", -1L);
  return run;
}

}  // namespace

int main(int argc, char** argv) {
  auto args = strato::bench::parseBenchArgs(argc, argv, "strato-bench-hosts", 1000);
  if (!args) return 2;
  std::vector<Run> runs;
  std::cout << fmt::format("{:<8} {:>7} {:>9} {:>9} {:>9}\n", "run", "hosts", "seconds", "hosts/s",
                           "RSS MB");
  for (int r = 0; r < args->repeat; ++r) {
    if (args->requests > 65536) {
      std::cerr << "at most 65,536 hosts per run (one 10.<run>.0.0/16 of addresses)\n";
      return 2;
    }
    Run run = runOnce(*args, r);
    std::cout << fmt::format("{:<8} {:>7} {:>9.2f} {:>9.0f} {:>9.1f}\n", r + 1, run.hostsListed,
                             run.seconds, args->requests / run.seconds, run.rssKib / 1024.0);
    if (run.failures != 0 || run.hostsListed != args->requests) {
      std::cerr << run.failures << " adds failed; " << run.hostsListed << " hosts Connected of "
                << args->requests << "\n";
      return 1;
    }
    runs.push_back(run);
  }
  std::sort(runs.begin(), runs.end(),
            [](const Run& a, const Run& b) { return a.seconds < b.seconds; });
  const Run& median = runs[runs.size() / 2];
  if (!args->jsonFile.empty()) {
    std::ofstream(args->jsonFile)
        << Json{{"benchmark", "add-simulator-hosts"},
                {"database", args->databaseUrl.empty() ? "sqlite" : "mysql"},
                {"cores", std::thread::hardware_concurrency()},
                {"hosts", args->requests},
                {"clients", kClients},
                {"jobsInFlightPerClient", kWindow},
                {"minSeconds", runs.front().seconds},
                {"medianSeconds", median.seconds},
                {"maxSeconds", runs.back().seconds},
                {"medianHostsPerSecond", args->requests / median.seconds},
                {"maxRssMiB", std::max_element(
                                  runs.begin(), runs.end(),
                                  [](const Run& a, const Run& b) {
                                    return a.rssKib < b.rssKib;
                                  })->rssKib /
                                  1024.0},
                // The shape run-bench plots: one row per figure.
                {"results",
                 Json::array({{{"scenario", fmt::format("add {} hosts (s)", args->requests)},
                               {"min", runs.front().seconds},
                               {"median", median.seconds},
                               {"max", runs.back().seconds}},
                              {{"scenario", "server RSS after (MiB)"},
                               {"median", median.rssKib / 1024.0}}})}}
               .dump(2)
        << "\n";
  }
  return 0;
}
