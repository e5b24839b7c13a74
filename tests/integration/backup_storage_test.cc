// Backup storage (section 4.5 of the ZStack manual without Ceph, plus ZStack's Sftp and
// Simulator types) over HTTP against a running strato-server. The SSH types talk to a real sshd
// on loopback.
#include <filesystem>

#include "integration/backup_storage_fixture.h"
#include "support/free_port.h"

namespace strato::test {
namespace {

TEST_F(BackupStorageTest, SimulatorBackupStorageThroughTheBaseApis) {
  Json bs1 = addSimulatorBs("BS-1", 100 * kGiB, 80 * kGiB);
  EXPECT_EQ(keysOf(bs1), (std::set<std::string>{"uuid", "name", "url", "totalCapacity",
                                                "availableCapacity", "type", "state", "status",
                                                "createDate", "lastOpDate", "attachedZoneUuids"}));
  EXPECT_EQ(bs1["type"], "SimulatorBackupStorage");
  EXPECT_EQ(bs1["state"], "Enabled");
  EXPECT_EQ(bs1["status"], "Connected");
  EXPECT_EQ(bs1["totalCapacity"], 100 * kGiB);
  EXPECT_EQ(bs1["availableCapacity"], 80 * kGiB);
  EXPECT_EQ(bs1["attachedZoneUuids"], Json::array());
  std::string uuid = bs1["uuid"];
  // The query engine renders the same inventory.
  EXPECT_EQ(bs(uuid), bs1);

  Json z1 = createZone("z1");
  Json z2 = createZone("z2");
  auto attached = attachBsReply(uuid, z1["uuid"]);
  ASSERT_EQ(attached.status, 200) << attached.body;
  EXPECT_EQ(parse(attached)["inventory"]["attachedZoneUuids"], Json::array({z1["uuid"]}));
  ASSERT_EQ(attachBsReply(uuid, z2["uuid"]).status, 200);
  EXPECT_EQ(setOf(bs(uuid)["attachedZoneUuids"]), (std::set<std::string>{z1["uuid"], z2["uuid"]}));
  EXPECT_EQ(query("/zstack/v1/backup-storage?q=zoneRefs.zone.name=z2").size(), 1u);
  // Twice is refused; so is an unknown zone, and detaching what is not attached.
  EXPECT_EQ(codeOf(attachBsReply(uuid, z1["uuid"])), "SYS.1008");
  EXPECT_EQ(codeOf(attachBsReply(uuid, std::string(32, 'a'))), "SYS.1007");
  auto detached = detachBsReply(uuid, z2["uuid"]);
  ASSERT_EQ(detached.status, 200) << detached.body;
  EXPECT_EQ(parse(detached)["inventory"]["attachedZoneUuids"], Json::array({z1["uuid"]}));
  EXPECT_EQ(codeOf(detachBsReply(uuid, z2["uuid"])), "SYS.1007");

  auto disabled = bsAction(uuid, {{"changeBackupStorageState", {{"stateEvent", "disable"}}}});
  ASSERT_EQ(disabled.status, 200) << disabled.body;
  EXPECT_EQ(parse(disabled)["inventory"]["state"], "Disabled");
  EXPECT_EQ(bsAction(uuid, {{"changeBackupStorageState", {{"stateEvent", "maintain"}}}}).status,
            400);
  auto updated =
      bsAction(uuid, {{"updateBackupStorage", {{"name", "renamed"}, {"description", "d"}}}});
  ASSERT_EQ(updated.status, 200) << updated.body;
  EXPECT_EQ(parse(updated)["inventory"]["name"], "renamed");
  EXPECT_EQ(parse(updated)["inventory"]["description"], "d");
  auto reconnected = bsAction(uuid, {{"reconnectBackupStorage", Json::object()}});
  ASSERT_EQ(reconnected.status, 200) << reconnected.body;
  EXPECT_EQ(parse(reconnected)["inventory"]["status"], "Connected");

  Json bs2 = addSimulatorBs("BS-2", 10 * kGiB, 10 * kGiB);
  EXPECT_EQ(bsCapacity("all=true"),
            (Json{{"totalCapacity", 110 * kGiB}, {"availableCapacity", 90 * kGiB}}));
  EXPECT_EQ(bsCapacity("zoneUuids=" + z1["uuid"].get<std::string>())["totalCapacity"], 100 * kGiB);
  EXPECT_EQ(bsCapacity("backupStorageUuids=" + bs2["uuid"].get<std::string>())["totalCapacity"],
            10 * kGiB);
  EXPECT_EQ(client().send("GET", "/zstack/v1/backup-storage/capacities").status, 400);

  auto types = client().send("GET", "/zstack/v1/backup-storage/types");
  ASSERT_EQ(types.status, 200) << types.body;
  EXPECT_EQ(
      parse(types)["backupStorageTypes"],
      Json::array({"ImageStoreBackupStorage", "SftpBackupStorage", "SimulatorBackupStorage"}));

  // Candidates for image migration: other storages of the type, Enabled and Connected. BS-1 is
  // disabled, so it is no candidate for BS-2.
  auto candidates = [&](const std::string& src) {
    auto reply = client().send("GET", "/zstack/v1/backup-storage/" + src + "/migration-candidates");
    EXPECT_EQ(reply.status, 200) << reply.body;
    return parse(reply)["inventories"];
  };
  EXPECT_EQ(candidates(uuid).size(), 1u);
  EXPECT_EQ(candidates(uuid)[0]["uuid"], bs2["uuid"]);
  EXPECT_EQ(candidates(bs2["uuid"]).size(), 0u);
}

TEST_F(BackupStorageTest, BadInputAndInjectedFailures) {
  // Missing url, bad capacities, a mismatched type, a bad resourceUuid.
  EXPECT_EQ(addBsReply("simulators", {{"name", "x"}}).status, 400);
  EXPECT_EQ(codeOf(addBsReply(
                "simulators",
                {{"name", "x"}, {"url", "/bs"}, {"totalCapacity", 1}, {"availableCapacity", 2}})),
            "SYS.1007");
  EXPECT_EQ(
      codeOf(addBsReply("simulators",
                        {{"name", "x"}, {"url", "/bs"}, {"type", "ImageStoreBackupStorage"}})),
      "SYS.1007");
  EXPECT_EQ(codeOf(addBsReply("simulators",
                              {{"name", "x"}, {"url", "/bs"}, {"resourceUuid", "not-a-uuid"}})),
            "SYS.1007");
  EXPECT_EQ(
      codeOf(addBsReply("simulators", {{"name", "x"}, {"url", "/bs"}, {"importImages", true}})),
      "SYS.1010");

  // A failed connect leaves no row.
  auto failed = addBsReply("simulators", {{"name", "x"}, {"url", "/bs"}},
                           Json::array({"simulator::failConnect"}));
  EXPECT_EQ(failed.status, 503) << failed.body;
  EXPECT_NE(errorOf(failed).find("simulated connection failure"), std::string::npos);
  EXPECT_EQ(total("/zstack/v1/backup-storage"), 0);

  // A reconnect that fails leaves it Disconnected; it comes back once the failure is gone.
  std::string uuid = addSimulatorBs("BS", kGiB, kGiB)["uuid"];
  Json tag = createSystemTag("BackupStorageVO", uuid, "simulator::failConnect");
  auto reconnect = [&] { return bsAction(uuid, {{"reconnectBackupStorage", Json::object()}}); };
  EXPECT_EQ(reconnect().status, 503);
  EXPECT_EQ(bs(uuid)["status"], "Disconnected");
  ASSERT_EQ(client().call("DELETE", "/zstack/v1/tags/" + tag["uuid"].get<std::string>()).status,
            200);
  EXPECT_EQ(reconnect().status, 200);
  EXPECT_EQ(bs(uuid)["status"], "Connected");
}

TEST_F(BackupStorageTest, DeletingAZoneDetachesAndDeleteBackupStorageLeavesNoRow) {
  Json zone = createZone("doomed");
  Json kept = createZone("kept");
  std::string uuid = addSimulatorBs("BS", kGiB, kGiB)["uuid"];
  ASSERT_EQ(attachBsReply(uuid, zone["uuid"]).status, 200);
  ASSERT_EQ(attachBsReply(uuid, kept["uuid"]).status, 200);
  createSystemTag("BackupStorageVO", uuid, "tag::of::bs");

  // Backup storage serves zones without belonging to one (as in ZStack): the zone goes, the
  // attachment with it, the storage stays.
  ASSERT_EQ(client().call("DELETE", "/zstack/v1/zones/" + zone["uuid"].get<std::string>()).status,
            200);
  EXPECT_EQ(bs(uuid)["attachedZoneUuids"], Json::array({kept["uuid"]}));
  EXPECT_EQ(rowsIn("backup_storage_zone_ref"), 1);

  auto deleted = client().call("DELETE", "/zstack/v1/backup-storage/" + uuid);
  ASSERT_EQ(deleted.status, 200) << deleted.body;
  EXPECT_EQ(parse(deleted), Json::object());
  EXPECT_EQ(rowsIn("backup_storage"), 0);
  EXPECT_EQ(rowsIn("backup_storage_zone_ref"), 0);
  EXPECT_EQ(query("/zstack/v1/system-tags?q=resourceUuid=" + uuid).size(), 0u);
  // Deleting it again finds nothing to do.
  EXPECT_EQ(client().call("DELETE", "/zstack/v1/backup-storage/" + uuid).status, 200);
}

// The SSH types against a real sshd on loopback.
using SshBackupStorageTest = WithSshd<BackupStorageTest>;

TEST_F(SshBackupStorageTest, ImageStoreConnectsOverSshAndReadsTheDisk) {
  auto store = sshd_->writableDir("data") / "imagestore";
  Json added = addBs("image-store", sshParams("ImageStore", store));
  EXPECT_EQ(added["type"], "ImageStoreBackupStorage");
  EXPECT_EQ(added["status"], "Connected");
  EXPECT_EQ(added["hostname"], "127.0.0.1");
  EXPECT_EQ(added["username"], sshd_->user());
  EXPECT_EQ(added["sshPort"], sshd_->port());
  EXPECT_GT(added["totalCapacity"].get<std::int64_t>(), 0);
  EXPECT_GT(added["availableCapacity"].get<std::int64_t>(), 0);
  EXPECT_LE(added["availableCapacity"], added["totalCapacity"]);
  EXPECT_TRUE(std::filesystem::is_directory(store));  // made over SSH
  std::string uuid = added["uuid"];

  // Its own query API shows the SSH fields; the base one all types; no reply shows the password.
  Json listed = query("/zstack/v1/backup-storage/image-store");
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_EQ(listed[0], added);
  addSimulatorBs("sim", kGiB, kGiB);
  EXPECT_EQ(query("/zstack/v1/backup-storage").size(), 2u);
  EXPECT_EQ(query("/zstack/v1/backup-storage/image-store").size(), 1u);
  EXPECT_EQ(client().send("GET", "/zstack/v1/backup-storage").body.find(sshd_->password()),
            std::string::npos);

  auto reconnected =
      bsAction("image-store/" + uuid, {{"reconnectImageStoreBackupStorage", Json::object()}});
  ASSERT_EQ(reconnected.status, 200) << reconnected.body;
  EXPECT_EQ(parse(reconnected)["inventory"]["status"], "Connected");

  // A wrong password is used from the next reconnect on, which then fails and says why.
  auto updated =
      bsAction("image-store/" + uuid,
               {{"updateImageStoreBackupStorage", {{"password", "wrong"}, {"name", "n"}}}});
  ASSERT_EQ(updated.status, 200) << updated.body;
  EXPECT_EQ(parse(updated)["inventory"]["name"], "n");
  auto refused = bsAction(uuid, {{"reconnectBackupStorage", Json::object()}});
  EXPECT_EQ(refused.status, 503);
  EXPECT_NE(errorOf(refused).find("refused the password"), std::string::npos) << refused.body;
  EXPECT_EQ(bs(uuid)["status"], "Disconnected");
  ASSERT_EQ(bsAction("image-store/" + uuid,
                     {{"updateImageStoreBackupStorage", {{"password", sshd_->password()}}}})
                .status,
            200);
  EXPECT_EQ(bsAction(uuid, {{"reconnectBackupStorage", Json::object()}}).status, 200);

  // Another machine at the same address (a new host key) is refused...
  sshd_->restart(true);
  auto impostor = bsAction(uuid, {{"reconnectBackupStorage", Json::object()}});
  EXPECT_EQ(impostor.status, 503);
  EXPECT_NE(errorOf(impostor).find("host key"), std::string::npos) << impostor.body;
  EXPECT_EQ(bs(uuid)["status"], "Disconnected");
  // ...until the operator names the machine again, which learns its key afresh.
  ASSERT_EQ(bsAction("image-store/" + uuid,
                     {{"updateImageStoreBackupStorage", {{"hostname", "localhost"}}}})
                .status,
            200);
  EXPECT_EQ(bsAction(uuid, {{"reconnectBackupStorage", Json::object()}}).status, 200);
  EXPECT_EQ(query("/zstack/v1/backup-storage/image-store/" + uuid)[0]["hostname"], "localhost");
}

TEST_F(SshBackupStorageTest, SftpAndTheFailuresOfSsh) {
  auto dir = sshd_->writableDir("sftp");
  Json sftp = addBs("sftp", sshParams("sftp", dir));
  EXPECT_EQ(sftp["type"], "SftpBackupStorage");
  EXPECT_EQ(sftp["status"], "Connected");
  std::string uuid = sftp["uuid"];
  EXPECT_EQ(query("/zstack/v1/backup-storage/sftp").size(), 1u);
  EXPECT_EQ(query("/zstack/v1/backup-storage/image-store").size(), 0u);
  auto reconnected = bsAction("sftp/" + uuid, {{"reconnectSftpBackupStorage", Json::object()}});
  EXPECT_EQ(reconnected.status, 200) << reconnected.body;
  // The ImageStore form of an API does not take an SFTP storage.
  EXPECT_EQ(codeOf(bsAction("image-store/" + uuid,
                            {{"reconnectImageStoreBackupStorage", Json::object()}})),
            "SYS.1007");

  // Bad settings are refused before any connection; failed connections leave no row.
  auto params = sshParams("bad", dir);
  params["url"] = "relative/path";
  EXPECT_EQ(codeOf(addBsReply("image-store", params)), "SYS.1007");
  params = sshParams("bad", dir);
  params["sshPort"] = 70000;
  EXPECT_EQ(codeOf(addBsReply("image-store", params)), "SYS.1007");
  params = sshParams("bad", dir);
  params["password"] = "wrong";
  auto refused = addBsReply("image-store", params);
  EXPECT_EQ(refused.status, 503);
  EXPECT_NE(errorOf(refused).find("refused the password"), std::string::npos) << refused.body;
  params = sshParams("bad", dir);
  params["sshPort"] = freeTcpPort();
  auto unreachable = addBsReply("image-store", params);
  EXPECT_EQ(unreachable.status, 503);
  EXPECT_NE(errorOf(unreachable).find("cannot reach"), std::string::npos) << unreachable.body;
  // A directory the user may not write to.
  params = sshParams("bad", "/root/strato-not-yours");
  auto denied = addBsReply("image-store", params);
  EXPECT_EQ(denied.status, 503);
  EXPECT_EQ(total("/zstack/v1/backup-storage"), 1);
}

}  // namespace
}  // namespace strato::test
