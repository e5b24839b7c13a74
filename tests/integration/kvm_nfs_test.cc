// NFS primary storage on KVM hosts: a real NFS server (nfs-ganesha) on loopback, which the two
// strato-agents and qemu-img reach from userspace (libnfs), with nothing mounted. Every volume
// file is checked in the export's directory, as the server stores it.
#include <sys/statvfs.h>

#include "integration/kvm_fixture.h"
#include "support/nfs_server.h"

namespace strato::test {
namespace {

namespace fs = std::filesystem;

class KvmNfsTest : public KvmTest {
 protected:
  void SetUp() override {
    KvmTest::SetUp();
    if (IsSkipped()) return;
    nfs_ = NfsServer::start();
  }
  void TearDown() override {
    KvmTest::TearDown();
    nfs_.reset();
  }

  // buildKvmCloud with the NFS share as the cluster's primary storage.
  void buildNfsCloud() {
    buildKvmHosts();
    ps_ = add("nfs", {{"url", nfs_->url()}, {"name", "nfs"}, {"zoneUuid", zone_}})["uuid"];
    attach(ps_, cluster_);
    installer();
    buildKvmNetwork();
  }

  // Where the server keeps a file the agents name nfs://127.0.0.1/<path>.
  fs::path onServer(const std::string& url) const {
    std::string prefix = "nfs://127.0.0.1";
    EXPECT_EQ(url.rfind(prefix + nfs_->exportDir().string() + "/", 0), 0u) << url;
    return url.substr(prefix.size());
  }
  Json volumeInfo(const std::string& path) {
    return agentCall(kHostB, "remote.kvm.VolumeInfo", {{"path", path}})["body"];
  }
  std::string rootPath(const Json& vm) {
    for (const auto& v : vm["allVolumes"]) {
      if (v["type"] == "Root") return v["installPath"];
    }
    return {};
  }

