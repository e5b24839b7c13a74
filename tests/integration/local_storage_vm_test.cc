// VMs and volumes on LocalStorage over HTTP, on simulator hosts: every file is on one host's
// disk (QueryLocalStorageResourceRef, GetLocalStorageHostDiskCapacity), a VM runs only where its
// disks are, a volume joins only VMs of its host, and LocalStorageMigrateVolume (4.4.15.3) with
// LocalStorageGetVolumeMigratableHosts (4.4.15.5) moves a stopped VM's disks to another host.
#include "integration/vm_fixture.h"

namespace strato::test {
namespace {

class LocalStorageVmTest : public VmTest {
 protected:
  void SetUp() override {
    VmTest::SetUp();
    buildCloud(2);
    // Host 1's disk is small, so a large volume fits only on host 0's.
    createSystemTag("HostVO", hosts_[1],
                    "localStorage::simulatorDisk::" + std::to_string(20 * kGiB));
    ASSERT_EQ(detachReply(ps_, cluster_).status, 200);
    local_ = addLocal(zone_)["uuid"];
    attach(local_, cluster_);
    disk_ = created(post("disk-offerings", {{"name", "d"}, {"diskSize", kGiB}}))["uuid"];
    for (const auto& h : hosts_) initial_[h] = diskAvailable(h);
  }

  std::int64_t diskAvailable(const std::string& host) { return localDiskAvailable(local_, host); }
  Json dataVolumeOn(const std::string& host) {
    return created(
        post("volumes/data",
             {{"name", "data"}, {"diskOfferingUuid", disk_}, {"primaryStorageUuid", local_}},
             Json::array({"localStorage::hostUuid::" + host})));
  }

