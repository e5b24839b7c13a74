// Booting VMs through the REST API on simulator hosts: a real strato-server (SQLite unless --db),
// one zone and cluster, simulator primary and backup storage, an image, a flat L3 network, then
// the scenarios of issue 6, each on a fresh server:
//   - 100 VMs on 10 hosts and 1,000 VMs on 100 hosts: every CreateVmInstance submitted at once,
//     timed until the last VM is Running;
//   - QueryVmInstance listing 100 VMs with their NICs and volumes: p50 and p99 of 200 requests,
//     each on a new connection, after 10 not counted;
//   - the server's resident memory after the 1,000.
// --requests N scales the VM counts (default 1000: the big run; the small one is N / 10).
//
//   strato-bench-vms [--requests N] [--repeat K] [--json FILE] [--db URL]
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <iostream>
#include <thread>

#include "bench_args.h"
#include "bench_figures.h"
#include "bench_server.h"

namespace {

using strato::bench::Json;
using strato::bench::Reply;
using strato::bench::send;
using strato::bench::sendRaw;
using Clock = std::chrono::steady_clock;

struct Cloud {
  int port = 0;
  std::string session, offering, image, l3;
};

Json created(const Cloud& c, const std::string& path, const Json& params) {
  auto done = strato::bench::waitForJob(
      c.port, send(c.port, "POST", "/zstack/v1/" + path, {{"params", params}}, c.session), c.session);
  if (done.status != 200)
    throw std::runtime_error(path + " failed: " + std::to_string(done.status) + " " + done.body.dump());
  return done.body["inventory"];
}

// Hosts with room for every VM (1 core, 256 MiB each), storage to match, a /16 of addresses.
Cloud build(int port, int hosts) {
  Cloud c{port, strato::bench::loginAdmin(port)};
  if (c.session.empty()) throw std::runtime_error("login failed");
  std::string zone = created(c, "zones", {{"name", "bench"}})["uuid"];
  std::string cluster =
      created(c, "clusters", {{"zoneUuid", zone}, {"name", "sim"}, {"hypervisorType", "Simulator"}})["uuid"];
  for (int h = 0; h < hosts; ++h) {
    created(c, "hosts/simulators",
            {{"name", fmt::format("h{}", h)},
             {"managementIp", fmt::format("10.1.{}.{}", h / 250, h % 250 + 1)},
             {"clusterUuid", cluster},
             {"cpuCapacity", 64},
             {"memoryCapacity", 64LL << 30}});
  }
  std::string ps = created(c, "primary-storage/simulators",
                           {{"name", "ps"}, {"zoneUuid", zone}, {"url", "/ps"},
                            {"totalCapacity", 1LL << 50}, {"availableCapacity", 1LL << 50}})["uuid"];
  created(c, "clusters/" + cluster + "/primary-storage/" + ps, Json::object());
  std::string bs = created(c, "backup-storage/simulators", {{"name", "bs"}, {"url", "/bs"}})["uuid"];
  created(c, "zones/" + zone + "/backup-storage/" + bs, Json::object());
  c.image = created(c, "images", {{"name", "linux"}, {"url", "http://bench/linux.qcow2"},
                                  {"format", "qcow2"}, {"backupStorageUuids", {bs}}})["uuid"];
  std::string l2 = created(c, "l2-networks/no-vlan",
                           {{"name", "l2"}, {"zoneUuid", zone}, {"physicalInterface", "eth0"}})["uuid"];
  created(c, "l2-networks/" + l2 + "/clusters/" + cluster, Json::object());
  c.l3 = created(c, "l3-networks", {{"name", "l3"}, {"l2NetworkUuid", l2}})["uuid"];
  created(c, "l3-networks/" + c.l3 + "/ip-ranges/by-cidr", {{"name", "r"}, {"networkCidr", "172.16.0.0/16"}});
  c.offering = created(c, "instance-offerings",
                       {{"name", "small"}, {"cpuNum", 1}, {"memorySize", 256LL << 20}})["uuid"];
  return c;
}

// Submits `count` creations at once, then polls them all: seconds until the last is Running.
double bootAll(const Cloud& c, int count) {
  auto start = Clock::now();
  std::vector<std::string> jobs;
  for (int i = 0; i < count; ++i) {
    auto accepted = send(c.port, "POST", "/zstack/v1/vm-instances",
                         {{"params", {{"name", fmt::format("vm{}", i)},
                                      {"instanceOfferingUuid", c.offering},
                                      {"imageUuid", c.image},
                                      {"l3NetworkUuids", {c.l3}}}}},
                         c.session);
    std::string location = accepted.body.value("location", "");
    if (accepted.status != 202) throw std::runtime_error("create refused: " + accepted.body.dump());
    jobs.push_back(location.substr(location.find("/zstack/")));
  }
  constexpr int kPollers = 8;
  std::vector<std::thread> pollers;
  std::atomic<int> failures{0};
  for (int t = 0; t < kPollers; ++t) {
    pollers.emplace_back([&, t] {
      for (std::size_t i = t; i < jobs.size(); i += kPollers) {
        for (;;) {
          auto polled = send(c.port, "GET", jobs[i], nullptr, c.session);
          if (polled.status == 202) {
            std::this_thread::sleep_for(std::chrono::milliseconds(2));
            continue;
          }
          if (polled.status != 200 || polled.body["inventory"].value("state", "") != "Running") {
            if (++failures < 3) std::cerr << "create failed: " << polled.body.dump() << "\n";
          }
          break;
        }
      }
    });
  }
  for (auto& p : pollers) p.join();
  double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  if (failures > 0) throw std::runtime_error(std::to_string(failures.load()) + " creations failed");
  return seconds;
}

// Milliseconds of `samples` QueryVmInstance calls listing 100 VMs with their NICs and volumes,
// from the request to the answer's last byte (checking the answer, a JSON parse of ~100 KB, is
// the bench's own work and is left out). The first `warmUp` calls are not counted: the first
// listings after the boot pay for cold caches (the database's pages and prepared statements),
// about 20 ms, which a client listing more than once does not see again.
std::vector<double> listTimes(const Cloud& c, int samples, int warmUp) {
  std::vector<double> ms;
  for (int i = -warmUp; i < samples; ++i) {
    auto start = Clock::now();
    auto raw = sendRaw(c.port, "GET", "/zstack/v1/vm-instances?limit=100", nullptr, c.session);
    if (i >= 0)
      ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - start).count());
    Reply listed{raw.status, Json::parse(raw.body, nullptr, false)};
    const Json& rows = listed.body["inventories"];
    if (listed.status != 200 || rows.size() != 100 || rows[0]["vmNics"].empty() ||
        rows[0]["allVolumes"].empty())
      throw std::runtime_error("listing failed: " + std::to_string(listed.status));
  }
  std::sort(ms.begin(), ms.end());
  return ms;
}

