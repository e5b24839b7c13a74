// Host maintenance (ChangeHostState maintain, 4.3.4) with VMs on the host: they migrate away, or,
// under host.maintenance.policy StopVmOnMigrationFailure, those that cannot are stopped; otherwise
// the host stays as it was.
#include "integration/vm_fixture.h"

namespace strato::test {
namespace {

class VmMaintenanceTest : public VmTest {
 protected:
  Json vmOn(const std::string& name, const std::string& host) {
    Json params = vmParams(name);
    params["hostUuid"] = host;
    Json v = created(createVmReply(params));
    EXPECT_EQ(v["hostUuid"], host);
    return v;
  }
  HttpReply maintain(const std::string& host) {
    return client().call("PUT", "/zstack/v1/hosts/" + host + "/actions",
                         {{"changeHostState", {{"stateEvent", "maintain"}}}});
  }
  Json host(const std::string& uuid) { return query("/zstack/v1/hosts/" + uuid)[0]; }
};

TEST_F(VmMaintenanceTest, EveryVmMigratesOffTheHost) {
  buildCloud(3);
  std::vector<std::string> vms;
  for (int i = 0; i < 3; ++i) vms.push_back(vmOn("vm" + std::to_string(i), hosts_[0])["uuid"]);
  auto entered = maintain(hosts_[0]);
  ASSERT_EQ(entered.status, 200) << entered.body;
  EXPECT_EQ(parse(entered)["inventory"]["state"], "Maintenance");

  for (const auto& uuid : vms) {
    Json v = vm(uuid);
    EXPECT_EQ(v["state"], "Running");
    EXPECT_NE(v["hostUuid"], hosts_[0]);
    EXPECT_EQ(v["lastHostUuid"], hosts_[0]);
  }
  EXPECT_EQ(host(hosts_[0])["availableCpuCapacity"], 16);
  EXPECT_EQ(usedCpu(), 3);
  EXPECT_EQ(usedMemory(), 3 * kGiB);

  // Nothing lands on a host in maintenance until it is enabled again.
  Json params = vmParams("late");
  params["hostUuid"] = hosts_[0];
  EXPECT_EQ(createVmReply(params).status, 503);
  EXPECT_NE(createVm("elsewhere")["hostUuid"], hosts_[0]);
  auto enabled = client().call("PUT", "/zstack/v1/hosts/" + hosts_[0] + "/actions",
                               {{"changeHostState", {{"stateEvent", "enable"}}}});
  ASSERT_EQ(enabled.status, 200) << enabled.body;
  EXPECT_EQ(vmOn("back", hosts_[0])["state"], "Running");
}

TEST_F(VmMaintenanceTest, JustMigrateLeavesTheHostAsItWasWhenAVmCannotLeave) {
  buildCloud(2);
  std::string uuid = vmOn("stuck", hosts_[0])["uuid"];
  createSystemTag("HostVO", hosts_[1], "simulator::failMigrateVm");
  auto refused = maintain(hosts_[0]);
  EXPECT_EQ(refused.status, 503) << refused.body;
  EXPECT_NE(refused.body.find("VM " + uuid + " cannot leave host"), std::string::npos)
      << refused.body;
  EXPECT_NE(refused.body.find("StopVmOnMigrationFailure"), std::string::npos) << refused.body;

  EXPECT_EQ(host(hosts_[0])["state"], "Enabled");
  Json v = vm(uuid);
  EXPECT_EQ(v["state"], "Running");
  EXPECT_EQ(v["hostUuid"], hosts_[0]);
  EXPECT_EQ(usedCpu(), 1);
  EXPECT_EQ(host(hosts_[1])["availableCpuCapacity"], 16);
}

TEST_F(VmMaintenanceTest, StopVmOnMigrationFailureStopsWhatCannotMigrate) {
  buildCloud(2);
  setGlobalConfig("host", "host.maintenance.policy", "StopVmOnMigrationFailure");
  std::string running = vmOn("running", hosts_[0])["uuid"];
  std::string paused = vmOn("paused", hosts_[0])["uuid"];
  vmActionOk(paused, {{"pauseVmInstance", Json::object()}});  // a paused guest does not migrate
  createSystemTag("HostVO", hosts_[1], "simulator::failMigrateVm");

  auto entered = maintain(hosts_[0]);
  ASSERT_EQ(entered.status, 200) << entered.body;
  EXPECT_EQ(parse(entered)["inventory"]["state"], "Maintenance");
  for (const auto& uuid : {running, paused}) {
    Json v = vm(uuid);
    EXPECT_EQ(v["state"], "Stopped") << uuid;
    EXPECT_FALSE(v.contains("hostUuid")) << v;
    EXPECT_EQ(v["lastHostUuid"], hosts_[0]);
  }
  EXPECT_EQ(usedCpu(), 0);
  EXPECT_EQ(usedMemory(), 0);
}

TEST_F(VmMaintenanceTest, UnknownPolicyIsRefused) {
  auto bad = client().call("PUT",
                           "/zstack/v1/global-configurations/host/host.maintenance.policy/actions",
                           {{"updateGlobalConfig", {{"value", "MigrateSometimes"}}}});
  EXPECT_EQ(codeOf(bad), "SYS.1007") << bad.body;  // ZStack's invalid-argument code
  EXPECT_NE(bad.body.find("JustMigrate, StopVmOnMigrationFailure"), std::string::npos) << bad.body;
}

}  // namespace
}  // namespace strato::test
