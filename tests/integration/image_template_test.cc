// Images made from volumes and snapshots over HTTP (3.3.9-3.3.12): the copy lands on a backup
// storage of the zone, and new VMs and volumes come from it.
#include "integration/vm_fixture.h"

namespace strato::test {
namespace {

class ImageTemplateTest : public VmTest {
 protected:
  void SetUp() override {
    VmTest::SetUp();
    buildCloud(1);
    bs_ = query("/zstack/v1/backup-storage")[0]["uuid"];
  }
  HttpReply fromRoot(const std::string& root, const Json& extra = Json::object()) {
    Json params{{"name", "golden"}};
    params.update(extra);
    return post("images/root-volume-templates/from/volumes/" + root, params);
  }
  std::string bs_;
};

TEST_F(ImageTemplateTest, RootVolumeTemplateOfAStoppedVmBootsNewVms) {
  Json v = createVm("web");
  std::string root = v["rootVolumeUuid"];
  auto refused = fromRoot(root);
  EXPECT_EQ(refused.status, 503) << refused.body;
  EXPECT_NE(refused.body.find("stop it before"), std::string::npos) << refused.body;
  EXPECT_EQ(rowsIn("image"), 1);

  auto candidates = client().send("GET", "/zstack/v1/images/volumes/" + root + "/candidate-backup-storage");
  ASSERT_EQ(candidates.status, 200) << candidates.body;
  ASSERT_EQ(parse(candidates)["inventories"].size(), 1u) << candidates.body;
  EXPECT_EQ(parse(candidates)["inventories"][0]["uuid"], bs_);

  vmActionOk(v["uuid"], {{"stopVmInstance", Json::object()}});
  auto made = fromRoot(root, {{"backupStorageUuids", {bs_}}, {"platform", "Linux"}});
  ASSERT_EQ(made.status, 200) << made.body;
  Json image = parse(made)["inventory"];
  EXPECT_EQ(image["mediaType"], "RootVolumeTemplate");
  EXPECT_EQ(image["status"], "Ready");
  EXPECT_EQ(image["format"], "qcow2");
  EXPECT_EQ(image["size"], imageSize_);
  EXPECT_EQ(image["url"], "volume://" + root);
  ASSERT_EQ(image["backupStorageRefs"].size(), 1u);
  EXPECT_EQ(image["backupStorageRefs"][0]["backupStorageUuid"], bs_);

  Json params = vmParams("clone");
  params["imageUuid"] = image["uuid"];
  Json clone = created(createVmReply(params));
  EXPECT_EQ(clone["state"], "Running");
  EXPECT_EQ(clone["imageUuid"], image["uuid"]);

  // No storage named: the zone's one is taken.
  auto again = fromRoot(root, {{"name", "golden-2"}});
  ASSERT_EQ(again.status, 200) << again.body;
  EXPECT_EQ(parse(again)["inventory"]["backupStorageRefs"][0]["backupStorageUuid"], bs_);
}

TEST_F(ImageTemplateTest, DataTemplateAndSnapshotTemplate) {
  std::string disk = created(post("disk-offerings", {{"name", "d"}, {"diskSize", kGiB}}))["uuid"];
  std::string volume = created(post("volumes/data", {{"name", "data"}, {"diskOfferingUuid", disk},
                                                     {"primaryStorageUuid", ps_}}))["uuid"];
  auto made = post("images/data-volume-templates/from/volumes/" + volume,
                   {{"name", "data-tpl"}, {"backupStorageUuids", {bs_}}});
  ASSERT_EQ(made.status, 200) << made.body;
  Json tpl = parse(made)["inventory"];
  EXPECT_EQ(tpl["mediaType"], "DataVolumeTemplate");
  EXPECT_EQ(tpl["size"], kGiB);
  auto copy = post("volumes/data/from/data-volume-templates/" + tpl["uuid"].get<std::string>(),
                   {{"name", "copy"}, {"primaryStorageUuid", ps_}});
  ASSERT_EQ(copy.status, 200) << copy.body;
  EXPECT_EQ(parse(copy)["inventory"]["status"], "Ready");

  Json snapshot = created(post("volumes/" + volume + "/volume-snapshots", {{"name", "s"}}));
  auto fromSnapshot = post("images/root-volume-templates/from/volume-snapshots/" +
                               snapshot["uuid"].get<std::string>(),
                           {{"name", "snap-tpl"}, {"backupStorageUuids", {bs_}}});
  ASSERT_EQ(fromSnapshot.status, 200) << fromSnapshot.body;
  EXPECT_EQ(parse(fromSnapshot)["inventory"]["url"], "volumeSnapshot://" + snapshot["uuid"].get<std::string>());
}

TEST_F(ImageTemplateTest, AStorageThatFailsLeavesNoImage) {
  std::string disk = created(post("disk-offerings", {{"name", "d"}, {"diskSize", kGiB}}))["uuid"];
  std::string volume = created(post("volumes/data", {{"name", "data"}, {"diskOfferingUuid", disk},
                                                     {"primaryStorageUuid", ps_}}))["uuid"];
  createSystemTag("BackupStorageVO", bs_, "simulator::failDownload");
  auto failed = post("images/data-volume-templates/from/volumes/" + volume,
                     {{"name", "data-tpl"}, {"backupStorageUuids", {bs_}}});
  EXPECT_EQ(failed.status, 503) << failed.body;
  EXPECT_EQ(rowsIn("image"), 1);  // only the cloud's own image
  EXPECT_EQ(rowsIn("image_backup_storage_ref"), 1);
}

}  // namespace
}  // namespace strato::test
