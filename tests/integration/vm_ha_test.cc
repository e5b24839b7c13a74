// HA on simulator hosts. The VMs of a host that stops answering are Unknown, and keep their share
// of it. Those with an HA level start on another host once the host is known down (simulated
// power loss: simulator::poweredOff), and wait while it is only unreachable
// (simulator::failPing), since their guests may still run there. When the host is back, what it
// runs settles the rest.
#include <thread>

#include "integration/vm_fixture.h"

namespace strato::test {
namespace {

class VmHaTest : public VmTest {
 protected:
  // Verdicts asked again every second while a host stays lost.
  void SetUp() override { startServer({"--set", "plugin.vm.haRecheckSeconds=1"}); }

  void buildHaCloud() {
    buildCloud(2, 4, 8 * kGiB);
    setGlobalConfig("host", "ping.interval", "1");
  }
  std::string createOn(const std::string& name, const std::string& host) {
    Json params = vmParams(name);
    params["hostUuid"] = host;
    return created(createVmReply(params))["uuid"];
  }
  void setHa(const std::string& uuid, const std::string& level) {
    auto set = client().call("POST", std::string(kVms) + "/" + uuid + "/ha-levels",
                             {{"params", {{"level", level}}}});
    ASSERT_EQ(set.status, 200) << set.body;
  }
  void untag(const Json& tag) {
    auto gone = client().call("DELETE", "/zstack/v1/tags/" + tag["uuid"].get<std::string>());
    ASSERT_EQ(gone.status, 200) << gone.body;
  }
  std::int64_t freeCpu(const std::string& uuid) {
    return host(uuid)["availableCpuCapacity"].get<std::int64_t>();
  }
};

TEST_F(VmHaTest, VmsOfAHostThatLostPowerStartElsewhere) {
  buildHaCloud();
  std::string a = hosts_[0], b = hosts_[1];
  std::string ha = createOn("ha", a), plain = createOn("plain", a);
  setHa(ha, "OnHostFailure");
  EXPECT_EQ(parse(client().send("GET", std::string(kVms) + "/" + ha + "/ha-levels"))["level"],
            "OnHostFailure");

  Json off = createSystemTag("HostVO", a, "simulator::poweredOff");
  EXPECT_TRUE(eventually([&] {
    Json v = vm(ha);
    return v["state"] == "Running" && v["hostUuid"] == b;
  })) << vm(ha);
  // Without a level, a VM waits for its host, holding its share there.
  EXPECT_EQ(vm(plain)["state"], "Unknown");
  EXPECT_EQ(vm(plain)["hostUuid"], a);
  EXPECT_EQ(freeCpu(a), 3);
  EXPECT_EQ(freeCpu(b), 3);

  // Power is back, without the host's guests: the VM left there is Stopped, its share free.
  untag(off);
  EXPECT_TRUE(eventually([&] { return vm(plain)["state"] == "Stopped"; })) << vm(plain);
  EXPECT_TRUE(eventually([&] { return freeCpu(a) == 4; })) << host(a);
  EXPECT_EQ(vm(ha)["hostUuid"], b);
  EXPECT_EQ(usedCpu(), 1);
}

TEST_F(VmHaTest, VmsOfAnUnreachableHostWaitForIt) {
  buildHaCloud();
  std::string a = hosts_[0];
  std::string ha = createOn("ha", a);
  setHa(ha, "NeverStop");

  Json unreachable = createSystemTag("HostVO", a, "simulator::failPing");
  EXPECT_TRUE(eventually([&] { return vm(ha)["state"] == "Unknown"; })) << vm(ha);
  // Its guest may still run there: starting it elsewhere would run it twice.
  std::this_thread::sleep_for(std::chrono::seconds(2));
  EXPECT_EQ(vm(ha)["state"], "Unknown");
  EXPECT_EQ(vm(ha)["hostUuid"], a);
  EXPECT_EQ(usedCpu(), 1);

  untag(unreachable);
  EXPECT_TRUE(eventually([&] { return vm(ha)["state"] == "Running"; })) << vm(ha);
  EXPECT_EQ(vm(ha)["hostUuid"], a);
  EXPECT_EQ(usedCpu(), 1);
}

// A host first only unreachable, then down for good: the verdict asked again finds it down.
TEST_F(VmHaTest, AnUnreachableHostThatDiesLaterIsFencedThen) {
  buildHaCloud();
  std::string a = hosts_[0], b = hosts_[1];
  std::string ha = createOn("ha", a);
  setHa(ha, "OnHostFailure");
  createSystemTag("HostVO", a, "simulator::failPing");
  EXPECT_TRUE(eventually([&] { return vm(ha)["state"] == "Unknown"; })) << vm(ha);
  createSystemTag("HostVO", a, "simulator::poweredOff");
  EXPECT_TRUE(eventually([&] {
    Json v = vm(ha);
    return v["state"] == "Running" && v["hostUuid"] == b;
  })) << vm(ha);
  EXPECT_EQ(freeCpu(a), 4);
  EXPECT_EQ(usedCpu(), 1);
}

}  // namespace
}  // namespace strato::test
