// A stopped VM reconfigured over HTTP: a new root volume from its image or another one
// (3.1.11, 3.1.61-62), another instance offering (3.5.4), a larger root volume (3.2.12), and the
// hosts it could start on (3.1.46).
#include "integration/vm_fixture.h"

namespace strato::test {
namespace {

class VmReconfigureTest : public VmTest {
 protected:
  void SetUp() override {
    VmTest::SetUp();
    buildCloud(2);
  }
  Json volumeNow(const std::string& uuid) {
    Json found = query("/zstack/v1/volumes/" + uuid);
    return found.empty() ? Json() : found[0];
  }
  std::string secondImage() {
    std::string bs = query("/zstack/v1/backup-storage")[0]["uuid"];
    return created(post("images", {{"name", "other"},
                                   {"url", "http://images.example/other.qcow2"},
                                   {"format", "qcow2"},
                                   {"platform", "Linux"},
                                   {"backupStorageUuids", {bs}}}))["uuid"];
  }
};

TEST_F(VmReconfigureTest, ReimageAndChangeImageReplaceTheRootVolume) {
  Json v = createVm("web");
  std::string vm = v["uuid"], oldRoot = v["rootVolumeUuid"];
  ASSERT_EQ(post("volumes/" + oldRoot + "/volume-snapshots", {{"name", "s"}}).status, 200);
  auto refused = vmAction(vm, {{"reimageVmInstance", Json::object()}});
  EXPECT_EQ(refused.status, 503) << refused.body;
  EXPECT_NE(refused.body.find("in state Running"), std::string::npos) << refused.body;

  vmActionOk(vm, {{"stopVmInstance", Json::object()}});
  std::int64_t before = psAvailable();
  Json reimaged = vmActionOk(vm, {{"reimageVmInstance", Json::object()}});
  std::string newRoot = reimaged["rootVolumeUuid"];
  EXPECT_NE(newRoot, oldRoot);
  EXPECT_EQ(reimaged["imageUuid"], image_);
  EXPECT_TRUE(volumeNow(oldRoot).is_null());
  EXPECT_EQ(volumeNow(newRoot)["vmInstanceUuid"], vm);
  EXPECT_EQ(volumeNow(newRoot)["deviceId"], 0);
  EXPECT_EQ(rowsIn("volume_snapshot"), 0);  // the old root's snapshot went with it
  EXPECT_EQ(psAvailable(), before + imageSize_);  // one root as before, the snapshot given back

  std::string other = secondImage();
  auto candidates = client().send("GET", std::string(kVms) + "/" + vm + "/image-candidates");
  ASSERT_EQ(candidates.status, 200) << candidates.body;
  Json listed = parse(candidates)["inventories"];
  ASSERT_EQ(listed.size(), 1u) << listed;
  EXPECT_EQ(listed[0]["uuid"], other);
  Json changed = vmActionOk(vm, {{"changeVmImage", {{"imageUuid", other}}}});
  EXPECT_EQ(changed["imageUuid"], other);
  EXPECT_EQ(volumeNow(changed["rootVolumeUuid"])["rootImageUuid"], other);
  EXPECT_EQ(rowsIn("volume WHERE type = 'Root'"), 1);
  EXPECT_EQ(vmActionOk(vm, {{"startVmInstance", Json::object()}})["state"], "Running");
}

TEST_F(VmReconfigureTest, OfferingAndRootSizeChangeWhileStopped) {
  Json v = createVm("db");
  std::string vm = v["uuid"], root = v["rootVolumeUuid"];
  std::string bigger = instanceOffering(2, 2 * kGiB);
  auto change = [&] {
    return vmAction(vm, {{"changeInstanceOffering", {{"instanceOfferingUuid", bigger}}}});
  };
  auto grow = [&](std::int64_t size) {
    return client().call("PUT", "/zstack/v1/volumes/resize/" + root + "/actions",
                         {{"resizeRootVolume", {{"size", size}}}});
  };
  EXPECT_EQ(change().status, 503);  // running: no CPU or memory hot-plug
  EXPECT_EQ(grow(2 * imageSize_).status, 503);
  vmActionOk(vm, {{"stopVmInstance", Json::object()}});

  ASSERT_EQ(change().status, 200);
  Json after = this->vm(vm);
  EXPECT_EQ(after["cpuNum"], 2);
  EXPECT_EQ(after["memorySize"], 2 * kGiB);
  EXPECT_EQ(after["instanceOfferingUuid"], bigger);
  std::int64_t before = psAvailable();
  auto grown = grow(2 * imageSize_);
  ASSERT_EQ(grown.status, 200) << grown.body;
  EXPECT_EQ(parse(grown)["inventory"]["size"], 2 * imageSize_);
  EXPECT_EQ(psAvailable(), before - imageSize_);

  vmActionOk(vm, {{"startVmInstance", Json::object()}});
  EXPECT_EQ(usedCpu(), 2);
  EXPECT_EQ(usedMemory(), 2 * kGiB);
}

TEST_F(VmReconfigureTest, StartingCandidatesAreTheHostsThatFit) {
  std::string vm = createVm("web")["uuid"];
  vmActionOk(vm, {{"stopVmInstance", Json::object()}});
  auto path = std::string(kVms) + "/" + vm + "/starting-target-hosts";
  auto listed = client().send("GET", path);
  ASSERT_EQ(listed.status, 200) << listed.body;
  EXPECT_EQ(parse(listed)["hostInventories"].size(), 2u);
  ASSERT_EQ(parse(listed)["clusterInventories"].size(), 1u);
  EXPECT_EQ(parse(listed)["clusterInventories"][0]["uuid"], cluster_);

  ASSERT_EQ(client().call("PUT", "/zstack/v1/hosts/" + hosts_[0] + "/actions",
                          {{"changeHostState", {{"stateEvent", "disable"}}}}).status, 200);
  Json now = parse(client().send("GET", path));
  ASSERT_EQ(now["hostInventories"].size(), 1u);
  EXPECT_EQ(now["hostInventories"][0]["uuid"], hosts_[1]);
}

TEST_F(VmReconfigureTest, CloneMakesVmsFromTheRootDiskAsItIs) {
  Json v = createVm("web");
  std::string vm = v["uuid"];
  auto cloned = vmAction(vm, {{"cloneVmInstance", {{"names", {"web-2", "web-3"}}}}});
  ASSERT_EQ(cloned.status, 200) << cloned.body;
  Json result = parse(cloned)["result"];
  EXPECT_EQ(result["numberOfClonedVm"], 2);
  ASSERT_EQ(result["inventories"].size(), 2u) << result;
  std::string image;
  for (const auto& made : result["inventories"]) {
    Json c = made["inventory"];
    EXPECT_EQ(c["state"], "Running");
    EXPECT_EQ(c["cpuNum"], 1);
    EXPECT_EQ(c["vmNics"][0]["l3NetworkUuid"], l3_);
    EXPECT_NE(c["imageUuid"], image_);  // the template of the source's disk
    image = c["imageUuid"];
  }
  EXPECT_EQ(result["inventories"][0]["inventory"]["name"], "web-2");
  EXPECT_EQ(query("/zstack/v1/images/" + image)[0]["system"], true);
  EXPECT_EQ(rowsIn("volume_snapshot"), 0);  // the clone's snapshot is gone again
  EXPECT_EQ(rowsIn("vm_instance"), 3);
  EXPECT_EQ(codeOf(vmAction(vm, {{"cloneVmInstance", {{"names", {"x"}}, {"full", true}}}})),
            "SYS.1009");
}

TEST_F(VmReconfigureTest, InterdependentL3NetworksAndImages) {
  auto l3s = client().send("GET", "/zstack/v1/images-l3networks/dependencies?zoneUuid=" + zone_ +
                                      "&imageUuid=" + image_);
  ASSERT_EQ(l3s.status, 200) << l3s.body;
  ASSERT_EQ(parse(l3s)["inventories"].size(), 1u) << l3s.body;
  EXPECT_EQ(parse(l3s)["inventories"][0]["uuid"], l3_);
  auto images = client().send("GET", "/zstack/v1/images-l3networks/dependencies?zoneUuid=" + zone_ +
                                         "&l3NetworkUuids=" + l3_);
  ASSERT_EQ(images.status, 200) << images.body;
  ASSERT_EQ(parse(images)["inventories"].size(), 1u) << images.body;
  EXPECT_EQ(parse(images)["inventories"][0]["uuid"], image_);
  EXPECT_EQ(codeOf(client().send("GET", "/zstack/v1/images-l3networks/dependencies?zoneUuid=" + zone_)),
            "SYS.1007");
}

TEST_F(VmReconfigureTest, CreationCandidatesAreWhatCreateWouldConsider) {
  std::string query = "?imageUuid=" + image_ + "&l3NetworkUuids=" + l3_;
  auto where = client().send("GET", "/zstack/v1/vm-instances/candidate-destinations" + query +
                                        "&instanceOfferingUuid=" + offering_);
  ASSERT_EQ(where.status, 200) << where.body;
  Json found = parse(where);
  ASSERT_EQ(found["zones"].size(), 1u) << found;
  EXPECT_EQ(found["zones"][0]["uuid"], zone_);
  EXPECT_EQ(found["clusters"].size(), 1u);
  EXPECT_EQ(found["hosts"].size(), 2u);
  auto storages = client().send("GET", "/zstack/v1/vm-instances/candidate-storages" + query);
  ASSERT_EQ(storages.status, 200) << storages.body;
  ASSERT_EQ(parse(storages)["rootVolumePrimaryStorages"].size(), 1u) << storages.body;
  EXPECT_EQ(parse(storages)["rootVolumePrimaryStorages"][0]["uuid"], ps_);
  EXPECT_TRUE(parse(storages)["dataVolumePrimaryStorages"].empty());

  // An offering no host can hold leaves nothing.
  std::string huge = instanceOffering(64, kGiB);
  Json none = parse(client().send("GET", "/zstack/v1/vm-instances/candidate-destinations" + query +
                                             "&instanceOfferingUuid=" + huge));
  EXPECT_TRUE(none["hosts"].empty()) << none;
  EXPECT_TRUE(none["zones"].empty());
}

}  // namespace
}  // namespace strato::test
