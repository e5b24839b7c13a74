// Shareable volumes over HTTP (3.1.13, 3.2.18-20): one data volume created with ZStack's
// "ephemeral::shareable" tag joins several VMs at once, each with a device id of its own
// (QueryShareableVolumeVmInstanceRef), leaves them one at a time, and holds its storage once.
#include "integration/vm_fixture.h"

namespace strato::test {
namespace {

class ShareableVolumeTest : public VmTest {
 protected:
  void SetUp() override {
    VmTest::SetUp();
    buildCloud(2);
    diskOffering_ = created(post("disk-offerings", {{"name", "d1"}, {"diskSize", kGiB}}))["uuid"];
  }
  HttpReply dataVolumeReply(const std::string& name, const std::string& ps, bool shareable) {
    Json params{{"name", name}, {"diskOfferingUuid", diskOffering_}};
    if (!ps.empty()) params["primaryStorageUuid"] = ps;
    return post("volumes/data", params,
                shareable ? Json::array({"ephemeral::shareable", "capability::virtio-scsi"})
                          : Json::array());
  }
  Json shareableVolume(const std::string& name, const std::string& ps = "") {
    return created(dataVolumeReply(name, ps, true));
  }
  HttpReply detach(const std::string& volume, const std::string& vm = "") {
    return client().call("DELETE", "/zstack/v1/volumes/" + volume + "/vm-instances" +
                                       (vm.empty() ? "" : "?vmUuid=" + vm));
  }
  // {vm uuid: device id} of the volume's attachments.
  std::map<std::string, int> refsOf(const std::string& volume) {
    std::map<std::string, int> out;
    for (const auto& r : query("/zstack/v1/volumes/vm-instances/refs?q=volumeUuid=" + volume))
      out[r["vmInstanceUuid"]] = r["deviceId"];
    return out;
  }
  std::string diskOffering_;
};

TEST_F(ShareableVolumeTest, OneVolumeServesTwoVmsEachWithItsOwnDeviceId) {
  std::string a = createVm("a")["uuid"], b = createVm("b")["uuid"];
  // a's first data device id is taken by a volume of its own.
  std::string own = created(dataVolumeReply("own", ps_, false))["uuid"];
  ASSERT_EQ(attachVolume(own, a).status, 200);

  std::int64_t psBefore = psAvailable();
  Json volume = shareableVolume("shared", ps_);
  std::string uuid = volume["uuid"];
  EXPECT_EQ(volume["isShareable"], true);
  EXPECT_EQ(volume["format"], "raw");  // every guest writes it: no qcow2 metadata to race on
  EXPECT_EQ(volume["status"], "Ready");
  EXPECT_EQ(psAvailable(), psBefore - kGiB);
  auto both = uuidsOf("volumes/" + uuid + "/candidate-vm-instances");
  EXPECT_EQ(std::set<std::string>(both.begin(), both.end()), (std::set<std::string>{a, b}));

  auto toA = attachVolume(uuid, a);
  ASSERT_EQ(toA.status, 200) << toA.body;
  EXPECT_FALSE(parse(toA)["inventory"].contains("vmInstanceUuid")) << toA.body;
  auto toB = attachVolume(uuid, b);
  ASSERT_EQ(toB.status, 200) << toB.body;
  EXPECT_EQ(refsOf(uuid), (std::map<std::string, int>{{a, 2}, {b, 1}}));
  Json ref = query("/zstack/v1/volumes/vm-instances/refs?q=vmInstanceUuid=" + b)[0];
  EXPECT_EQ(ref["volumeUuid"], uuid);
  EXPECT_TRUE(ref.contains("createDate") && ref.contains("lastOpDate")) << ref.dump();
  EXPECT_EQ(psAvailable(), psBefore - kGiB);  // one file, whatever the number of VMs

  // Each VM takes it once; neither lists it as a candidate any more.
  auto again = attachVolume(uuid, a);
  EXPECT_EQ(again.status, 503) << again.body;
  EXPECT_NE(again.body.find("is attached to VM " + a), std::string::npos) << again.body;
  EXPECT_TRUE(uuidsOf("volumes/" + uuid + "/candidate-vm-instances").empty());
  EXPECT_TRUE(uuidsOf("vm-instances/" + a + "/data-volume-candidates").empty());
  // The next volume of b skips the device id the shared one has there.
  std::string next = created(dataVolumeReply("next", ps_, false))["uuid"];
  ASSERT_EQ(attachVolume(next, b).status, 200);
  EXPECT_EQ(query("/zstack/v1/volumes/" + next)[0]["deviceId"], 2);

  // Deleting it would pull the disk from under both guests.
  auto deleted = client().call("DELETE", "/zstack/v1/volumes/" + uuid);
  EXPECT_EQ(deleted.status, 503) << deleted.body;
  EXPECT_NE(deleted.body.find("attached to VMs " + a + ", " + b), std::string::npos) << deleted.body;

  // Leaving names the VM while there are two; the last one may be left unnamed.
  EXPECT_EQ(codeOf(detach(uuid)), "SYS.1007");
  auto offB = detach(uuid, b);
  ASSERT_EQ(offB.status, 200) << offB.body;
  EXPECT_EQ(refsOf(uuid), (std::map<std::string, int>{{a, 2}}));
  EXPECT_EQ(detach(uuid, b).status, 503);  // not attached there any more
  ASSERT_EQ(detach(uuid).status, 200);
  EXPECT_TRUE(refsOf(uuid).empty());
  EXPECT_EQ(psAvailable(), psBefore - 2 * kGiB);  // the shared file and "next"

  ASSERT_EQ(client().call("DELETE", "/zstack/v1/volumes/" + uuid).status, 200);
}

TEST_F(ShareableVolumeTest, AnExpungedVmLetsGoAndTheOthersKeepIt) {
  std::string a = createVm("a")["uuid"], b = createVm("b")["uuid"];
  // Not instantiated: the first attachment gives it its one file.
  std::string uuid = shareableVolume("shared")["uuid"];
  std::int64_t psBefore = psAvailable();
  ASSERT_EQ(attachVolume(uuid, a).status, 200);
  EXPECT_EQ(query("/zstack/v1/volumes/" + uuid)[0]["status"], "Ready");
  ASSERT_EQ(attachVolume(uuid, b).status, 200);
  EXPECT_EQ(psAvailable(), psBefore - kGiB);

  // Moving or snapshotting the disk waits for every VM that has it to stop.
  auto snapshot = client().call("POST", "/zstack/v1/volumes/" + uuid + "/volume-snapshots",
                                {{"params", {{"name", "s"}}}});
  EXPECT_EQ(snapshot.status, 200) << snapshot.body;  // running guests: as for any volume
  std::string snap = parse(snapshot)["inventory"]["uuid"];
  auto revert = client().call("PUT", "/zstack/v1/volume-snapshots/" + snap + "/actions",
                              {{"revertVolumeFromSnapshot", Json::object()}});
  EXPECT_EQ(revert.status, 503) << revert.body;
  EXPECT_NE(revert.body.find("while VM " + a + " is Running"), std::string::npos) << revert.body;
  vmActionOk(a, {{"stopVmInstance", Json::object()}});
  revert = client().call("PUT", "/zstack/v1/volume-snapshots/" + snap + "/actions",
                         {{"revertVolumeFromSnapshot", Json::object()}});
  EXPECT_NE(revert.body.find("while VM " + b + " is Running"), std::string::npos) << revert.body;

  // A stopped VM starts with it again.
  vmActionOk(a, {{"startVmInstance", Json::object()}});
  EXPECT_EQ(vm(a)["state"], "Running");

  // The tests' vm.deletionPolicy is Direct: destroyed is expunged.
  std::int64_t held = psAvailable();
  ASSERT_EQ(client().call("DELETE", std::string(kVms) + "/" + a).status, 200);
  EXPECT_TRUE(vm(a).is_null());
  EXPECT_EQ(refsOf(uuid), (std::map<std::string, int>{{b, 1}}));
  Json left = query("/zstack/v1/volumes/" + uuid)[0];
  EXPECT_EQ(left["status"], "Ready");
  EXPECT_EQ(psAvailable(), held + imageSize_);  // a's root volume; the shared file stays
}

TEST_F(ShareableVolumeTest, MovingOrCopyingItWaitsForEveryVmToStop) {
  std::string a = createVm("a")["uuid"], b = createVm("b")["uuid"];
  std::string uuid = shareableVolume("shared", ps_)["uuid"];
  ASSERT_EQ(attachVolume(uuid, a).status, 200);
  ASSERT_EQ(attachVolume(uuid, b).status, 200);
  std::string other = addSimulator(zone_, 100 * kGiB, 100 * kGiB)["uuid"];
  attach(other, cluster_);
  auto migrate = [&] {
    return client().call("PUT", "/zstack/v1/primary-storage/volumes/" + uuid + "/actions",
                         {{"primaryStorageMigrateVolume", {{"dstPrimaryStorageUuid", other}}}});
  };
  auto template_ = [&] {
    return post("images/data-volume-templates/from/volumes/" + uuid,
                {{"name", "tpl"}, {"backupStorageUuids", {simulatorBackupStorage()}}});
  };

  auto moved = migrate();
  EXPECT_EQ(moved.status, 503) << moved.body;
  EXPECT_NE(moved.body.find("while VM " + a + " is Running"), std::string::npos) << moved.body;
  vmActionOk(a, {{"stopVmInstance", Json::object()}});
  moved = migrate();
  EXPECT_NE(moved.body.find("while VM " + b + " is Running"), std::string::npos) << moved.body;
  auto copied = template_();
  EXPECT_EQ(copied.status, 503) << copied.body;
  EXPECT_NE(copied.body.find("VM " + b + " is Running"), std::string::npos) << copied.body;

  vmActionOk(b, {{"stopVmInstance", Json::object()}});
  moved = migrate();
  ASSERT_EQ(moved.status, 200) << moved.body;
  EXPECT_EQ(query("/zstack/v1/volumes/" + uuid)[0]["primaryStorageUuid"], other);
  EXPECT_EQ(refsOf(uuid), (std::map<std::string, int>{{a, 1}, {b, 1}}));
  EXPECT_EQ(template_().status, 200);
  // Both start again with it where it went.
  vmActionOk(a, {{"startVmInstance", Json::object()}});
  vmActionOk(b, {{"startVmInstance", Json::object()}});
}

}  // namespace
}  // namespace strato::test
