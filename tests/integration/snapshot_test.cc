// Volume snapshots (3.2.21-3.2.27, 3.2.7) and snapshot groups over HTTP on simulator storage:
// the tree a volume's snapshots form, reverting and branching, deleting a snapshot with what was
// taken from it, and the storage's capacity after every step.
#include "integration/vm_fixture.h"

namespace strato::test {
namespace {

class SnapshotTest : public VmTest {
 protected:
  void SetUp() override {
    VmTest::SetUp();
    buildCloud(1);
    disk_ = created(post("disk-offerings", {{"name", "d1"}, {"diskSize", kGiB}}))["uuid"];
  }
  std::string dataVolume() {
    return created(post("volumes/data", {{"name", "data"}, {"diskOfferingUuid", disk_},
                                         {"primaryStorageUuid", ps_}}))["uuid"];
  }
  HttpReply snapshotReply(const std::string& volume, const std::string& name) {
    return post("volumes/" + volume + "/volume-snapshots", {{"name", name}});
  }
  Json snapshot(const std::string& volume, const std::string& name) {
    return created(snapshotReply(volume, name));
  }
  Json snapshotNow(const std::string& uuid) {
    Json found = query("/zstack/v1/volume-snapshots/" + uuid);
    return found.empty() ? Json() : found[0];
  }
  HttpReply revert(const std::string& uuid) {
    return client().call("PUT", "/zstack/v1/volume-snapshots/" + uuid + "/actions",
                         {{"revertVolumeFromSnapshot", Json::object()}});
  }
  HttpReply remove(const std::string& uuid) {
    return client().call("DELETE", "/zstack/v1/volume-snapshots/" + uuid);
  }
  std::string disk_;
};

TEST_F(SnapshotTest, TreeRevertBranchAndDeleteWithDescendants) {
  std::string volume = dataVolume();
  std::int64_t before = psAvailable();
  Json s1 = snapshot(volume, "s1");
  EXPECT_EQ(s1["type"], "Hypervisor");
  EXPECT_EQ(s1["volumeUuid"], volume);
  EXPECT_EQ(s1["volumeType"], "Data");
  EXPECT_EQ(s1["latest"], true);
  EXPECT_EQ(s1["status"], "Ready");
  EXPECT_EQ(s1["size"], kGiB);
  EXPECT_FALSE(s1.contains("parentUuid"));
  EXPECT_NE(s1["primaryStorageInstallPath"].get<std::string>().find("/snapshots/"), std::string::npos);
  EXPECT_EQ(psAvailable(), before - kGiB);  // a simulator snapshot is a full copy

  Json s2 = snapshot(volume, "s2");
  EXPECT_EQ(s2["parentUuid"], s1["uuid"]);
  EXPECT_EQ(s2["treeUuid"], s1["treeUuid"]);
  EXPECT_EQ(snapshotNow(s1["uuid"])["latest"], false);

  // Back to s1, then a new snapshot branches from it.
  ASSERT_EQ(revert(s1["uuid"]).status, 200);
  EXPECT_EQ(snapshotNow(s1["uuid"])["latest"], true);
  EXPECT_EQ(snapshotNow(s2["uuid"])["latest"], false);
  Json s3 = snapshot(volume, "s3");
  EXPECT_EQ(s3["parentUuid"], s1["uuid"]);
  Json trees = query("/zstack/v1/volume-snapshots/trees?q=volumeUuid=" + volume);
  ASSERT_EQ(trees.size(), 1u);
  EXPECT_EQ(trees[0]["current"], true);
  EXPECT_EQ(trees[0]["uuid"], s1["treeUuid"]);

  auto renamed = client().call("PUT", "/zstack/v1/volume-snapshots/" + s2["uuid"].get<std::string>() + "/actions",
                               {{"updateVolumeSnapshot", {{"name", "before-upgrade"}}}});
  ASSERT_EQ(renamed.status, 200) << renamed.body;
  EXPECT_EQ(parse(renamed)["inventory"]["name"], "before-upgrade");

  // s1 goes with s2 and s3, which were taken from it; all their capacity comes back.
  ASSERT_EQ(remove(s1["uuid"]).status, 200);
  EXPECT_EQ(rowsIn("volume_snapshot"), 0);
  EXPECT_EQ(rowsIn("volume_snapshot_tree"), 0);
  EXPECT_EQ(psAvailable(), before);
  EXPECT_EQ(remove(s1["uuid"]).status, 200);  // gone is gone
}

TEST_F(SnapshotTest, DeletingTheLatestMakesItsParentLatestAndFailuresTakeNothing) {
  std::string volume = dataVolume();
  Json s1 = snapshot(volume, "s1");
  Json s2 = snapshot(volume, "s2");
  ASSERT_EQ(remove(s2["uuid"]).status, 200);
  EXPECT_EQ(snapshotNow(s1["uuid"])["latest"], true);
  EXPECT_EQ(snapshot(volume, "s3")["parentUuid"], s1["uuid"]);

  std::int64_t before = psAvailable();
  createSystemTag("PrimaryStorageVO", ps_, "simulator::failSnapshot");
  auto failed = snapshotReply(volume, "s4");
  EXPECT_EQ(failed.status, 503) << failed.body;
  EXPECT_EQ(rowsIn("volume_snapshot"), 2);
  EXPECT_EQ(psAvailable(), before);
}

TEST_F(SnapshotTest, VolumeFromSnapshotAndRevertNeedsAStoppedVm) {
  Json v = createVm("web");
  std::string vm = v["uuid"], root = v["rootVolumeUuid"];
  Json s = snapshot(root, "root-1");  // a running VM's disk may be snapshotted
  EXPECT_EQ(s["volumeType"], "Root");
  auto refused = revert(s["uuid"]);
  EXPECT_EQ(refused.status, 503) << refused.body;
  EXPECT_NE(refused.body.find("must be Created, Stopped"), std::string::npos) << refused.body;
  vmActionOk(vm, {{"stopVmInstance", Json::object()}});
  EXPECT_EQ(revert(s["uuid"]).status, 200);

  auto copy = post("volumes/data/from/volume-snapshots/" + s["uuid"].get<std::string>(),
                   {{"name", "copy"}});
  ASSERT_EQ(copy.status, 200) << copy.body;
  Json made = parse(copy)["inventory"];
  EXPECT_EQ(made["type"], "Data");
  EXPECT_EQ(made["status"], "Ready");
  EXPECT_EQ(made["size"], s["size"]);
  EXPECT_EQ(made["primaryStorageUuid"], ps_);
  EXPECT_EQ(codeOf(post("volumes/data/from/volume-snapshots/" + s["uuid"].get<std::string>(),
                        {{"name", "elsewhere"}, {"primaryStorageUuid", image_}})),
            "SYS.1007");

  // Expunging the VM takes its root volume's snapshots and gives their capacity back.
  std::int64_t withSnapshot = psAvailable();
  ASSERT_EQ(client().call("DELETE", std::string(kVms) + "/" + vm).status, 200);
  EXPECT_EQ(rowsIn("volume_snapshot"), 0);
  EXPECT_EQ(psAvailable(), withSnapshot + 2 * imageSize_);
}

TEST_F(SnapshotTest, GroupTakesEveryVolumeOfTheVm) {
  Json params = vmParams("db");
  params["dataDiskOfferingUuids"] = {disk_};
  Json v = created(createVmReply(params));
  auto made = post("volume-snapshots/group", {{"rootVolumeUuid", v["rootVolumeUuid"]}, {"name", "nightly"}});
  ASSERT_EQ(made.status, 200) << made.body;
  Json group = parse(made)["inventory"];
  EXPECT_EQ(group["snapshotCount"], 2);
  EXPECT_EQ(group["vmInstanceUuid"], v["uuid"]);
  ASSERT_EQ(group["volumeSnapshotRefs"].size(), 2u) << group;
  EXPECT_EQ(group["volumeSnapshotRefs"][0]["deviceId"], 0);
  EXPECT_EQ(group["volumeSnapshotRefs"][0]["volumeType"], "Root");
  EXPECT_EQ(group["volumeSnapshotRefs"][1]["volumeType"], "Data");
  EXPECT_EQ(rowsIn("volume_snapshot"), 2);
  std::string uuid = group["uuid"];

  auto renamed = client().call("PUT", "/zstack/v1/volume-snapshots/group/" + uuid + "/actions",
                               {{"updateVolumeSnapshotGroup", {{"name", "weekly"}}}});
  ASSERT_EQ(renamed.status, 200) << renamed.body;
  EXPECT_EQ(parse(renamed)["inventory"]["name"], "weekly");

  // One member deleted on its own shows as deleted in the group.
  ASSERT_EQ(remove(group["volumeSnapshotRefs"][1]["volumeSnapshotUuid"]).status, 200);
  Json listed = query("/zstack/v1/volume-snapshots/group?q=uuid=" + uuid);
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_EQ(listed[0]["volumeSnapshotRefs"][1]["snapshotDeleted"], true);

  auto removed = client().call("DELETE", "/zstack/v1/volume-snapshots/group/" + uuid);
  ASSERT_EQ(removed.status, 200) << removed.body;
  ASSERT_EQ(parse(removed)["results"].size(), 1u) << removed.body;
  EXPECT_EQ(parse(removed)["results"][0]["success"], true);
  EXPECT_EQ(rowsIn("volume_snapshot"), 0);
  EXPECT_EQ(rowsIn("volume_snapshot_group"), 0);
}

}  // namespace
}  // namespace strato::test
