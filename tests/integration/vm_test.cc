// VMs (section 3.1) over HTTP on simulator hosts: the seed's inventory shape, the state machine,
// and the capacity of hosts, primary storage and IP ranges after every step, failures included.
#include "integration/vm_fixture.h"

namespace strato::test {
namespace {

// The owner rows of VMs and the volumes and NICs made with them (rowsIn takes a table expression).
constexpr const char* kVmOwners =
    "account_resource_ref WHERE resourceType IN ('VmInstanceVO', 'VolumeVO', 'VmNicVO')";

TEST_F(VmTest, CreateQueryAndPowerOperations) {
  buildCloud(2);
  std::int64_t psBefore = psAvailable();
  Json v = createVm("web");
  EXPECT_EQ(v["state"], "Running");
  EXPECT_EQ(v["type"], "UserVm");
  EXPECT_EQ(v["hypervisorType"], "Simulator");
  EXPECT_EQ(v["cpuNum"], 1);
  EXPECT_EQ(v["memorySize"], kGiB);
  EXPECT_EQ(v["platform"], "Linux");
  EXPECT_EQ(v["zoneUuid"], zone_);
  EXPECT_EQ(v["clusterUuid"], cluster_);
  EXPECT_EQ(v["defaultL3NetworkUuid"], l3_);
  EXPECT_EQ(v["imageUuid"], image_);
  EXPECT_EQ(v["instanceOfferingUuid"], offering_);
  ASSERT_EQ(v["vmNics"].size(), 1u) << v;
  Json nic = v["vmNics"][0];
  EXPECT_EQ(nic["l3NetworkUuid"], l3_);
  EXPECT_EQ(nic["gateway"], "192.168.1.1");
  EXPECT_EQ(nic["deviceId"], 0);
  EXPECT_EQ(nic["mac"].get<std::string>().substr(0, 3), "fa:");
  ASSERT_EQ(v["allVolumes"].size(), 1u) << v;
  Json root = v["allVolumes"][0];
  EXPECT_EQ(root["uuid"], v["rootVolumeUuid"]);
  EXPECT_EQ(root["type"], "Root");
  EXPECT_EQ(root["status"], "Ready");
  EXPECT_EQ(root["rootImageUuid"], image_);
  EXPECT_EQ(root["size"], imageSize_);
  std::string uuid = v["uuid"];
  std::string host = v["hostUuid"];
  EXPECT_EQ(vm(uuid), v);

  // What it holds: one core and 1 GiB of its host, the image's size of storage, one address.
  EXPECT_EQ(usedCpu(), 1);
  EXPECT_EQ(usedMemory(), kGiB);
  EXPECT_EQ(psAvailable(), psBefore - imageSize_);
  EXPECT_EQ(rowsIn("used_ip"), 1);
  EXPECT_EQ(query(std::string(kVms) + "?q=vmNics.ip=" + nic["ip"].get<std::string>()).size(), 1u);
  EXPECT_EQ(query("/zstack/v1/vm-instances/nics?q=vmInstanceUuid=" + uuid).size(), 1u);
  EXPECT_EQ(query("/zstack/v1/volumes?q=vmInstanceUuid=" + uuid).size(), 1u);

  Json stopped = vmActionOk(uuid, {{"stopVmInstance", {{"type", "cold"}}}});
  EXPECT_EQ(stopped["state"], "Stopped");
  EXPECT_FALSE(stopped.contains("hostUuid"));
  EXPECT_EQ(stopped["lastHostUuid"], host);
  EXPECT_EQ(usedCpu(), 0);
  EXPECT_EQ(usedMemory(), 0);
  EXPECT_EQ(rowsIn("used_ip"), 1);  // a stopped VM keeps its address

  // Not allowed now: the error names the state and what would allow it.
  auto refused = vmAction(uuid, {{"rebootVmInstance", Json::object()}});
  EXPECT_EQ(refused.status, 503) << refused.body;
  EXPECT_NE(refused.body.find("in state Stopped"), std::string::npos) << refused.body;
  EXPECT_NE(refused.body.find("Running"), std::string::npos) << refused.body;

  EXPECT_EQ(vmActionOk(uuid, {{"startVmInstance", {{"hostUuid", host}}}})["hostUuid"], host);
  EXPECT_EQ(usedCpu(), 1);
  EXPECT_EQ(vmActionOk(uuid, {{"rebootVmInstance", Json::object()}})["state"], "Running");
  EXPECT_EQ(vmActionOk(uuid, {{"pauseVmInstance", Json::object()}})["state"], "Paused");
  EXPECT_EQ(vmAction(uuid, {{"migrateVm", Json::object()}}).status, 503);
  EXPECT_EQ(vmActionOk(uuid, {{"resumeVmInstance", Json::object()}})["state"], "Running");

  // Migration moves the capacity with the guest.
  std::string other = hosts_[0] == host ? hosts_[1] : hosts_[0];
  auto candidates = client().send("GET", std::string(kVms) + "/" + uuid + "/migration-target-hosts");
  ASSERT_EQ(candidates.status, 200) << candidates.body;
  ASSERT_EQ(parse(candidates)["inventories"].size(), 1u);
  EXPECT_EQ(parse(candidates)["inventories"][0]["uuid"], other);
  Json moved = vmActionOk(uuid, {{"migrateVm", {{"hostUuid", other}}}});
  EXPECT_EQ(moved["hostUuid"], other);
  EXPECT_EQ(moved["lastHostUuid"], host);
  EXPECT_EQ(query("/zstack/v1/hosts/" + other)[0]["availableCpuCapacity"], 15);
  EXPECT_EQ(query("/zstack/v1/hosts/" + host)[0]["availableCpuCapacity"], 16);

  Json updated = vmActionOk(uuid, {{"updateVmInstance", {{"name", "web2"}, {"description", "d"}}}});
  EXPECT_EQ(updated["name"], "web2");
  EXPECT_EQ(updated["description"], "d");
  auto running = vmAction(uuid, {{"updateVmInstance", {{"cpuNum", 2}}}});
  EXPECT_EQ(running.status, 503) << running.body;

  // Direct policy (ZStack's default): destroying expunges, and everything is given back.
  ASSERT_EQ(client().call("DELETE", std::string(kVms) + "/" + uuid).status, 200);
  EXPECT_TRUE(vm(uuid).is_null());
  EXPECT_EQ(usedCpu(), 0);
  EXPECT_EQ(usedMemory(), 0);
  EXPECT_EQ(psAvailable(), psBefore);
  for (const char* table : {"vm_instance", "vm_nic", "volume", "used_ip", kVmOwners})
    EXPECT_EQ(rowsIn(table), 0) << table;
}

TEST_F(VmTest, FailedCreationLeavesNothingBehind) {
  buildCloud(1);
  std::int64_t psBefore = psAvailable();
  createSystemTag("HostVO", hosts_[0], "simulator::failStartVm");
  auto failed = createVmReply(vmParams("doomed"));
  EXPECT_EQ(failed.status, 503) << failed.body;
  EXPECT_NE(failed.body.find("simulated failure to start"), std::string::npos) << failed.body;
  EXPECT_EQ(usedCpu(), 0);
  EXPECT_EQ(usedMemory(), 0);
  EXPECT_EQ(psAvailable(), psBefore);
  for (const char* table : {"vm_instance", "vm_nic", "volume", "used_ip"})
    EXPECT_EQ(rowsIn(table), 0) << table;

  // Nothing fits: the error says what was asked for, and nothing is taken either.
  std::string huge = instanceOffering(64, kGiB);
  Json params = vmParams("huge");
  params["instanceOfferingUuid"] = huge;
  auto full = createVmReply(params);
  EXPECT_EQ(full.status, 503) << full.body;
  EXPECT_NE(full.body.find("no host can run the VM"), std::string::npos) << full.body;
  EXPECT_EQ(rowsIn("vm_instance"), 0);
}

TEST_F(VmTest, BadInputIsRefusedNamingTheParameter) {
  buildCloud(1);
  auto missing = createVmReply({{"name", "x"}, {"imageUuid", image_}, {"l3NetworkUuids", {l3_}}});
  EXPECT_EQ(missing.status, 400) << missing.body;
  for (auto [key, value] : {std::pair<const char*, Json>{"instanceOfferingUuid", std::string(32, 'a')},
                            {"imageUuid", std::string(32, 'b')},
                            {"l3NetworkUuids", Json::array({std::string(32, 'c')})},
                            {"strategy", "Later"},
                            {"defaultL3NetworkUuid", std::string(32, 'd')}}) {
    Json params = vmParams("bad");
    params[key] = value;
    auto reply = createVmReply(params);
    EXPECT_TRUE(reply.status == 400 || reply.status == 503) << key << " " << reply.body;
    EXPECT_EQ(codeOf(reply), "SYS.1007") << key << " " << reply.body;
  }
  EXPECT_EQ(rowsIn("vm_instance"), 0);
  auto unknown = vmAction(std::string(32, 'e'), {{"startVmInstance", Json::object()}});
  EXPECT_NE(unknown.status, 200);
}

TEST_F(VmTest, StaticIpCreateStoppedAndDelayedDeletion) {
  buildCloud(1);
  setGlobalConfig("vm", "deletionPolicy", "Delay");
  Json params = vmParams("db");
  params["strategy"] = "CreateStopped";
  Json v = created(createVmReply(params, {"staticIp::" + l3_ + "::192.168.1.77"}));
  EXPECT_EQ(v["state"], "Stopped");
  EXPECT_EQ(v["vmNics"][0]["ip"], "192.168.1.77");
  EXPECT_EQ(usedCpu(), 0);
  std::string uuid = v["uuid"];
  EXPECT_EQ(vmActionOk(uuid, {{"startVmInstance", Json::object()}})["state"], "Running");
  EXPECT_EQ(usedCpu(), 1);

  // The address is taken: a second VM asking for it fails and takes nothing.
  auto clash = createVmReply(vmParams("clash"), {"staticIp::" + l3_ + "::192.168.1.77"});
  EXPECT_EQ(clash.status, 503) << clash.body;
  EXPECT_EQ(rowsIn("vm_instance"), 1);
  EXPECT_EQ(usedCpu(), 1);

  ASSERT_EQ(client().call("DELETE", std::string(kVms) + "/" + uuid).status, 200);
  EXPECT_EQ(vm(uuid)["state"], "Destroyed");
  EXPECT_EQ(usedCpu(), 0);
  EXPECT_EQ(rowsIn("used_ip"), 1);  // kept for a recovery
  EXPECT_EQ(vmActionOk(uuid, {{"recoverVmInstance", Json::object()}})["state"], "Stopped");
  ASSERT_EQ(client().call("DELETE", std::string(kVms) + "/" + uuid).status, 200);
  auto expunged = vmAction(uuid, {{"expungeVmInstance", Json::object()}});
  ASSERT_EQ(expunged.status, 200) << expunged.body;
  for (const char* table : {"vm_instance", "vm_nic", "volume", "used_ip", kVmOwners})
    EXPECT_EQ(rowsIn(table), 0) << table;
}

TEST_F(VmTest, FailedMigrationLeavesTheVmWhereItRan) {
  buildCloud(2);
  Json v = createVm("mover");
  std::string uuid = v["uuid"], host = v["hostUuid"];
  std::string other = hosts_[0] == host ? hosts_[1] : hosts_[0];
  createSystemTag("HostVO", other, "simulator::failMigrateVm");
  auto failed = vmAction(uuid, {{"migrateVm", {{"hostUuid", other}}}});
  EXPECT_EQ(failed.status, 503) << failed.body;
  Json after = vm(uuid);
  EXPECT_EQ(after["state"], "Running");
  EXPECT_EQ(after["hostUuid"], host);
  EXPECT_EQ(query("/zstack/v1/hosts/" + other)[0]["availableCpuCapacity"], 16);
  EXPECT_EQ(query("/zstack/v1/hosts/" + host)[0]["availableCpuCapacity"], 15);
  EXPECT_EQ(usedCpu(), 1);
}

TEST_F(VmTest, DeletingAHostStopsItsVmsOnlyWhenEnforced) {
  buildCloud(1);
  std::string uuid = createVm("on-host")["uuid"];
  auto refused = client().call("DELETE", "/zstack/v1/hosts/" + hosts_[0]);
  EXPECT_EQ(refused.status, 503) << refused.body;
  EXPECT_NE(refused.body.find("stop or migrate"), std::string::npos) << refused.body;
  EXPECT_EQ(vm(uuid)["state"], "Running");
  ASSERT_EQ(client().call("DELETE", "/zstack/v1/hosts/" + hosts_[0] + "?deleteMode=Enforcing").status,
            200);
  Json after = vm(uuid);
  EXPECT_EQ(after["state"], "Stopped");
  EXPECT_FALSE(after.contains("hostUuid"));
  EXPECT_EQ(rowsIn("vm_nic"), 1);  // the VM and its NIC and volume stay, to start elsewhere
}

TEST_F(VmTest, DeletingTheZoneTakesItsVms) {
  buildCloud(1);
  createVm("a");
  createVm("b");
  auto refused = client().call("DELETE", "/zstack/v1/zones/" + zone_);
  EXPECT_EQ(refused.status, 503) << refused.body;
  EXPECT_EQ(rowsIn("vm_instance"), 2);
  ASSERT_EQ(client().call("DELETE", "/zstack/v1/zones/" + zone_ + "?deleteMode=Enforcing").status,
            200);
  for (const char* table : {"vm_instance", "vm_nic", "volume", "used_ip", "host"})
    EXPECT_EQ(rowsIn(table), 0) << table;
}

}  // namespace
}  // namespace strato::test
