// Message-bus request/reply throughput: closed-loop chains of requests, each issuing the next
// from its reply callback, so the figure is what the bus sustains, not what a client can queue.
//
//   strato-bench-bus [--requests N] [--repeat K] [--json FILE]
//
// Scenarios: all requests on one resource (fully serialized), one chain per resource across
// 1,000 resources, and 1,000 chains with no resource. Prints a table; --json writes the figures.
#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstring>
#include <fstream>
#include <future>
#include <iostream>
#include <thread>
#include <vector>

#include "bench_args.h"
#include "bus/asio_bus.h"
#include "log/logging.h"

namespace {

using strato::Json;
using strato::Message;
using strato::Reply;
using strato::kernel::AsioBus;

struct Scenario {
  std::string name;
  int chains;     // requests in flight at once
  int resources;  // 0 = no resource uuid
  long requests;
};

// Closed-loop chains sharing one counter. Callbacks own the state (shared_ptr), and a run ends
// only when every chain has stopped, so no callback can outlive what it touches.
struct Run : std::enable_shared_from_this<Run> {
  Run(AsioBus& bus, const Scenario& s) : bus(bus), scenario(s), activeChains(s.chains) {
    for (int i = 0; i < std::max(1, s.resources); ++i)
      uuids.push_back(fmt::format("{:032x}", i + 1));
  }

  void next(int chain) {
    if (issued.fetch_add(1, std::memory_order_relaxed) >= scenario.requests) {
      if (activeChains.fetch_sub(1, std::memory_order_acq_rel) == 1) finished.set_value();
      return;
    }
    Message m{"bench.Echo", scenario.resources ? uuids[chain % scenario.resources] : std::string(),
              Json(chain)};
    bus.request(
        std::move(m),
        [self = shared_from_this(), chain](Reply r) {
          if (!r.ok()) self->failed.fetch_add(1, std::memory_order_relaxed);
          self->next(chain);
        },
        std::chrono::seconds(30));
  }

  AsioBus& bus;
  const Scenario scenario;
  std::vector<std::string> uuids;
  std::atomic<long> issued{0};
  std::atomic<long> failed{0};
  std::atomic<int> activeChains;
  std::promise<void> finished;
};

// Runs the scenario's request/replies; returns requests per second.
double run(AsioBus& bus, const Scenario& s) {
  auto state = std::make_shared<Run>(bus, s);
  auto finished = state->finished.get_future();
  auto start = std::chrono::steady_clock::now();
  for (int c = 0; c < s.chains; ++c) state->next(c);
  finished.wait();
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (state->failed.load() != 0) {
    throw std::runtime_error(fmt::format("{}: {} requests failed", s.name, state->failed.load()));
  }
  return static_cast<double>(s.requests) / seconds;
}

}  // namespace

int main(int argc, char** argv) {
  auto args = strato::bench::parseBenchArgs(argc, argv, "strato-bench-bus", 1'000'000);
  if (!args) return 2;
  long requests = args->requests;
  int repeat = args->repeat;
  const std::string& jsonFile = args->jsonFile;
  (void)strato::kernel::configureLogging("warn", "");

  AsioBus bus({0, 2, std::chrono::milliseconds(30000)});
  if (!bus.registerHandler("bench.Echo",
                           [](Message m, strato::Replier reply) { reply(std::move(m.body)); })
           .ok()) {
    return 1;
  }

  std::vector<Scenario> scenarios{
      {"one resource (serialized)", 64, 1, requests / 4},
      {"1,000 resources", 1000, 1000, requests},
      {"no resource", 1000, 0, requests},
  };
  Json results = Json::array();
  std::cout << fmt::format("{:<28} {:>12} {:>14} {:>14} {:>14}\n", "scenario", "requests",
                           "min req/s", "median req/s", "max req/s");
  for (const auto& s : scenarios) {
    std::vector<double> rates;
    for (int r = 0; r < repeat; ++r) rates.push_back(run(bus, s));
    std::sort(rates.begin(), rates.end());
    double median = rates[rates.size() / 2];
    std::cout << fmt::format("{:<28} {:>12} {:>14.0f} {:>14.0f} {:>14.0f}\n", s.name, s.requests,
                             rates.front(), median, rates.back());
    results.push_back({{"scenario", s.name},
                       {"requests", s.requests},
                       {"chains", s.chains},
                       {"resources", s.resources},
                       {"minPerSecond", rates.front()},
                       {"medianPerSecond", median},
                       {"maxPerSecond", rates.back()}});
  }
  if (!jsonFile.empty()) {
    std::ofstream(jsonFile) << Json{{"benchmark", "bus-request-reply"},
                                    {"cores", std::thread::hardware_concurrency()},
                                    {"workerThreads", std::thread::hardware_concurrency()},
                                    {"results", results}}
                                   .dump(2)
                            << "\n";
  }
  bus.shutdown();
  return 0;
}
