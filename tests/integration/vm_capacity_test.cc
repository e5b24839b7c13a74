// Over-provisioning: hosts offer VMs their cores and memory times ZStack's global configs
// host/cpu.overProvisioning.ratio and mevoco/overProvisioning.memory, on a simulator host.
#include "integration/vm_fixture.h"

namespace strato::test {
namespace {

class VmCapacityTest : public VmTest {
 protected:
  Json host() { return query("/zstack/v1/hosts/" + hosts_[0])[0]; }
  // The host's offer once a changed ratio reached it: {total, available} of CPU and memory.
  bool offers(std::int64_t cpu, std::int64_t freeCpu, std::int64_t memory, std::int64_t freeMemory) {
    return eventually([&] {
      Json h = host();
      return h["totalCpuCapacity"] == cpu && h["availableCpuCapacity"] == freeCpu &&
             h["totalMemoryCapacity"] == memory && h["availableMemoryCapacity"] == freeMemory;
    }, 5);
  }
  std::string running(const std::string& name) { return created(createVmReply(vmParams(name)))["uuid"]; }
  void stop(const std::string& vm) { vmActionOk(vm, {{"stopVmInstance", Json::object()}}); }
};

TEST_F(VmCapacityTest, RatiosLetHostsTakeMoreVmsAndWhatVmsHoldStaysHeld) {
  buildCloud(1, 2, 2 * kGiB);  // VMs of 1 core and 1 GiB
  std::string a = running("a"), b = running("b");
  EXPECT_EQ(createVmReply(vmParams("full")).status, 503);

  setGlobalConfig("host", "cpu.overProvisioning.ratio", "3");
  setGlobalConfig("mevoco", "overProvisioning.memory", "1.5");
  EXPECT_TRUE(offers(6, 4, 3 * kGiB, kGiB)) << host();
  EXPECT_EQ(host()["cpuNum"], 2);  // the machine did not change
  std::string c = running("c");
  auto full = createVmReply(vmParams("full"));  // out of memory, though not of cores
  EXPECT_EQ(full.status, 503) << full.body;

  // A lowered ratio leaves the host short; it takes nothing until enough VMs go.
  setGlobalConfig("mevoco", "overProvisioning.memory", "1");
  EXPECT_TRUE(offers(6, 3, 2 * kGiB, -kGiB)) << host();
  stop(a);
  EXPECT_EQ(host()["availableMemoryCapacity"], 0);
  EXPECT_EQ(createVmReply(vmParams("full")).status, 503);
  stop(b);
  running("d");
  EXPECT_EQ(usedCpu(), 2);
  EXPECT_EQ(usedMemory(), 2 * kGiB);

  // A reconnect reads the machine again and keeps the ratios.
  ASSERT_EQ(client().call("PUT", "/zstack/v1/hosts/" + hosts_[0] + "/actions",
                          {{"reconnectHost", Json::object()}}).status, 200);
  EXPECT_TRUE(offers(6, 4, 2 * kGiB, 0)) << host();
}

TEST_F(VmCapacityTest, RatiosOutsideTheirRangeAreRefused) {
  for (auto [category, name, value] :
       {std::tuple{"host", "cpu.overProvisioning.ratio", "0"},
        std::tuple{"host", "cpu.overProvisioning.ratio", "1.5"},
        std::tuple{"host", "cpu.overProvisioning.ratio", "many"},
        std::tuple{"mevoco", "overProvisioning.memory", "0.5"},
        std::tuple{"mevoco", "overProvisioning.memory", "101"}}) {
    auto reply = client().call(
        "PUT", std::string("/zstack/v1/global-configurations/") + category + "/" + name + "/actions",
        {{"updateGlobalConfig", {{"value", value}}}});
    EXPECT_EQ(reply.status, 503) << name << "=" << value << ": " << reply.body;
    EXPECT_EQ(codeOf(reply), "SYS.1007") << reply.body;
  }
  EXPECT_EQ(query("/zstack/v1/global-configurations?q=name=cpu.overProvisioning.ratio")[0]["value"], "1");
}

}  // namespace
}  // namespace strato::test
