// Data volumes and L3 networks joining and leaving VMs over HTTP (3.1.20-23, 3.2.18-20): what the
// candidate lists offer, what storage, addresses and device ids are held after every step, and
// that a hot-plug the hypervisor refuses leaves nothing attached.
#include "integration/vm_fixture.h"

namespace strato::test {
namespace {

class VmDevicesTest : public VmTest {
 protected:
  Json dataVolume(const std::string& name, const std::string& ps = "") {
    Json params{{"name", name}, {"diskOfferingUuid", diskOffering_}};
    if (!ps.empty()) params["primaryStorageUuid"] = ps;
    return created(post("volumes/data", params));
  }
  HttpReply detachVolume(const std::string& volume) {
    return client().call("DELETE", "/zstack/v1/volumes/" + volume + "/vm-instances");
  }
  HttpReply attachL3(const std::string& vm, const std::string& l3, const Json& params = Json::object()) {
    return client().call("POST", "/zstack/v1/vm-instances/" + vm + "/l3-networks/" + l3,
                         {{"params", params}});
  }
  HttpReply detachNic(const std::string& nic) {
    return client().call("DELETE", "/zstack/v1/vm-instances/nics/" + nic);
  }
  // A second network in the cluster, on VLAN 100: 10.9.0.0/24.
  std::string secondL3() {
    std::string l2 = vlan(zone_, 100)["uuid"];
    auto attached = attachL2Reply(l2, cluster_);
    EXPECT_EQ(attached.status, 200) << attached.body;
    std::string uuid = l3(l2, "second")["uuid"];
    range(uuid, "10.9.0.10", "10.9.0.20", "10.9.0.1");
    return uuid;
  }
  void SetUp() override {
    VmTest::SetUp();
    buildCloud(1);
    diskOffering_ = created(post("disk-offerings", {{"name", "d1"}, {"diskSize", kGiB}}))["uuid"];
  }
  std::string diskOffering_;
};

TEST_F(VmDevicesTest, DataVolumeAttachesGetsItsFileAndDetaches) {
  std::string vm = createVm("db")["uuid"];
  Json volume = dataVolume("data1");  // no storage named: NotInstantiated until attached
  std::string uuid = volume["uuid"];
  EXPECT_EQ(volume["status"], "NotInstantiated");
  EXPECT_EQ(uuidsOf("vm-instances/" + vm + "/data-volume-candidates"),
            std::vector<std::string>{uuid});
  EXPECT_EQ(uuidsOf("volumes/" + uuid + "/candidate-vm-instances"), std::vector<std::string>{vm});

  std::int64_t psBefore = psAvailable();
  auto attached = attachVolume(uuid, vm);
  ASSERT_EQ(attached.status, 200) << attached.body;
  Json v = parse(attached)["inventory"];
  EXPECT_EQ(v["vmInstanceUuid"], vm);
  EXPECT_EQ(v["deviceId"], 1);
  EXPECT_EQ(v["status"], "Ready");
  EXPECT_EQ(v["primaryStorageUuid"], ps_);
  EXPECT_EQ(psAvailable(), psBefore - kGiB);
  EXPECT_EQ(this->vm(vm)["allVolumes"].size(), 2u);
  EXPECT_TRUE(uuidsOf("vm-instances/" + vm + "/data-volume-candidates").empty());

  // A second volume takes the next device id; attaching one twice is refused.
  std::string second = dataVolume("data2", ps_)["uuid"];
  ASSERT_EQ(attachVolume(second, vm).status, 200);
  EXPECT_EQ(query("/zstack/v1/volumes/" + second)[0]["deviceId"], 2);
  auto again = attachVolume(uuid, vm);
  EXPECT_EQ(again.status, 503) << again.body;
  EXPECT_NE(again.body.find("is attached to VM " + vm), std::string::npos) << again.body;

  auto detached = detachVolume(uuid);
  ASSERT_EQ(detached.status, 200) << detached.body;
  EXPECT_FALSE(parse(detached)["inventory"].contains("vmInstanceUuid")) << detached.body;
  EXPECT_FALSE(parse(detached)["inventory"].contains("deviceId")) << detached.body;
  EXPECT_EQ(psAvailable(), psBefore - 2 * kGiB);  // detached, the file stays
  EXPECT_EQ(this->vm(vm)["allVolumes"].size(), 2u);
  EXPECT_EQ(detachVolume(uuid).status, 503);  // not attached any more
  // The freed device id is the next one given.
  ASSERT_EQ(attachVolume(uuid, vm).status, 200);
  EXPECT_EQ(query("/zstack/v1/volumes/" + uuid)[0]["deviceId"], 1);
}

TEST_F(VmDevicesTest, RefusedHotPlugLeavesTheVolumeFreeAndAStoppedVmNeedsNone) {
  Json created = createVm("web");
  std::string vm = created["uuid"], root = created["rootVolumeUuid"];
  std::string uuid = dataVolume("data", ps_)["uuid"];
  createSystemTag("HostVO", hosts_[0], "simulator::failHotPlug");
  auto refused = attachVolume(uuid, vm);
  EXPECT_EQ(refused.status, 503) << refused.body;
  EXPECT_NE(refused.body.find("simulated failure"), std::string::npos) << refused.body;
  EXPECT_FALSE(query("/zstack/v1/volumes/" + uuid)[0].contains("vmInstanceUuid"));
  EXPECT_EQ(this->vm(vm)["allVolumes"].size(), 1u);

  // Stopped, the guest is not asked: the volume is in its definition at the next start.
  vmActionOk(vm, {{"stopVmInstance", Json::object()}});
  ASSERT_EQ(attachVolume(uuid, vm).status, 200);
  EXPECT_EQ(codeOf(detachVolume(root)), "SYS.1007");  // a root volume stays with its VM
  EXPECT_EQ(codeOf(attachVolume(root, vm)), "SYS.1007");
  EXPECT_EQ(attachVolume(uuid, "0123456789abcdef0123456789abcdef").status, 503);
}

TEST_F(VmDevicesTest, L3NetworkAttachesWithItsAddressAndDetaches) {
  Json created = createVm("router");
  std::string vm = created["uuid"];
  std::string firstNic = created["vmNics"][0]["uuid"];
  std::string other = secondL3();
  EXPECT_EQ(uuidsOf("vm-instances/" + vm + "/l3-networks-candidates"),
            std::vector<std::string>{other});

  auto attached = attachL3(vm, other, {{"staticIp", "10.9.0.15"}});
  ASSERT_EQ(attached.status, 200) << attached.body;
  Json v = parse(attached)["inventory"];
  ASSERT_EQ(v["vmNics"].size(), 2u) << v;
  Json nic = v["vmNics"][0]["l3NetworkUuid"] == other ? v["vmNics"][0] : v["vmNics"][1];
  EXPECT_EQ(nic["ip"], "10.9.0.15");
  EXPECT_EQ(nic["deviceId"], 1);
  EXPECT_EQ(nic["gateway"], "10.9.0.1");
  EXPECT_EQ(rowsIn("used_ip"), 2);
  EXPECT_TRUE(uuidsOf("vm-instances/" + vm + "/l3-networks-candidates").empty());
  EXPECT_EQ(attachL3(vm, other).status, 503);  // one NIC per network

  // The default network's NIC goes: the default moves to the one left.
  auto detached = detachNic(firstNic);
  ASSERT_EQ(detached.status, 200) << detached.body;
  v = parse(detached)["inventory"];
  EXPECT_EQ(v["vmNics"].size(), 1u);
  EXPECT_EQ(v["defaultL3NetworkUuid"], other);
  EXPECT_EQ(rowsIn("used_ip"), 1);
  EXPECT_EQ(codeOf(detachNic(firstNic)), "SYS.1007");  // gone
  // Its device id is free again.
  Json back = parse(attachL3(vm, l3_))["inventory"];
  for (const auto& n : back["vmNics"])
    if (n["l3NetworkUuid"] == l3_) EXPECT_EQ(n["deviceId"], 0);
}

TEST_F(VmDevicesTest, RefusedNicHotPlugGivesTheAddressBack) {
  std::string vm = createVm("web")["uuid"];
  std::string other = secondL3();
  createSystemTag("HostVO", hosts_[0], "simulator::failHotPlug");
  auto refused = attachL3(vm, other);
  EXPECT_EQ(refused.status, 503) << refused.body;
  EXPECT_EQ(rowsIn("used_ip"), 1);
  EXPECT_EQ(rowsIn("vm_nic"), 1);
  EXPECT_EQ(this->vm(vm)["vmNics"].size(), 1u);
}

// The second NIC's address is taken: the first NIC's address and row go back too.
TEST_F(VmDevicesTest, ACreationFailingAtItsSecondNicLeavesNoAddress) {
  std::string other = secondL3();
  Json params = vmParams("a");
  params["l3NetworkUuids"] = {l3_, other};
  Json a = created(createVmReply(params));
  std::string takenIp;
  for (const auto& n : a["vmNics"])
    if (n["l3NetworkUuid"] == other) takenIp = n["ip"];
  std::int64_t ips = rowsIn("used_ip"), nics = rowsIn("vm_nic");
  params["name"] = "b";
  auto refused = createVmReply(params, {"staticIp::" + other + "::" + takenIp});
  EXPECT_EQ(refused.status, 503) << refused.body;
  EXPECT_EQ(rowsIn("used_ip"), ips);
  EXPECT_EQ(rowsIn("vm_nic"), nics);
  EXPECT_EQ(rowsIn("vm_instance"), 1);
}

}  // namespace
}  // namespace strato::test