  std::string local_, disk_;
  std::map<std::string, std::int64_t> initial_;
};

TEST_F(LocalStorageVmTest, AVmRunsWhereItsDisksAreAndMovesWithThemWhileStopped) {
  Json params = vmParams("web");
  params["hostUuid"] = hosts_[0];
  Json v = created(createVmReply(params));
  std::string vm = v["uuid"], root = v["rootVolumeUuid"];
  Json rootRef = localRef(root);
  ASSERT_FALSE(rootRef.is_null());
  EXPECT_EQ(rootRef["hostUuid"], hosts_[0]);
  EXPECT_EQ(rootRef["primaryStorageUuid"], local_);
  EXPECT_EQ(rootRef["resourceType"], "VolumeVO");
  EXPECT_EQ(rootRef["size"], imageSize_);
  EXPECT_EQ(diskAvailable(hosts_[0]), initial_[hosts_[0]] - imageSize_);
  EXPECT_EQ(diskAvailable(hosts_[1]), initial_[hosts_[1]]);

  // Bound to host 0: it restarts there, cannot migrate live, and has no migration candidates.
  for (int i = 0; i < 3; ++i) {
    vmActionOk(vm, {{"stopVmInstance", Json::object()}});
    EXPECT_EQ(vmActionOk(vm, {{"startVmInstance", Json::object()}})["hostUuid"], hosts_[0]);
  }
  auto live = vmAction(vm, {{"migrateVm", {{"hostUuid", hosts_[1]}}}});
  EXPECT_EQ(live.status, 503) << live.body;
  EXPECT_NE(errorOf(live).find("local disk of host " + hosts_[0]), std::string::npos) << live.body;
  EXPECT_TRUE(uuidsOf("vm-instances/" + vm + "/migration-target-hosts").empty());

  // A data volume on host 1's disk joins only VMs of host 1; one on host 0's joins.
  std::string far = dataVolumeOn(hosts_[1])["uuid"];
  EXPECT_EQ(localRef(far)["hostUuid"], hosts_[1]);
  EXPECT_EQ(uuidsOf("volumes/" + far + "/candidate-vm-instances"), std::vector<std::string>{});
  auto refused = attachVolume(far, vm);
  EXPECT_EQ(refused.status, 503) << refused.body;
  EXPECT_NE(errorOf(refused).find("local disk of host " + hosts_[1]), std::string::npos)
      << refused.body;
  std::string near = dataVolumeOn(hosts_[0])["uuid"];
  ASSERT_EQ(attachVolume(near, vm).status, 200);
  // A snapshot lives beside its volume, on the same disk.
  std::string snapshot =
      created(post("volumes/" + root + "/volume-snapshots", {{"name", "s"}}))["uuid"];
  EXPECT_EQ(localRef(snapshot)["hostUuid"], hosts_[0]);
  EXPECT_EQ(localRef(snapshot)["resourceType"], "VolumeSnapshotVO");
  std::int64_t onHost0 = 2 * imageSize_ + kGiB;
  EXPECT_EQ(diskAvailable(hosts_[0]), initial_[hosts_[0]] - onHost0);

  // Moving needs the VM stopped; then the root volume (with its snapshot) and the data volume go.
  EXPECT_EQ(uuidsOf("volumes/" + root + "/migration-target-hosts"),
            std::vector<std::string>{hosts_[1]});
  auto running = localMigrate(root, hosts_[1]);
  EXPECT_EQ(running.status, 503) << running.body;
  EXPECT_NE(errorOf(running).find("Running"), std::string::npos) << running.body;
  vmActionOk(vm, {{"stopVmInstance", Json::object()}});
  auto moved = localMigrate(root, hosts_[1]);
  ASSERT_EQ(moved.status, 200) << moved.body;
  EXPECT_EQ(parse(moved)["inventory"]["resourceUuid"], root);
  EXPECT_EQ(parse(moved)["inventory"]["hostUuid"], hosts_[1]);
  EXPECT_EQ(localRef(snapshot)["hostUuid"], hosts_[1]);
  // Half moved, the VM has disks on two hosts and says so rather than start.
  auto split = vmAction(vm, {{"startVmInstance", Json::object()}});
  EXPECT_EQ(split.status, 503) << split.body;
  EXPECT_NE(errorOf(split).find("local disks of hosts"), std::string::npos) << split.body;
  ASSERT_EQ(localMigrate(near, hosts_[1]).status, 200);
  EXPECT_EQ(diskAvailable(hosts_[0]), initial_[hosts_[0]]);
  EXPECT_EQ(diskAvailable(hosts_[1]), initial_[hosts_[1]] - onHost0 - kGiB);
  EXPECT_EQ(vmActionOk(vm, {{"startVmInstance", Json::object()}})["hostUuid"], hosts_[1]);
  ASSERT_EQ(attachVolume(far, vm).status, 200);

  // Gone with the VM: every file, every ref, every byte of both disks.
  vmActionOk(vm, {{"stopVmInstance", Json::object()}});
  for (const auto& volume : {near, far}) {
    ASSERT_EQ(client().call("DELETE", "/zstack/v1/volumes/" + volume + "/vm-instances").status,
              200);
    ASSERT_EQ(client().call("DELETE", "/zstack/v1/volumes/" + volume).status, 200);
    ASSERT_EQ(client()
                  .call("PUT", "/zstack/v1/volumes/" + volume + "/actions",
                        {{"expungeDataVolume", Json::object()}})
                  .status,
              200);
  }
  ASSERT_EQ(client().call("DELETE", std::string(kVms) + "/" + vm).status, 200);
  EXPECT_EQ(query("/zstack/v1/primary-storage/local-storage/resource-refs").size(), 0u);
  for (const auto& h : hosts_) EXPECT_EQ(diskAvailable(h), initial_[h]) << h;
  EXPECT_EQ(ps(local_)["availableCapacity"], ps(local_)["totalCapacity"]);
}

TEST_F(LocalStorageVmTest, EachDiskKeepsItsOwnCapacity) {
  // 30 GiB fits the storage as a whole, and host 0's disk, but not host 1's 20 GiB.
  std::string big =
      created(post("disk-offerings", {{"name", "big"}, {"diskSize", 30 * kGiB}}))["uuid"];
  auto tooBig = post("volumes/data",
                     {{"name", "big"}, {"diskOfferingUuid", big}, {"primaryStorageUuid", local_}},
                     Json::array({"localStorage::hostUuid::" + hosts_[1]}));
  EXPECT_EQ(tooBig.status, 503) << tooBig.body;
  EXPECT_NE(errorOf(tooBig).find("local disk of host " + hosts_[1]), std::string::npos)
      << tooBig.body;
  EXPECT_EQ(diskAvailable(hosts_[1]), initial_[hosts_[1]]);
  EXPECT_EQ(ps(local_)["availableCapacity"], ps(local_)["totalCapacity"]);

  // Without a host, the roomiest disk takes it; it cannot move to the small one.
  std::string volume = created(
      post("volumes/data",
           {{"name", "big"}, {"diskOfferingUuid", big}, {"primaryStorageUuid", local_}}))["uuid"];
  EXPECT_EQ(localRef(volume)["hostUuid"], hosts_[0]);
  auto caps = client().send("GET", "/zstack/v1/volumes/" + volume + "/capabilities");
  EXPECT_EQ(parse(caps)["capabilities"], (Json{{"MigrationToOtherPrimaryStorage", false},
                                               {"MigrationInCurrentPrimaryStorage", true}}));
  EXPECT_TRUE(uuidsOf("volumes/" + volume + "/migration-target-hosts").empty());
  auto noRoom = localMigrate(volume, hosts_[1]);
  EXPECT_EQ(noRoom.status, 503) << noRoom.body;
  EXPECT_NE(errorOf(noRoom).find("not enough capacity"), std::string::npos) << noRoom.body;
  EXPECT_EQ(localRef(volume)["hostUuid"], hosts_[0]);
  EXPECT_EQ(diskAvailable(hosts_[1]), initial_[hosts_[1]]);

  // A VM whose root disk cannot fit a host's disk is not placed there.
  std::string bigRoot =
      created(post("disk-offerings", {{"name", "r"}, {"diskSize", 25 * kGiB}}))["uuid"];
  Json params = vmParams("big");
  params["rootDiskOfferingUuid"] = bigRoot;
  params["hostUuid"] = hosts_[1];
  auto noHost = createVmReply(params);
  EXPECT_EQ(noHost.status, 503) << noHost.body;
  EXPECT_EQ(diskAvailable(hosts_[1]), initial_[hosts_[1]]);
}

TEST_F(LocalStorageVmTest, AHostIsDeletedWithTheFilesOnItsDiskOnlyWhenEnforced) {
  Json params = vmParams("web");
  params["hostUuid"] = hosts_[1];
  std::string vm = created(createVmReply(params))["uuid"];
  vmActionOk(vm, {{"stopVmInstance", Json::object()}});
  std::string volume = dataVolumeOn(hosts_[1])["uuid"];
  auto detached = detachReply(local_, cluster_);
  EXPECT_EQ(detached.status, 503) << detached.body;
  EXPECT_NE(errorOf(detached).find("holds 2 volume or snapshot file(s)"), std::string::npos)
      << detached.body;
  auto refused = client().call("DELETE", "/zstack/v1/hosts/" + hosts_[1]);
  EXPECT_EQ(refused.status, 503) << refused.body;
  EXPECT_NE(errorOf(refused).find("local disk of host " + hosts_[1] + " holds 2"),
            std::string::npos)
      << refused.body;
  ASSERT_EQ(
      client().call("DELETE", "/zstack/v1/hosts/" + hosts_[1] + "?deleteMode=Enforcing").status,
      200);
  // The VM's disk went with the host: it says so instead of starting without one.
  auto diskless = vmAction(vm, {{"startVmInstance", Json::object()}});
  EXPECT_EQ(diskless.status, 503) << diskless.body;
  EXPECT_NE(errorOf(diskless).find("host that was deleted"), std::string::npos) << diskless.body;
  ASSERT_EQ(client().call("DELETE", std::string(kVms) + "/" + vm).status, 200);
  ASSERT_EQ(client().call("DELETE", "/zstack/v1/volumes/" + volume).status, 200);
  auto expunged = client().call("PUT", "/zstack/v1/volumes/" + volume + "/actions",
                                {{"expungeDataVolume", Json::object()}});
  ASSERT_EQ(expunged.status, 200) << expunged.body;
  EXPECT_EQ(total("/zstack/v1/volumes"), 0);
  EXPECT_EQ(query("/zstack/v1/primary-storage/local-storage/resource-refs").size(), 0u);
  EXPECT_EQ(ps(local_)["availableCapacity"], ps(local_)["totalCapacity"]);
}

TEST_F(LocalStorageVmTest, MigrationRefusesWhatItCannotMove) {
  auto unknown = localMigrate(std::string(32, 'a'), hosts_[1]);
  EXPECT_EQ(unknown.status, 503) << unknown.body;
  EXPECT_NE(errorOf(unknown).find("names no volume"), std::string::npos) << unknown.body;
  std::string volume = dataVolumeOn(hosts_[0])["uuid"];
  auto same = localMigrate(volume, hosts_[0]);
  EXPECT_EQ(same.status, 503) << same.body;
  EXPECT_NE(errorOf(same).find("already"), std::string::npos) << same.body;
  auto nowhere = localMigrate(volume, std::string(32, 'b'));
  EXPECT_EQ(nowhere.status, 503) << nowhere.body;
  EXPECT_NE(errorOf(nowhere).find("not a Connected host"), std::string::npos) << nowhere.body;
  EXPECT_EQ(query("/zstack/v1/volumes/" + volume)[0]["status"], "Ready");

  // A volume without a file, or on shared storage, is not on a host's disk.
  std::string later =
      created(post("volumes/data", {{"name", "later"}, {"diskOfferingUuid", disk_}}))["uuid"];
  auto noFile = localMigrate(later, hosts_[1]);
  EXPECT_EQ(noFile.status, 503) << noFile.body;
  EXPECT_NE(errorOf(noFile).find("not on a host's local storage"), std::string::npos)
      << noFile.body;
  auto candidates = client().send("GET", "/zstack/v1/volumes/" + later + "/migration-target-hosts");
  EXPECT_EQ(candidates.status, 400) << candidates.body;
}

// A file on one host's disk cannot serve guests on the others: no volume there is shareable.
TEST_F(LocalStorageVmTest, NoShareableVolumeLivesOnAHostsDisk) {
  auto refused =
      post("volumes/data",
           {{"name", "shared"}, {"diskOfferingUuid", disk_}, {"primaryStorageUuid", local_}},
           Json::array({"ephemeral::shareable"}));
  EXPECT_EQ(codeOf(refused), "SYS.1009") << refused.body;
  EXPECT_NE(refused.body.find("its files live on one host's disk"), std::string::npos)
      << refused.body;
  EXPECT_TRUE(query("/zstack/v1/volumes?q=type=Data").empty());
  for (const auto& h : hosts_) EXPECT_EQ(diskAvailable(h), initial_[h]);

  // Nor does a NotInstantiated one get its file there when it first joins a VM.
  std::string vm = createVm("web")["uuid"];
  std::string uuid = created(post("volumes/data", {{"name", "shared"}, {"diskOfferingUuid", disk_}},
                                  Json::array({"ephemeral::shareable"})))["uuid"];
  auto attached = attachVolume(uuid, vm);
  EXPECT_EQ(codeOf(attached), "SYS.1009") << attached.body;
  Json left = query("/zstack/v1/volumes/" + uuid)[0];
  EXPECT_EQ(left["status"], "NotInstantiated");
  EXPECT_TRUE(query("/zstack/v1/volumes/vm-instances/refs").empty());
}

}  // namespace
}  // namespace strato::test
