// IPAM throughput on the real allocation path: the zone, L2 and L3 plugins loaded in-process by
// the kernel's PluginLoader (tests/plugins/network/network_node.h) on SQLite (or --db URL), one
// L3 network with a /16 range, then --requests (default 60,000) l3.AllocateIp bus requests and
// as many l3.ReleaseIp, each from closed-loop chains (64 requests in flight, on the default 16
// blocking threads). Every address is checked unique, and the used_ip table full, then empty.
//
//   strato-bench-ipam [--requests N] [--repeat K] [--json FILE] [--db URL]
#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <fstream>
#include <future>
#include <iostream>
#include <mutex>
#include <set>

#include "bench_args.h"
#include "plugins/network/network_node.h"

namespace {

using strato::Json;
using strato::Message;
using strato::Reply;
using strato::kernel::NetworkNode;

// As many as the server's blocking pool has threads (bus.blockingThreads, default 16) and more:
// many VMs starting at once, each NIC asking for an address.
constexpr int kChains = 64;

// Closed-loop chains: each request is issued from the previous one's reply, so the figure is
// what the allocator sustains, not what a client can queue.
struct Chains : std::enable_shared_from_this<Chains> {
  Chains(strato::MessageBus& bus, long total, std::function<Message(long)> make)
      : bus(bus), total(total), make(std::move(make)), active(kChains) {}

  void next() {
    long i = issued.fetch_add(1);
    if (i >= total) {
      if (active.fetch_sub(1) == 1) done.set_value();
      return;
    }
    bus.request(
        make(i),
        [self = shared_from_this()](Reply r) {
          if (r.ok()) {
            std::lock_guard lock(self->mutex);
            self->replies.push_back(std::move(r.value()));
          } else if (self->failed.fetch_add(1) == 0) {
            std::cerr << "request failed: " << r.error().describe() << "\n";
          }
          self->next();
        },
        std::chrono::seconds(60));
  }

  double run() {
    auto finished = done.get_future();
    auto start = std::chrono::steady_clock::now();
    for (int c = 0; c < kChains; ++c) next();
    finished.wait();
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  }

  strato::MessageBus& bus;
  long total;
  std::function<Message(long)> make;
  std::atomic<long> issued{0};
  std::atomic<long> failed{0};
  std::atomic<int> active;
  std::promise<void> done;
  std::mutex mutex;
  std::vector<Json> replies;
};

struct Run {
  double allocateSeconds = 0;
  double releaseSeconds = 0;
};

Json must(const Reply& r, const char* what) {
  if (!r.ok()) throw std::runtime_error(std::string(what) + ": " + r.error().describe());
  return r.value();
}

std::int64_t usedRows(NetworkNode& node) {
  auto rows = node.db().query("SELECT COUNT(*) FROM used_ip");
  if (!rows) throw std::runtime_error(rows.error().describe());
  return strato::dbInt(rows->rows[0][0]);
}

Run runOnce(const strato::bench::BenchArgs& args, int round) {
  auto dir = std::filesystem::temp_directory_path() / fmt::format("strato-bench-ipam-{}", getpid());
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  std::string url =
      args.databaseUrl.empty() ? "sqlite:" + (dir / "ipam.db").string() : args.databaseUrl;
  auto started = NetworkNode::start(url, {STRATO_ZONE_PLUGIN, STRATO_L2_PLUGIN, STRATO_L3_PLUGIN});
  if (!started) throw std::runtime_error(started.error().describe());
  NetworkNode& node = **started;
  std::string zone =
      must(node.api("zone.CreateZone", {{"name", "bench"}}), "zone")["inventory"]["uuid"];
  std::string l2 = must(node.api("l2Network.CreateL2NoVlanNetwork",
                                 {{"name", "bench"},
                                  {"zoneUuid", zone},
                                  {"physicalInterface", fmt::format("bench{}", round)}}),
                        "L2")["inventory"]["uuid"];
  std::string l3 =
      must(node.api("l3Network.CreateL3Network", {{"name", "bench"}, {"l2NetworkUuid", l2}}),
           "L3")["inventory"]["uuid"];
  must(node.api("l3Network.AddIpRangeByNetworkCidr.Serialized",
                {{"l3NetworkUuid", l3}, {"name", "bench"}, {"networkCidr", "10.0.0.0/16"}}),
       "range");

  Run run;
  auto allocations = std::make_shared<Chains>(node.bus(), args.requests, [&](long) {
    return Message{"l3.AllocateIp", "", {{"l3NetworkUuid", l3}, {"owner", {{"usedFor", "Bench"}}}}};
  });
  run.allocateSeconds = allocations->run();
  if (allocations->failed.load() != 0) throw std::runtime_error("allocations failed");
  std::set<std::string> ips;
  std::vector<std::string> uuids;
  for (const auto& r : allocations->replies) {
    ips.insert(r["inventory"]["ip"].get<std::string>());
    uuids.push_back(r["inventory"]["uuid"]);
  }
  if (static_cast<long>(ips.size()) != args.requests || usedRows(node) != args.requests)
    throw std::runtime_error("an address was handed out twice, or not recorded");

  auto releases = std::make_shared<Chains>(node.bus(), args.requests, [&](long i) {
    return Message{"l3.ReleaseIp", "", {{"usedIpUuid", uuids[static_cast<std::size_t>(i)]}}};
  });
  run.releaseSeconds = releases->run();
  if (releases->failed.load() != 0 || usedRows(node) != 0)
    throw std::runtime_error("releases failed");
  started->reset();
  std::filesystem::remove_all(dir);
  return run;
}

}  // namespace

int main(int argc, char** argv) {
  auto args = strato::bench::parseBenchArgs(argc, argv, "strato-bench-ipam", 60000);
  if (!args) return 2;
  if (args->requests > 65533) {
    std::cerr << "at most 65,533 allocations (the usable addresses of one /16)\n";
    return 2;
  }
  std::vector<double> allocs, releases;
  std::cout << fmt::format("{:<6} {:>8} {:>14} {:>14}\n", "run", "addrs", "allocations/s",
                           "releases/s");
  for (int r = 0; r < args->repeat; ++r) {
    Run run;
    try {
      run = runOnce(*args, r);
    } catch (const std::exception& e) {
      std::cerr << "strato-bench-ipam: " << e.what() << "\n";
      return 1;
    }
    allocs.push_back(args->requests / run.allocateSeconds);
    releases.push_back(args->requests / run.releaseSeconds);
    std::cout << fmt::format("{:<6} {:>8} {:>14.0f} {:>14.0f}\n", r + 1, args->requests,
                             allocs.back(), releases.back());
  }
  std::sort(allocs.begin(), allocs.end());
  std::sort(releases.begin(), releases.end());
  auto row = [](const std::string& name, const std::vector<double>& v) {
    return Json{
        {"scenario", name}, {"min", v.front()}, {"median", v[v.size() / 2]}, {"max", v.back()}};
  };
  if (!args->jsonFile.empty()) {
    std::ofstream(args->jsonFile)
        << Json{{"benchmark", "ipam"},
                {"database", args->databaseUrl.empty() ? "sqlite" : "mysql"},
                {"cores", std::thread::hardware_concurrency()},
                {"addresses", args->requests},
                {"range", "10.0.0.0/16"},
                {"requestsInFlight", kChains},
                {"medianAllocationsPerSecond", allocs[allocs.size() / 2]},
                {"medianReleasesPerSecond", releases[releases.size() / 2]},
                {"results", Json::array({row("allocations per second", allocs),
                                         row("releases per second", releases)})}}
               .dump(2)
        << "\n";
  }
  return 0;
}
