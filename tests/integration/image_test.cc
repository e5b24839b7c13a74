// Images (section 3.3) and the image APIs of backup storage (4.5.8, 4.5.9, 4.5.14.5) over HTTP:
// on simulator backup storage, and on an image store behind a real sshd that fetches the files
// itself (file:// on its machine, http:// from a file server of the test's).
#include <filesystem>
#include <fstream>

#include "integration/backup_storage_fixture.h"
#include "support/file_server.h"

namespace strato::test {
namespace {

constexpr std::int64_t kMiB = 1LL << 20;

class ImageTest : public BackupStorageTest {
 protected:
  HttpReply addImageReply(const Json& params) {
    return client().call("POST", "/zstack/v1/images",
                         {{"params", params}, {"systemTags", Json::array()}});
  }
  Json addImage(const Json& params) {
    auto reply = addImageReply(params);
    EXPECT_EQ(reply.status, 200) << reply.body;
    return parse(reply)["inventory"];
  }
  HttpReply imageAction(const std::string& uuid, const Json& body) {
    return client().call("PUT", "/zstack/v1/images/" + uuid + "/actions", body);
  }
  Json image(const std::string& uuid) {
    Json found = query("/zstack/v1/images/" + uuid);
    return found.empty() ? Json() : found[0];
  }
  // A file of `bytes` bytes in `dir`, readable by anyone.
  static std::filesystem::path makeFile(const std::filesystem::path& dir, const std::string& name,
                                        std::int64_t bytes) {
    auto path = dir / name;
    std::ofstream out(path, std::ios::binary);
    std::string block(4096, 'x');
    for (std::int64_t left = bytes; left > 0; left -= 4096)
      out.write(block.data(), static_cast<std::streamsize>(std::min<std::int64_t>(left, 4096)));
    out.close();
    std::filesystem::permissions(path, std::filesystem::perms::all);
    return path;
  }
  TempDir files_{"images"};
};

TEST_F(ImageTest, AddDeleteRecoverExpungeOnSimulatorStorage) {
  std::string bs = addSimulatorBs("BS", 10 * kGiB, 10 * kGiB)["uuid"];
  auto file = makeFile(files_.path(), "tiny.qcow2", 3 * kMiB);
  Json added = addImage({{"name", "TinyLinux"},
                         {"url", "file://" + file.string()},
                         {"format", "qcow2"},
                         {"platform", "Linux"},
                         {"backupStorageUuids", {bs}}});
  EXPECT_EQ(added["status"], "Ready");
  EXPECT_EQ(added["state"], "Enabled");
  EXPECT_EQ(added["mediaType"], "RootVolumeTemplate");
  EXPECT_EQ(added["type"], "zstack");
  EXPECT_EQ(added["system"], false);
  EXPECT_EQ(added["size"], 3 * kMiB);
  EXPECT_EQ(added["actualSize"], 3 * kMiB);
  ASSERT_EQ(added["backupStorageRefs"].size(), 1u);
  EXPECT_EQ(added["backupStorageRefs"][0]["backupStorageUuid"], bs);
  EXPECT_EQ(added["backupStorageRefs"][0]["status"], "Ready");
  std::string uuid = added["uuid"];
  EXPECT_EQ(image(uuid), added);
  EXPECT_EQ(query("/zstack/v1/images?q=backupStorageRef.backupStorageUuid=" + bs).size(), 1u);
  EXPECT_EQ(this->bs(bs)["availableCapacity"], 10 * kGiB - 3 * kMiB);

  auto updated = imageAction(
      uuid, {{"updateImage", {{"name", "renamed"}, {"platform", "Windows"}, {"system", true}}}});
  ASSERT_EQ(updated.status, 200) << updated.body;
  EXPECT_EQ(parse(updated)["inventory"]["name"], "renamed");
  EXPECT_EQ(parse(updated)["inventory"]["platform"], "Windows");
  EXPECT_EQ(parse(updated)["inventory"]["system"], true);
  EXPECT_EQ(codeOf(imageAction(uuid, {{"updateImage", {{"format", "iso"}}}})), "SYS.1007");
  auto disabled = imageAction(uuid, {{"changeImageState", {{"stateEvent", "disable"}}}});
  EXPECT_EQ(parse(disabled)["inventory"]["state"], "Disabled");
  ASSERT_EQ(imageAction(uuid, {{"setImageQga", {{"enable", true}}}}).status, 200);
  auto qga = client().send("GET", "/zstack/v1/images/" + uuid + "/qga");
  EXPECT_EQ(parse(qga), (Json{{"enable", true}}));
  auto synced = imageAction(uuid, {{"syncImageSize", Json::object()}});
  ASSERT_EQ(synced.status, 200) << synced.body;
  EXPECT_EQ(parse(synced)["inventory"]["actualSize"], 3 * kMiB);

  // Delay (the default policy): deleted, then recovered, then deleted and expunged.
  ASSERT_EQ(rowsIn("account_resource_ref"), 1);  // the admin owns the image
  ASSERT_EQ(client().call("DELETE", "/zstack/v1/images/" + uuid).status, 200);
  EXPECT_EQ(image(uuid)["status"], "Deleted");
  EXPECT_EQ(rowsIn("account_resource_ref"), 1);  // only marked deleted: still owned
  EXPECT_EQ(image(uuid)["backupStorageRefs"][0]["status"], "Deleted");
  auto recovered = imageAction(uuid, {{"recoverImage", Json::object()}});
  ASSERT_EQ(recovered.status, 200) << recovered.body;
  EXPECT_EQ(parse(recovered)["inventory"]["status"], "Ready");
  EXPECT_EQ(codeOf(imageAction(uuid, {{"expungeImage", Json::object()}})), "SYS.1001");
  ASSERT_EQ(client().call("DELETE", "/zstack/v1/images/" + uuid).status, 200);
  auto expunged = imageAction(uuid, {{"expungeImage", Json::object()}});
  ASSERT_EQ(expunged.status, 200) << expunged.body;
  EXPECT_EQ(total("/zstack/v1/images"), 0);
  EXPECT_EQ(rowsIn("image_backup_storage_ref"), 0);
  EXPECT_EQ(rowsIn("account_resource_ref"), 0);  // expunged: forgotten
  EXPECT_EQ(this->bs(bs)["availableCapacity"], 10 * kGiB);

  // Direct: gone at once.
  setGlobalConfig("image", "deletionPolicy", "Direct");
  std::string direct = addImage({{"name", "d"},
                                 {"url", "http://images.example/d.raw"},
                                 {"format", "raw"},
                                 {"backupStorageUuids", {bs}}})["uuid"];
  ASSERT_EQ(client().call("DELETE", "/zstack/v1/images/" + direct).status, 200);
  EXPECT_EQ(total("/zstack/v1/images"), 0);
}

TEST_F(ImageTest, BadInputAndCopiesThatFail) {
  std::string bs = addSimulatorBs("BS", 10 * kGiB, 10 * kGiB)["uuid"];
  Json good{{"name", "i"},
            {"url", "http://x/i.qcow2"},
            {"format", "qcow2"},
            {"backupStorageUuids", {bs}}};
  for (auto [key, value] : {std::pair<const char*, Json>{"url", "ftp://x/i.qcow2"},
                            {"format", "exe"},
                            {"mediaType", "ISO"},
                            {"platform", "Amiga"},
                            {"backupStorageUuids", Json::array({std::string(32, 'b')})},
                            {"backupStorageUuids", Json::array()}}) {
    Json params = good;
    params[key] = value;
    auto reply = addImageReply(params);
    EXPECT_EQ(codeOf(reply), "SYS.1007") << key << ": " << reply.body;
  }
  EXPECT_EQ(total("/zstack/v1/images"), 0);

  // One storage fails: the image is Ready on the other. Both fail: no image, and why.
  std::string broken = addSimulatorBs("broken", 10 * kGiB, 10 * kGiB)["uuid"];
  createSystemTag("BackupStorageVO", broken, "simulator::failDownload");
  Json params = good;
  params["backupStorageUuids"] = {bs, broken};
  Json partial = addImage(params);
  EXPECT_EQ(partial["status"], "Ready");
  ASSERT_EQ(partial["backupStorageRefs"].size(), 1u);
  EXPECT_EQ(partial["backupStorageRefs"][0]["backupStorageUuid"], bs);
  params["backupStorageUuids"] = {broken};
  auto failed = addImageReply(params);
  EXPECT_EQ(failed.status, 503);
  EXPECT_NE(errorOf(failed).find("simulated download failure"), std::string::npos) << failed.body;
  EXPECT_EQ(total("/zstack/v1/images"), 1);

  // A full storage refuses, and a disabled one takes nothing.
  std::string small = addSimulatorBs("small", kMiB, kMiB)["uuid"];
  params["backupStorageUuids"] = {small};
  EXPECT_EQ(addImageReply(params).status, 503);
  ASSERT_EQ(bsAction(bs, {{"changeBackupStorageState", {{"stateEvent", "disable"}}}}).status, 200);
  params["backupStorageUuids"] = {bs};
  EXPECT_EQ(codeOf(addImageReply(params)), "SYS.1001");
}

TEST_F(ImageTest, DeletingTheBackupStorageTakesItsCopies) {
  std::string a = addSimulatorBs("a", 10 * kGiB, 10 * kGiB)["uuid"];
  std::string b = addSimulatorBs("b", 10 * kGiB, 10 * kGiB)["uuid"];
  Json both{{"name", "i"},
            {"url", "http://x/i.qcow2"},
            {"format", "qcow2"},
            {"backupStorageUuids", {a, b}}};
  std::string onBoth = addImage(both)["uuid"];
  both["backupStorageUuids"] = {a};
  std::string onA = addImage(both)["uuid"];
  // A copy on b already exists; a migration to the same storage is refused.
  auto migrate = [&](const std::string& image, const std::string& src, const std::string& dst) {
    return client().call("PUT", "/zstack/v1/backup-storage/images/" + image + "/actions",
                         {{"backupStorageMigrateImage",
                           {{"srcBackupStorageUuid", src}, {"dstBackupStorageUuid", dst}}}});
  };
  EXPECT_EQ(codeOf(migrate(onBoth, a, b)), "SYS.1008");
  EXPECT_EQ(codeOf(migrate(onA, a, a)), "SYS.1007");
  auto migrated = migrate(onA, a, b);
  ASSERT_EQ(migrated.status, 200) << migrated.body;
  EXPECT_EQ(parse(migrated)["inventory"]["backupStorageRefs"].size(), 2u);
  ASSERT_EQ(client().call("DELETE", "/zstack/v1/backup-storage/" + a).status, 200);
  ASSERT_EQ(image(onBoth)["backupStorageRefs"].size(), 1u);
  EXPECT_EQ(image(onBoth)["backupStorageRefs"][0]["backupStorageUuid"], b);
  EXPECT_EQ(image(onA)["backupStorageRefs"].size(), 1u);  // migrated in time
  ASSERT_EQ(client().call("DELETE", "/zstack/v1/backup-storage/" + b).status, 200);
  EXPECT_EQ(total("/zstack/v1/images"), 0);  // on no storage any more
  EXPECT_EQ(rowsIn("image_backup_storage_ref"), 0);
}

using SshImageTest = WithSshd<ImageTest>;

TEST_F(SshImageTest, TheImageStoreFetchesExportsAndReclaims) {
  auto root = sshd_->writableDir("store");
  Json store = addBs("image-store", sshParams("store", root / "data"));
  std::string bs = store["uuid"];
  auto source = sshd_->writableDir("source");
  auto local = makeFile(source, "local.raw", 2 * kMiB);
  makeFile(source, "web.raw", kMiB);
  FileServer web(source);

  Json fromFile = addImage({{"name", "from-file"},
                            {"url", "file://" + local.string()},
                            {"format", "raw"},
                            {"backupStorageUuids", {bs}}});
  ASSERT_EQ(fromFile["status"], "Ready");
  EXPECT_EQ(fromFile["actualSize"], 2 * kMiB);
  EXPECT_EQ(fromFile["md5Sum"].get<std::string>().size(), 32u);
  std::string path = fromFile["backupStorageRefs"][0]["installPath"];
  EXPECT_EQ(path, (root / "data" / "images").string() + "/" + fromFile["uuid"].get<std::string>() +
                      ".raw");
  EXPECT_EQ(std::filesystem::file_size(path), static_cast<std::uintmax_t>(2 * kMiB));

  Json fromWeb = addImage({{"name", "from-web"},
                           {"url", web.url("web.raw")},
                           {"format", "raw"},
                           {"backupStorageUuids", {bs}}});
  ASSERT_EQ(fromWeb["status"], "Ready");
  EXPECT_EQ(fromWeb["actualSize"], kMiB);
  auto missing = addImageReply({{"name", "missing"},
                                {"url", web.url("nothing.raw")},
                                {"format", "raw"},
                                {"backupStorageUuids", {bs}}});
  EXPECT_EQ(missing.status, 503);
  EXPECT_NE(errorOf(missing).find("curl"), std::string::npos) << missing.body;

  // Export: a URL onto the store's file, kept on the copy until deleted.
  auto exported =
      client().call("PUT", "/zstack/v1/backup-storage/" + bs + "/actions",
                    {{"exportImageFromBackupStorage", {{"imageUuid", fromWeb["uuid"]}}}});
  ASSERT_EQ(exported.status, 200) << exported.body;
  std::string url = parse(exported)["imageUrl"];
  EXPECT_EQ(url.rfind("sftp://" + sshd_->user() + "@127.0.0.1:", 0), 0u) << url;
  EXPECT_EQ(image(fromWeb["uuid"])["backupStorageRefs"][0]["exportUrl"], url);
  auto unexported =
      client().call("DELETE", "/zstack/v1/backup-storage/" + bs + "/exported-images/" +
                                  fromWeb["uuid"].get<std::string>());
  ASSERT_EQ(unexported.status, 200) << unexported.body;
  EXPECT_FALSE(image(fromWeb["uuid"])["backupStorageRefs"][0].contains("exportUrl"));

  // Migrating copies the file to another store: the bytes pass through the management node.
  Json other = addBs("image-store", sshParams("other", root / "other"));
  auto candidates =
      client().send("GET", "/zstack/v1/backup-storage/" + bs + "/migration-candidates");
  ASSERT_EQ(parse(candidates)["inventories"].size(), 1u) << candidates.body;
  EXPECT_EQ(parse(candidates)["inventories"][0]["uuid"], other["uuid"]);
  std::string webUuid = fromWeb["uuid"];
  auto migrated =
      client().call("PUT", "/zstack/v1/backup-storage/images/" + webUuid + "/actions",
                    {{"backupStorageMigrateImage",
                      {{"srcBackupStorageUuid", bs}, {"dstBackupStorageUuid", other["uuid"]}}}});
  ASSERT_EQ(migrated.status, 200) << migrated.body;
  Json copies = parse(migrated)["inventory"]["backupStorageRefs"];
  ASSERT_EQ(copies.size(), 2u);
  std::string copy = copies[1]["installPath"];
  EXPECT_EQ(copy.rfind((root / "other").string(), 0), 0u) << copy;
  EXPECT_EQ(std::filesystem::file_size(copy), static_cast<std::uintmax_t>(kMiB));
  EXPECT_EQ(copies[1]["status"], "Ready");

  // Expunging deletes the file; reclaiming deletes what no image names.
  setGlobalConfig("image", "deletionPolicy", "Direct");
  ASSERT_EQ(
      client().call("DELETE", "/zstack/v1/images/" + fromFile["uuid"].get<std::string>()).status,
      200);
  EXPECT_FALSE(std::filesystem::exists(path));
  auto stray = makeFile(root / "data" / "images", "left-over.qcow2.download", kMiB);
  auto reclaimed = client().call("PUT", "/zstack/v1/backup-storage/image-store/" + bs + "/actions",
                                 {{"reclaimSpaceFromImageStore", Json::object()}});
  ASSERT_EQ(reclaimed.status, 200) << reclaimed.body;
  EXPECT_FALSE(std::filesystem::exists(stray));
  EXPECT_TRUE(std::filesystem::exists(
      image(fromWeb["uuid"])["backupStorageRefs"][0]["installPath"].get<std::string>()));
}

}  // namespace
}  // namespace strato::test
