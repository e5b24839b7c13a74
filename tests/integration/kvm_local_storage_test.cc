// LocalStorage on KVM hosts over HTTP: volume files made by each host's strato-agent on its own
// disk, and moved to another host's disk over SSH (LocalStorageMigrateVolume).
//
// Two "machines" on one: each has its own sshd, started in a mount namespace where the machine's
// directory is bound over one path (root_). AddKVMHost starts each strato-agent over its host's
// SSH, so the agent shares that namespace: both hosts see root_/local, each its own disk.
#include "integration/kvm_fixture.h"

namespace strato::test {
namespace {

namespace fs = std::filesystem;

// A KvmTest whose two hosts each have an sshd of their own, in place of the shared one, and
// whose agents both start over SSH.
class KvmLocalStorageTest : public KvmTest {
 protected:
  void SetUp() override {
    // The test user (the agents, and the SSH sessions that copy files) must reach every path.
    fs::permissions(machines_.path(),
                    fs::perms::owner_all | fs::perms::group_exec | fs::perms::others_exec);
    for (const auto& dir :
         {root_, diskA_ / "local", diskA_ / "agent", diskB_ / "local", diskB_ / "agent"}) {
      fs::create_directories(dir);
      fs::permissions(dir, fs::perms::all);
    }
    for (const auto& disk : {diskA_, diskB_}) fs::permissions(disk, fs::perms::all);
    try {
      sshdA_ = SshServer::start({kHostA}, seeingAsRoot(diskA_));
      sshdB_ = SshServer::start({kHostB}, seeingAsRoot(diskB_));
    } catch (const std::exception& e) {
      GTEST_SKIP() << e.what();
    }
    agentPort_ = freeTcpPort();
    startServer({"--set", "plugin.kvm.agentPort=" + std::to_string(agentPort_), "--set",
                 std::string("plugin.kvm.agentCommand=") + STRATO_AGENT_BIN, "--set",
                 "plugin.kvm.agentDir=" + (root_ / "agent").string(), "--set",
                 "plugin.kvm.agentLibvirtUri=test:///default", "--set",
                 "plugin.kvm.agentStartSeconds=10", "--set",
                 "plugin.kvm.agentSettings=plugin.kvm-agent.dryRunNetwork=true"});
  }

  // The server first, so it starts no agent again; then the agents, by the pids they recorded.
  void TearDown() override {
    if (server_) server_->stop();
    for (const auto& disk : {diskA_, diskB_}) {
      std::ifstream pidFile(disk / "agent" / "agent.pid");
      pid_t pid = 0;
      if (pidFile >> pid && pid > 1) ::kill(pid, SIGTERM);
    }
  }

  // Runs sshd in a mount namespace of its own, with `disk` bound over root_.
  std::vector<std::string> seeingAsRoot(const fs::path& disk) const {
    return {findProgram("unshare", "util-linux"),
            "--mount",
            "--propagation",
            "private",
            "/bin/sh",
            "-c",
            "mount --bind \"$1\" \"$2\" && shift 2 && exec \"$@\"",
            "sh",
            disk.string(),
            root_.string()};
  }

  std::string addHost(const std::string& name, const std::string& ip, const SshServer& sshd) {
    return created(post("hosts/kvm", {{"name", name},
                                      {"managementIp", ip},
                                      {"clusterUuid", cluster_},
                                      {"username", sshd.user()},
                                      {"password", sshd.password()},
                                      {"sshPort", sshd.port()}}))["uuid"];
  }

  void buildCloud() {
    zone_ = createZone("z1")["uuid"];
    cluster_ = createCluster(zone_, "kvm", "KVM")["uuid"];
    hostA_ = addHost("a", kHostA, *sshdA_);
    hostB_ = addHost("b", kHostB, *sshdB_);
    local_ =
        add("local-storage",
            {{"url", (root_ / "local").string()}, {"name", "local"}, {"zoneUuid", zone_}})["uuid"];
    attach(local_, cluster_);
    installer();
    std::string l2 = noVlan(zone_)["uuid"];
    ASSERT_EQ(attachL2Reply(l2, cluster_).status, 200);
    l3_ = l3(l2)["uuid"];
    range(l3_, "192.168.1.2", "192.168.1.254", "192.168.1.1");
    offering_ = instanceOffering(1, kGiB);
  }

  // Where a file under root_ is on a machine's own disk.
  fs::path on(const fs::path& disk, const std::string& path) const {
    return disk / fs::path(path).lexically_relative(root_);
  }
  std::string holderOf(const std::string& resource) { return localRef(resource)["hostUuid"]; }
  std::int64_t diskAvailable(const std::string& host) { return localDiskAvailable(local_, host); }

