// Volumes moving between primary storages over HTTP (4.4.13-14): the candidates, the capacity
// of both storages after the move, and what is refused (a running VM's disk, a volume with
// snapshots, a storage its VM's cluster does not use).
#include "integration/vm_fixture.h"

namespace strato::test {
namespace {

class VolumeMigrationTest : public VmTest {
 protected:
  void SetUp() override {
    VmTest::SetUp();
    buildCloud(1);
    other_ = addSimulator(zone_, 1000 * kGiB, 1000 * kGiB)["uuid"];
    attach(other_, cluster_);
    disk_ = created(post("disk-offerings", {{"name", "d"}, {"diskSize", kGiB}}))["uuid"];
  }
  std::vector<std::string> candidates(const std::string& volume) {
    auto reply = client().send("GET", "/zstack/v1/primary-storage/volumes/" + volume + "/migration-candidates");
    EXPECT_EQ(reply.status, 200) << reply.body;
    Json body = parse(reply);
    std::vector<std::string> out;
    for (const auto& ps : body["inventories"]) out.push_back(ps["uuid"]);
    return out;
  }
  HttpReply migrate(const std::string& volume, const std::string& to) {
    return client().call("PUT", "/zstack/v1/primary-storage/volumes/" + volume + "/actions",
                         {{"primaryStorageMigrateVolume", {{"dstPrimaryStorageUuid", to}}}});
  }
  std::int64_t available(const std::string& uuid) {
    return query("/zstack/v1/primary-storage/" + uuid)[0]["availableCapacity"].get<std::int64_t>();
  }
  std::string other_, disk_;
};

TEST_F(VolumeMigrationTest, DataVolumeMovesWithItsCapacity) {
  std::string volume = created(post("volumes/data", {{"name", "data"}, {"diskOfferingUuid", disk_},
                                                     {"primaryStorageUuid", ps_}}))["uuid"];
  EXPECT_EQ(candidates(volume), std::vector<std::string>{other_});
  std::int64_t fromBefore = available(ps_), toBefore = available(other_);
  auto moved = migrate(volume, other_);
  ASSERT_EQ(moved.status, 200) << moved.body;
  Json v = parse(moved)["inventory"];
  EXPECT_EQ(v["primaryStorageUuid"], other_);
  EXPECT_EQ(v["status"], "Ready");
  EXPECT_NE(v["installPath"].get<std::string>().find(other_), std::string::npos);
  EXPECT_EQ(available(ps_), fromBefore + kGiB);
  EXPECT_EQ(available(other_), toBefore - kGiB);
  EXPECT_EQ(candidates(volume), std::vector<std::string>{ps_});

  ASSERT_EQ(post("volumes/" + volume + "/volume-snapshots", {{"name", "s"}}).status, 200);
  auto refused = migrate(volume, ps_);
  EXPECT_EQ(refused.status, 503) << refused.body;
  EXPECT_NE(refused.body.find("has snapshots"), std::string::npos) << refused.body;
}

TEST_F(VolumeMigrationTest, ARootVolumeMovesWhileItsVmIsStopped) {
  Json v = createVm("web");
  std::string vm = v["uuid"], root = v["rootVolumeUuid"];
  std::string from = query("/zstack/v1/volumes/" + root)[0]["primaryStorageUuid"];
  std::string to = from == ps_ ? other_ : ps_;
  auto running = migrate(root, to);
  EXPECT_EQ(running.status, 503) << running.body;
  EXPECT_NE(running.body.find("cannot move a volume while VM " + vm + " is Running"), std::string::npos)
      << running.body;

  // A storage the VM's cluster does not use is no destination.
  std::string elsewhere = addSimulator(zone_, 1000 * kGiB, 1000 * kGiB)["uuid"];
  EXPECT_EQ(candidates(root), std::vector<std::string>{to});
  vmActionOk(vm, {{"stopVmInstance", Json::object()}});
  EXPECT_EQ(migrate(root, elsewhere).status, 503);

  ASSERT_EQ(migrate(root, to).status, 200);
  EXPECT_EQ(query("/zstack/v1/volumes/" + root)[0]["primaryStorageUuid"], to);
  EXPECT_EQ(vmActionOk(vm, {{"startVmInstance", Json::object()}})["state"], "Running");
}

}  // namespace
}  // namespace strato::test