  std::unique_ptr<NfsServer> nfs_;
};

TEST_F(KvmNfsTest, VmsLiveOnTheShareWithNothingMounted) {
  buildNfsCloud();
  // The capacity is the export's file system, as the agents measured it over NFS.
  struct statvfs s {};
  ASSERT_EQ(statvfs(nfs_->exportDir().c_str(), &s), 0);
  Json storage = ps(ps_);
  EXPECT_EQ(storage["totalCapacity"], static_cast<std::int64_t>(s.f_blocks * s.f_frsize));
  EXPECT_GT(storage["availableCapacity"].get<std::int64_t>(), 0);
  std::int64_t before = psAvailable();

  Json v = created(createVmReply(kvmVmParams("web")));
  std::string uuid = v["uuid"], host = v["hostUuid"];
  std::string other = host == hostA_ ? hostB_ : hostA_;
  std::string root = rootPath(v);
  EXPECT_TRUE(fs::exists(onServer(root))) << root;
  EXPECT_EQ(volumeInfo(root)["size"], kGiB);
  EXPECT_EQ(volumeInfo(root)["format"], "qcow2");
  EXPECT_EQ(psAvailable(), before - kGiB);

  // Both hosts reach the share: the guest moves while it runs.
  EXPECT_EQ(vmActionOk(uuid, {{"migrateVm", {{"hostUuid", other}}}})["hostUuid"], other);
  EXPECT_EQ(guestsOn(other == hostA_ ? kHostA : kHostB)[uuid], "Running");

  // Snapshots, data volumes, resizes and reverts are files on the share too.
  auto snapshot = client().call(
      "POST", "/zstack/v1/volumes/" + v["rootVolumeUuid"].get<std::string>() + "/volume-snapshots",
      {{"params", {{"name", "s1"}}}});
  ASSERT_EQ(snapshot.status, 200) << snapshot.body;
  EXPECT_TRUE(fs::exists(onServer(parse(snapshot)["inventory"]["primaryStorageInstallPath"])));
  std::string disk =
      created(post("disk-offerings", {{"name", "d"}, {"diskSize", 2 * kGiB}}))["uuid"];
  Json volume = created(post(
      "volumes/data", {{"name", "data"}, {"diskOfferingUuid", disk}, {"primaryStorageUuid", ps_}}));
  std::string data = volume["uuid"];
  snapshotResizeRevert(data, volume["installPath"]);

  // Both agents beat on the share (for fencing) from their first ping after the attach.
  setGlobalConfig("host", "ping.interval", "1");
  for (const auto& h : {hostA_, hostB_}) {
    EXPECT_TRUE(eventually([&] { return !readFile(nfs_->exportDir() / "heartbeat" / h).empty(); }))
        << h;
  }

  // Gone, with every file and byte of capacity back.
  ASSERT_EQ(client().call("DELETE", std::string(kVms) + "/" + uuid).status, 200);
  ASSERT_EQ(client().call("DELETE", "/zstack/v1/volumes/" + data).status, 200);
  auto expunged = client().call("PUT", "/zstack/v1/volumes/" + data + "/actions",
                                {{"expungeDataVolume", Json::object()}});
  ASSERT_EQ(expunged.status, 200) << expunged.body;
  EXPECT_TRUE(filesUnder(nfs_->exportDir()).empty());
  EXPECT_EQ(psAvailable(), before);
}

// SSH, which images and templates travel by, reaches hosts' disks but not the share: files
// cross between the two through a staging copy on the host, which goes once it has served.
TEST_F(KvmNfsTest, ImagesAndTemplatesCrossBetweenTheShareAndTheStore) {
  buildNfsCloud();
  auto files = sshd_->writableDir("images");
  auto original = files / "tiny.qcow2";
  ASSERT_EQ(std::system(("qemu-img create -q -f qcow2 " + original.string() + " 64M").c_str()), 0);
  fs::permissions(original, fs::perms::all);
  std::string store = imageStore(*sshd_, "127.0.0.1");
  image_ = created(post("images", {{"name", "tiny"},
                                   {"url", "file://" + original.string()},
                                   {"format", "qcow2"},
                                   {"platform", "Linux"},
                                   {"backupStorageUuids", {store}}}))["uuid"];

  Json v = created(createVmReply(vmParams("from-image")));
  EXPECT_EQ(volumeInfo(rootPath(v))["size"], 64LL << 20);
  // The cache holds the image byte for byte.
  auto cached = nfs_->exportDir() / "imagecache/template" / image_ / (image_ + ".qcow2");
  EXPECT_EQ(readFile(cached), readFile(original));
  EXPECT_TRUE(filesUnder(agentDir_ / "staging").empty());
  // A second VM takes the cached copy: the store is not read again.
  fs::remove(original);
  EXPECT_EQ(created(createVmReply(vmParams("again")))["state"], "Running");

  // The stopped VM's root volume becomes a template, byte for byte.
  vmActionOk(v["uuid"], {{"stopVmInstance", Json::object()}});
  Json golden = created(
      post("images/root-volume-templates/from/volumes/" + v["rootVolumeUuid"].get<std::string>(),
           {{"name", "golden"}, {"backupStorageUuids", {store}}}));
  EXPECT_EQ(golden["status"], "Ready");
  EXPECT_TRUE(readFile(golden["backupStorageRefs"][0]["installPath"]) ==
              readFile(onServer(rootPath(v))));
  EXPECT_TRUE(filesUnder(agentDir_ / "staging").empty());
}

TEST_F(KvmNfsTest, AShareThatStopsAnsweringFailsCleanly) {
  buildNfsCloud();
  std::int64_t before = psAvailable();
  nfs_.reset();
  std::string disk = created(post("disk-offerings", {{"name", "d"}, {"diskSize", kGiB}}))["uuid"];
  auto refused = post("volumes/data",
                      {{"name", "data"}, {"diskOfferingUuid", disk}, {"primaryStorageUuid", ps_}});
  EXPECT_EQ(refused.status, 503) << refused.body;
  EXPECT_NE(refused.body.find("NFS server 127.0.0.1"), std::string::npos) << refused.body;
  EXPECT_EQ(psAvailable(), before);
  EXPECT_EQ(rowsIn("volume"), 0);
}

}  // namespace
}  // namespace strato::test