  TempDir machines_{"kvm-machines"};
  fs::path root_ = machines_.path() / "root";
  fs::path diskA_ = machines_.path() / "a", diskB_ = machines_.path() / "b";
  std::unique_ptr<SshServer> sshdA_, sshdB_;
  std::string local_;
};

TEST_F(KvmLocalStorageTest, VolumesLiveOnTheirHostsDiskAndMoveToAnotherOverSsh) {
  buildCloud();
  // Each agent measured the file system under the url on its own machine.
  Json disks = hostDisks(local_);
  ASSERT_EQ(disks.size(), 2u);
  auto measured = fs::space(diskA_);
  for (const auto& d : disks) EXPECT_EQ(d["totalCapacity"], measured.capacity) << d.dump();

  Json params = kvmVmParams("web");
  params["hostUuid"] = hostA_;
  Json v = created(createVmReply(params));
  std::string vm = v["uuid"], root = v["rootVolumeUuid"];
  std::string rootPath = query("/zstack/v1/volumes/" + root)[0]["installPath"];
  ASSERT_EQ(rootPath.rfind((root_ / "local").string(), 0), 0u) << rootPath;
  EXPECT_TRUE(fs::exists(on(diskA_, rootPath))) << rootPath;
  EXPECT_FALSE(fs::exists(on(diskB_, rootPath))) << rootPath;
  EXPECT_EQ(holderOf(root), hostA_);
  std::string snapshot =
      created(post("volumes/" + root + "/volume-snapshots", {{"name", "s"}}))["uuid"];
  std::string snapshotPath =
      query("/zstack/v1/volume-snapshots/" + snapshot)[0]["primaryStorageInstallPath"];
  EXPECT_TRUE(fs::exists(on(diskA_, snapshotPath))) << snapshotPath;
  vmActionOk(vm, {{"stopVmInstance", Json::object()}});
  std::string rootBytes = readFile(on(diskA_, rootPath));
  ASSERT_FALSE(rootBytes.empty());
  std::int64_t freeA = diskAvailable(hostA_), freeB = diskAvailable(hostB_);
  std::int64_t storageFree = ps(local_)["availableCapacity"];

  // Host A's SSH is down: nothing moves, nothing is charged, and the volume stays usable.
  sshdA_->stop();
  auto cut = localMigrate(root, hostB_);
  EXPECT_EQ(cut.status, 503) << cut.body;
  EXPECT_EQ(holderOf(root), hostA_);
  EXPECT_EQ(diskAvailable(hostA_), freeA);
  EXPECT_EQ(diskAvailable(hostB_), freeB);
  EXPECT_TRUE(fs::exists(on(diskA_, rootPath)));
  EXPECT_FALSE(fs::exists(on(diskB_, rootPath)));
  EXPECT_EQ(query("/zstack/v1/volumes/" + root)[0]["status"], "Ready");
  sshdA_->restart(false);

  auto moved = localMigrate(root, hostB_);
  ASSERT_EQ(moved.status, 200) << moved.body;
  EXPECT_EQ(parse(moved)["inventory"]["hostUuid"], hostB_);
  EXPECT_EQ(readFile(on(diskB_, rootPath)), rootBytes);
  EXPECT_TRUE(fs::exists(on(diskB_, snapshotPath)));
  EXPECT_FALSE(fs::exists(on(diskA_, rootPath)));
  EXPECT_FALSE(fs::exists(on(diskA_, snapshotPath)));
  EXPECT_EQ(holderOf(snapshot), hostB_);
  EXPECT_GT(diskAvailable(hostA_), freeA);
  EXPECT_LT(diskAvailable(hostB_), freeB);
  std::int64_t movedFreeB = diskAvailable(hostB_);

  // On its new host the file grows, goes back to its snapshot, and reports its size.
  auto infoOnB = [&] {
    return agentCall(kHostB, "remote.kvm.VolumeInfo", {{"path", rootPath}})["body"];
  };
  auto grown = client().call("PUT", "/zstack/v1/volumes/resize/" + root + "/actions",
                             {{"resizeRootVolume", {{"size", 2 * kGiB}}}});
  ASSERT_EQ(grown.status, 200) << grown.body;
  EXPECT_EQ(infoOnB()["size"], 2 * kGiB);
  auto reverted = client().call("PUT", "/zstack/v1/volume-snapshots/" + snapshot + "/actions",
                                {{"revertVolumeFromSnapshot", Json::object()}});
  ASSERT_EQ(reverted.status, 200) << reverted.body;
  EXPECT_EQ(infoOnB()["size"], kGiB);
  auto synced = client().call("PUT", "/zstack/v1/volumes/" + root + "/actions",
                              {{"syncVolumeSize", Json::object()}});
  ASSERT_EQ(synced.status, 200) << synced.body;
  EXPECT_EQ(parse(synced)["inventory"]["size"], kGiB);
  EXPECT_FALSE(fs::exists(on(diskA_, rootPath)));
  // What the resize took, the revert gave back: the storage and host B's disk hold as before.
  EXPECT_EQ(ps(local_)["availableCapacity"], storageFree);
  EXPECT_EQ(diskAvailable(hostB_), movedFreeB);

  // A template of the volume streams from host B, whose disk holds it (A has no such file).
  std::string store = imageStore(*sshdA_, kHostA);
  Json image = created(post("images/root-volume-templates/from/volumes/" + root,
                            {{"name", "golden"}, {"backupStorageUuids", {store}}}));
  EXPECT_TRUE(readFile(image["backupStorageRefs"][0]["installPath"].get<std::string>()) ==
              readFile(on(diskB_, rootPath)));

  // The VM follows its disk, and goes with it.
  EXPECT_EQ(vmActionOk(vm, {{"startVmInstance", Json::object()}})["hostUuid"], hostB_);
  EXPECT_EQ(guestsOn(kHostB)[vm], "Running");
  EXPECT_FALSE(guestsOn(kHostA).contains(vm));
  ASSERT_EQ(client().call("DELETE", std::string(kVms) + "/" + vm).status, 200);
  EXPECT_FALSE(fs::exists(on(diskB_, rootPath)));
  EXPECT_FALSE(fs::exists(on(diskB_, snapshotPath)));
  EXPECT_EQ(query("/zstack/v1/primary-storage/local-storage/resource-refs").size(), 0u);
}

}  // namespace
}  // namespace strato::test
