// 200 CreateVmInstance calls at once onto 20 simulator hosts that have room for exactly 200 VMs
// once over-committed twice: every one succeeds, no host gives more than its ratios allow, and no
// address or MAC is handed out twice.
#include <map>
#include <set>
#include <thread>

#include "integration/vm_fixture.h"

namespace strato::test {
namespace {

TEST_F(VmTest, TwoHundredCreationsAtOnceFillTwentyHostsExactly) {
  constexpr int kHosts = 20;
  constexpr int kVms = 200;
  constexpr int kPerHost = kVms / kHosts;
  setGlobalConfig("host", "cpu.overProvisioning.ratio", "2");
  setGlobalConfig("mevoco", "overProvisioning.memory", "2.0");
  buildCloud(kHosts, kPerHost / 2, (kPerHost / 2) * kGiB);

  // All jobs are submitted before any is polled, so they run side by side in the server.
  std::vector<std::string> jobs;
  for (int i = 0; i < kVms; ++i) {
    auto accepted = client().send("POST", "/zstack/v1/vm-instances",
                                  {{"params", vmParams("vm" + std::to_string(i))}});
    ASSERT_EQ(accepted.status, 202) << accepted.body;
    jobs.push_back(parse(accepted)["location"]);
  }
  std::vector<HttpReply> done(kVms);
  std::vector<std::thread> pollers;
  for (int t = 0; t < 10; ++t) {
    pollers.emplace_back([&, t] {
      for (int i = t; i < kVms; i += 10) done[i] = client().poll(jobs[i], std::chrono::seconds(120));
    });
  }
  for (auto& p : pollers) p.join();

  std::set<std::string> ips, macs;
  std::map<std::string, int> perHost;
  for (const auto& reply : done) {
    ASSERT_EQ(reply.status, 200) << reply.body;
    Json v = parse(reply)["inventory"];
    EXPECT_EQ(v["state"], "Running");
    ips.insert(v["vmNics"][0]["ip"].get<std::string>());
    macs.insert(v["vmNics"][0]["mac"].get<std::string>());
    ++perHost[v["hostUuid"]];
  }
  EXPECT_EQ(ips.size(), static_cast<std::size_t>(kVms));
  EXPECT_EQ(macs.size(), static_cast<std::size_t>(kVms));
  EXPECT_EQ(rowsIn("used_ip"), kVms);
  for (const auto& h : query("/zstack/v1/hosts")) {
    // Full, and exactly by the VMs it runs: nothing over-committed beyond the ratios, nothing
    // leaked.
    EXPECT_EQ(h["totalCpuCapacity"], kPerHost) << h;
    EXPECT_EQ(h["totalMemoryCapacity"], kPerHost * kGiB) << h;
    EXPECT_EQ(h["availableCpuCapacity"], 0) << h;
    EXPECT_EQ(h["availableMemoryCapacity"], 0) << h;
    EXPECT_EQ(perHost[h["uuid"]], kPerHost) << h;
  }
  // One more finds no room, and takes nothing.
  auto full = createVmReply(vmParams("one-too-many"));
  EXPECT_EQ(full.status, 503) << full.body;
  EXPECT_EQ(rowsIn("vm_instance"), kVms);
  EXPECT_EQ(rowsIn("used_ip"), kVms);
}

}  // namespace
}  // namespace strato::test