struct Run {
  double small = 0, big = 0, p50 = 0, p99 = 0;
  long rssKib = 0;
};

}  // namespace

int main(int argc, char** argv) {
  auto args = strato::bench::parseBenchArgs(argc, argv, "strato-bench-vms", 1000);
  if (!args) return 2;
  int big = static_cast<int>(args->requests), small = std::max(1, big / 10);
  std::vector<Run> runs;
  std::cout << fmt::format("{:<5} {:>14} {:>15} {:>10} {:>10} {:>8}\n", "run",
                           fmt::format("{} VMs (s)", small), fmt::format("{} VMs (s)", big),
                           "list p50", "list p99", "RSS MB");
  try {
    for (int r = 0; r < args->repeat; ++r) {
      Run run;
      {
        strato::bench::Server server(args->databaseUrl, STRATO_PLUGIN_DIR);
        run.small = bootAll(build(server.port(), std::max(1, small / 10)), small);
      }
      strato::bench::Server server(args->databaseUrl, STRATO_PLUGIN_DIR);
      Cloud cloud = build(server.port(), std::max(1, big / 10));
      run.big = bootAll(cloud, big);
      auto ms = listTimes(cloud, 200, 10);
      run.p50 = ms[ms.size() / 2];
      run.p99 = ms[ms.size() * 99 / 100];
      run.rssKib = server.rssKib();
      std::cout << fmt::format("{:<5} {:>14.2f} {:>15.2f} {:>10.2f} {:>10.2f} {:>8.1f}\n", r + 1,
                               run.small, run.big, run.p50, run.p99, run.rssKib / 1024.0);
      runs.push_back(run);
    }
  } catch (const std::exception& e) {
    std::cerr << "strato-bench-vms: " << e.what() << "\n";
    return 1;
  }
  auto figure = [&](const std::string& name, double Run::*field) {
    return strato::bench::spread(runs, name, field);
  };
  if (!args->jsonFile.empty()) {
    std::vector<double> rss;
    for (const auto& r : runs) rss.push_back(r.rssKib / 1024.0);
    std::sort(rss.begin(), rss.end());
    std::ofstream(args->jsonFile)
        << Json{{"benchmark", "boot-vms"},
                {"database", args->databaseUrl.empty() ? "sqlite" : "mysql"},
                {"cores", std::thread::hardware_concurrency()},
                {"results",
                 Json::array({figure(fmt::format("{} VMs on {} hosts Running (s)", small,
                                                 std::max(1, small / 10)), &Run::small),
                              figure(fmt::format("{} VMs on {} hosts Running (s)", big,
                                                 std::max(1, big / 10)), &Run::big),
                              figure("QueryVmInstance 100 VMs p50 (ms)", &Run::p50),
                              figure("QueryVmInstance 100 VMs p99 (ms)", &Run::p99),
                              {{"scenario", "server RSS after (MiB)"}, {"median", rss[rss.size() / 2]}}})}}
               .dump(2)
        << "\n";
  }
  return 0;
}
