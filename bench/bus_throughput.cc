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

#include "bus/asio_bus.h"
#include "log/logging.h"

namespace {

using strato::Json;
using strato::Message;
using strato::Reply;
using strato::kernel::AsioBus;

struct Scenario {
  std::string name;
  int chains;        // requests in flight at once
  int resources;     // 0 = no resource uuid
  long requests;
};

// Runs `requests` request/replies as `chains` closed loops; returns requests per second.
double run(AsioBus& bus, const Scenario& s) {
  std::vector<std::string> uuids;
  for (int i = 0; i < std::max(1, s.resources); ++i) uuids.push_back(fmt::format("{:032x}", i + 1));
  std::atomic<long> issued{0};
  std::atomic<long> done{0};
  std::atomic<long> failed{0};
  std::promise<void> finished;

  std::function<void(int)> next = [&](int chain) {
    if (issued.fetch_add(1, std::memory_order_relaxed) >= s.requests) return;
    Message m{"bench.Echo", s.resources ? uuids[chain % s.resources] : std::string(), Json(chain)};
    bus.request(std::move(m), [&, chain](Reply r) {
      if (!r.ok()) failed.fetch_add(1, std::memory_order_relaxed);
      if (done.fetch_add(1, std::memory_order_acq_rel) + 1 == s.requests) finished.set_value();
      next(chain);
    }, std::chrono::seconds(30));
  };

  auto start = std::chrono::steady_clock::now();
  for (int c = 0; c < s.chains; ++c) next(c);
  finished.get_future().wait();
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (failed.load() != 0) {
    throw std::runtime_error(fmt::format("{}: {} requests failed", s.name, failed.load()));
  }
  return static_cast<double>(s.requests) / seconds;
}

}  // namespace

int main(int argc, char** argv) {
  long requests = 1'000'000;
  int repeat = 3;
  std::string jsonFile;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--requests" && i + 1 < argc) {
      requests = std::stol(argv[++i]);
    } else if (arg == "--repeat" && i + 1 < argc) {
      repeat = std::stoi(argv[++i]);
    } else if (arg == "--json" && i + 1 < argc) {
      jsonFile = argv[++i];
    } else {
      std::cerr << "usage: strato-bench-bus [--requests N] [--repeat K] [--json FILE]\n";
      return 2;
    }
  }
  (void)strato::kernel::configureLogging("warn", "");

  AsioBus bus({0, 2, std::chrono::milliseconds(30000)});
  if (!bus.registerHandler("bench.Echo", [](Message m, strato::Replier reply) {
        reply(std::move(m.body));
      }).ok()) {
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
    results.push_back({{"scenario", s.name}, {"requests", s.requests}, {"chains", s.chains},
                       {"resources", s.resources}, {"minPerSecond", rates.front()},
                       {"medianPerSecond", median}, {"maxPerSecond", rates.back()}});
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
