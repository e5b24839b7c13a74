// The VM lifecycle of chapter 3 on KVM hosts: the management node, two strato-agents on loopback
// driving libvirt's test driver, and volume files made by qemu-img on a shared mount point.
// Every step is checked on the agents (the guests libvirt runs) and on disk (the volume files).
#include <fstream>
#include <thread>

#include "integration/kvm_fixture.h"

namespace strato::test {
namespace {

class KvmVmTest : public KvmTest {
 protected:
  std::string rootPath(const Json& vm) {
    for (const auto& v : vm["allVolumes"]) {
      if (v["type"] == "Root") return v["installPath"];
    }
    return {};
  }
  std::string ipOf(const std::string& host) { return host == hostA_ ? kHostA : kHostB; }
  // A CreateVmInstance that failed left no volume file, capacity, row or address in use.
  void expectNothingLeftOfAFailedCreate(std::int64_t psBefore) {
    EXPECT_TRUE(filesUnder(storageDir_).empty());
    EXPECT_EQ(psAvailable(), psBefore);
    EXPECT_EQ(usedCpu(), 0);
    for (const char* table : {"vm_instance", "vm_nic", "volume", "used_ip"})
      EXPECT_EQ(rowsIn(table), 0) << table;
  }
};

TEST_F(KvmVmTest, AVmLivesItsWholeLifeOnRealAgents) {
  buildKvmCloud();
  Json v = created(createVmReply(kvmVmParams("web")));
  std::string uuid = v["uuid"], host = v["hostUuid"], other = host == hostA_ ? hostB_ : hostA_;
  EXPECT_EQ(v["state"], "Running");
  EXPECT_EQ(guestsOn(ipOf(host))[uuid], "Running");
  // The root volume is a real qcow2 file on the shared mount point, of the offering's size.
  std::string root = rootPath(v);
  ASSERT_EQ(root.rfind(storageDir_.string(), 0), 0u) << root;
  Json info = agentCall(ipOf(host), "remote.kvm.VolumeInfo", {{"path", root}})["body"];
  EXPECT_EQ(info["size"], kGiB);
  EXPECT_EQ(info["format"], "qcow2");

  EXPECT_EQ(vmActionOk(uuid, {{"pauseVmInstance", Json::object()}})["state"], "Paused");
  EXPECT_EQ(guestsOn(ipOf(host))[uuid], "Paused");
  EXPECT_EQ(vmActionOk(uuid, {{"resumeVmInstance", Json::object()}})["state"], "Running");
  EXPECT_EQ(guestsOn(ipOf(host))[uuid], "Running");
  EXPECT_EQ(vmActionOk(uuid, {{"rebootVmInstance", Json::object()}})["state"], "Running");

  // Migration: the guest runs on the other agent, and only there.
  Json moved = vmActionOk(uuid, {{"migrateVm", {{"hostUuid", other}}}});
  EXPECT_EQ(moved["hostUuid"], other);
  EXPECT_EQ(guestsOn(ipOf(other))[uuid], "Running");
  EXPECT_FALSE(guestsOn(ipOf(host)).contains(uuid));

  EXPECT_EQ(vmActionOk(uuid, {{"stopVmInstance", Json::object()}})["state"], "Stopped");
  EXPECT_FALSE(guestsOn(ipOf(other)).contains(uuid));
  EXPECT_TRUE(std::filesystem::exists(root));
  Json started = vmActionOk(uuid, {{"startVmInstance", {{"hostUuid", host}}}});
  EXPECT_EQ(guestsOn(ipOf(host))[uuid], "Running");
  EXPECT_EQ(started["hostUuid"], host);

  // Destroyed (Direct policy): no guest, no file, and the storage has its capacity back.
  ASSERT_EQ(client().call("DELETE", std::string(kVms) + "/" + uuid).status, 200);
  EXPECT_FALSE(guestsOn(kHostA).contains(uuid));
  EXPECT_FALSE(guestsOn(kHostB).contains(uuid));
  EXPECT_FALSE(std::filesystem::exists(root));
  EXPECT_EQ(rowsIn("volume"), 0);
}

TEST_F(KvmVmTest, DataVolumesAndSnapshotsAreFilesOnTheSharedMountPoint) {
  buildKvmCloud();
  Json v = created(createVmReply(kvmVmParams("db")));
  std::string disk = created(post("disk-offerings", {{"name", "d"}, {"diskSize", 2 * kGiB}}))["uuid"];
  Json volume = created(post("volumes/data", {{"name", "data"},
                                              {"diskOfferingUuid", disk},
                                              {"primaryStorageUuid", ps_}}));
  std::string path = volume["installPath"];
  EXPECT_TRUE(std::filesystem::exists(path)) << path;
  // The test driver cannot hot-plug: attaching to the running guest fails and changes nothing.
  auto plugged = client().call("POST", "/zstack/v1/volumes/" + volume["uuid"].get<std::string>() +
                                           "/vm-instances/" + v["uuid"].get<std::string>(),
                               Json::object());
  EXPECT_EQ(plugged.status, 503) << plugged.body;
  EXPECT_NE(plugged.body.find("not supported"), std::string::npos) << plugged.body;

  auto snapshot = client().call(
      "POST", "/zstack/v1/volumes/" + v["rootVolumeUuid"].get<std::string>() + "/volume-snapshots",
      {{"params", {{"name", "s1"}}}});
  ASSERT_EQ(snapshot.status, 200) << snapshot.body;
  std::string snapshotPath = parse(snapshot)["inventory"]["primaryStorageInstallPath"];
  EXPECT_TRUE(std::filesystem::exists(snapshotPath)) << snapshotPath;

  // A data volume's snapshot, a resize on the host, and a revert: the file is the snapshot's again.
  snapshotResizeRevert(volume["uuid"], path);

  ASSERT_EQ(client().call("DELETE", std::string(kVms) + "/" + v["uuid"].get<std::string>()).status,
            200);
  ASSERT_EQ(client().call("DELETE", "/zstack/v1/volumes/" + volume["uuid"].get<std::string>()).status,
            200);
  auto expunged = client().call("PUT", "/zstack/v1/volumes/" + volume["uuid"].get<std::string>() +
                                           "/actions",
                                {{"expungeDataVolume", Json::object()}});
  ASSERT_EQ(expunged.status, 200) << expunged.body;
  EXPECT_TRUE(filesUnder(storageDir_).empty());
}

// SyncVolumeSize after a file grew outside Strato: the volume's size and the storage's
// reservation follow the file, so its deletion later gives back exactly what it holds.
TEST_F(KvmVmTest, ASizeChangedOutsideStratoIsSyncedAndReserved) {
  buildKvmCloud();
  std::int64_t before = psAvailable();
  std::string disk = created(post("disk-offerings", {{"name", "d"}, {"diskSize", kGiB}}))["uuid"];
  Json volume = created(post(
      "volumes/data", {{"name", "data"}, {"diskOfferingUuid", disk}, {"primaryStorageUuid", ps_}}));
  std::string uuid = volume["uuid"], path = volume["installPath"];
  EXPECT_EQ(psAvailable(), before - kGiB);
  ASSERT_EQ(std::system(("qemu-img resize -q " + path + " 3G").c_str()), 0);

  auto synced = client().call("PUT", "/zstack/v1/volumes/" + uuid + "/actions",
                              {{"syncVolumeSize", Json::object()}});
  ASSERT_EQ(synced.status, 200) << synced.body;
  EXPECT_EQ(parse(synced)["inventory"]["size"], 3 * kGiB);
  EXPECT_EQ(psAvailable(), before - 3 * kGiB);
  // A second sync changes nothing.
  ASSERT_EQ(client()
                .call("PUT", "/zstack/v1/volumes/" + uuid + "/actions",
                      {{"syncVolumeSize", Json::object()}})
                .status,
            200);
  EXPECT_EQ(psAvailable(), before - 3 * kGiB);

  ASSERT_EQ(client().call("DELETE", "/zstack/v1/volumes/" + uuid).status, 200);
  ASSERT_EQ(client()
                .call("PUT", "/zstack/v1/volumes/" + uuid + "/actions",
                      {{"expungeDataVolume", Json::object()}})
                .status,
            200);
  EXPECT_EQ(psAvailable(), before);
}

TEST_F(KvmVmTest, TemplatesOfVolumesAreUploadedFromTheHostToAnImageStore) {
  buildKvmCloud();
  std::string store = imageStore(*sshd_, "127.0.0.1");
  auto storeDir = sshd_->writableDir("store");
  Json v = created(createVmReply(kvmVmParams("web")));
  std::string uuid = v["uuid"], root = v["rootVolumeUuid"], file = rootPath(v);
  vmActionOk(uuid, {{"stopVmInstance", Json::object()}});

  // The root volume's qcow2, byte for byte on the store, with its virtual size and checksum.
  Json image = created(post("images/root-volume-templates/from/volumes/" + root,
                            {{"name", "golden"}, {"backupStorageUuids", {store}}}));
  EXPECT_EQ(image["status"], "Ready");
  EXPECT_EQ(image["size"], kGiB);
  EXPECT_EQ(image["actualSize"], std::filesystem::file_size(file));
  std::string copy = image["backupStorageRefs"][0]["installPath"];
  EXPECT_EQ(copy.rfind(storeDir.string(), 0), 0u) << copy;
  EXPECT_TRUE(readFile(copy) == readFile(file));
  EXPECT_EQ(image["md5Sum"].get<std::string>().size(), 32u) << image;

  // A VM from the template: the host's image cache takes it from the store.
  Json params = vmParams("clone");
  params["imageUuid"] = image["uuid"];
  Json clone = created(createVmReply(params));
  EXPECT_EQ(clone["state"], "Running");
  Json info =
      agentCall(ipOf(clone["hostUuid"]), "remote.kvm.VolumeInfo", {{"path", rootPath(clone)}});
  EXPECT_EQ(info["body"]["size"], kGiB) << info;

  // A snapshot's file comes the same way.
  Json snapshot = created(post("volumes/" + root + "/volume-snapshots", {{"name", "s"}}));
  Json fromSnapshot = created(post(
      "images/root-volume-templates/from/volume-snapshots/" + snapshot["uuid"].get<std::string>(),
      {{"name", "from-snapshot"}, {"backupStorageUuids", {store}}}));
  EXPECT_TRUE(readFile(fromSnapshot["backupStorageRefs"][0]["installPath"]) ==
              readFile(snapshot["primaryStorageInstallPath"]));
  EXPECT_TRUE(std::filesystem::exists(file));  // the volume stays where it was
}

// A node listening on every address (0.0.0.0) tells each agent the address it reaches that agent
// from; agents refuse to call a wildcard back. Polls come only after 10 minutes here, so the VM
// is Running in time only if host A's agent, which calls back every command, reached the node.
class KvmWildcardNodeTest : public KvmVmTest {
 protected:
  KvmWildcardNodeTest() {
    serverArgs_ = {"--set", "http.host=0.0.0.0", "--set", "plugin.kvm.taskPollSeconds=600"};
  }
};

TEST_F(KvmWildcardNodeTest, ANodeListeningEverywhereIsCalledBackWhereItIsReached) {
  buildKvmCloud();
  ASSERT_EQ(client().call("DELETE", "/zstack/v1/hosts/" + hostB_).status, 200);
  auto started = std::chrono::steady_clock::now();
  Json v = created(createVmReply(kvmVmParams("web")));
  EXPECT_EQ(v["state"], "Running");
  EXPECT_EQ(guestsOn(kHostA)[v["uuid"].get<std::string>()], "Running");
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(60));
}

TEST_F(KvmVmTest, AFailedStartIsRolledBackOnTheAgent) {
  // Host A's agent refuses to start guests; host B's is gone, so creations land on A.
  buildKvmCloud({"--set", "plugin.kvm-agent.failCommands=remote.kvm.StartVm"});
  ASSERT_EQ(client().call("DELETE", "/zstack/v1/hosts/" + hostB_).status, 200);
  std::int64_t psBefore = psAvailable();
  auto failed = createVmReply(kvmVmParams("doomed"));
  EXPECT_EQ(failed.status, 503) << failed.body;
  EXPECT_NE(failed.body.find("injected failure"), std::string::npos) << failed.body;
  EXPECT_TRUE(guestsOn(kHostA).empty());
  expectNothingLeftOfAFailedCreate(psBefore);
}

TEST_F(KvmVmTest, CommandsWhoseCallbacksAreLostEndAllTheSame) {
  // Host A's agent never calls back: the management node asks it for each reply instead.
  buildKvmCloud({"--set", "plugin.kvm-agent.dropCallbacks=true", "--set",
                 "plugin.kvm-agent.failCommands=remote.kvm.RebootVm"});
  Json params = kvmVmParams("web");
  params["hostUuid"] = hostA_;
  std::string uuid = created(createVmReply(params))["uuid"];
  EXPECT_EQ(guestsOn(kHostA)[uuid], "Running");
  // A refusal comes back the same way, in full.
  auto refused = vmAction(uuid, {{"rebootVmInstance", Json::object()}});
  EXPECT_EQ(refused.status, 503) << refused.body;
  EXPECT_NE(refused.body.find("injected failure"), std::string::npos) << refused.body;
  EXPECT_EQ(vmActionOk(uuid, {{"stopVmInstance", Json::object()}})["state"], "Stopped");
  EXPECT_FALSE(guestsOn(kHostA).contains(uuid));
}

TEST_F(KvmVmTest, AnAgentThatDiesMidStartLeavesNothingBehind) {
  // Host A's agent dies the moment it is asked to start a guest: no reply, no cleanup.
  buildKvmCloud({"--set", "plugin.kvm-agent.dieOnCommands=remote.kvm.StartVm"});
  std::int64_t psBefore = psAvailable();
  Json params = kvmVmParams("doomed");
  params["hostUuid"] = hostA_;
  auto failed = createVmReply(params);
  EXPECT_EQ(failed.status, 503) << failed.body;
  EXPECT_NE(failed.body.find("cannot reach the agent"), std::string::npos) << failed.body;
  EXPECT_FALSE(agentA_->running());
  // The root volume's file went through host B's agent, which sees the same storage.
  expectNothingLeftOfAFailedCreate(psBefore);
}

TEST_F(KvmVmTest, AnAgentThatIsGoneFailsTheCallAndTheVmFollowsWhatItFindsOnReturn) {
  buildKvmCloud();
  setGlobalConfig("host", "ping.interval", "1");
  Json params = kvmVmParams("web");
  params["hostUuid"] = hostA_;
  std::string uuid = created(createVmReply(params))["uuid"];
  agentA_->stop();
  auto refused = vmAction(uuid, {{"stopVmInstance", Json::object()}});
  EXPECT_EQ(refused.status, 503) << refused.body;
  EXPECT_NE(refused.body.find("cannot reach the agent"), std::string::npos) << refused.body;
  EXPECT_EQ(vm(uuid)["state"], "Running");
  EXPECT_TRUE(eventually([&] { return query("/zstack/v1/hosts/" + hostA_)[0]["status"] == "Disconnected"; }));
  // The agent comes back without the guest (libvirt's test driver forgot it, as a rebooted host
  // would): once the host reconnects, its report stops the VM and gives its capacity back.
  agentA_ = startAgent(kHostA);
  EXPECT_TRUE(eventually([&] { return vm(uuid)["state"] == "Stopped"; })) << vm(uuid).dump();
  EXPECT_EQ(usedCpu(), 0);
  EXPECT_EQ(vmActionOk(uuid, {{"startVmInstance", Json::object()}})["state"], "Running");
}

TEST_F(KvmVmTest, AGuestThatStopsByItselfIsStoppedInTheRecords) {
  buildKvmCloud();
  Json params = kvmVmParams("web");
  params["hostUuid"] = hostA_;
  Json v = created(createVmReply(params));
  std::string uuid = v["uuid"];
  EXPECT_EQ(usedCpu(), 1);
  // Gone behind Strato's back: as a guest that powered itself off.
  agentCall(kHostA, "remote.kvm.DestroyVm", {{"vm", {{"uuid", uuid}}}});
  EXPECT_TRUE(eventually([&] { return vm(uuid)["state"] == "Stopped"; })) << vm(uuid).dump();
  EXPECT_EQ(vm(uuid)["lastHostUuid"], hostA_);
  EXPECT_EQ(usedCpu(), 0);
  EXPECT_EQ(usedMemory(), 0);
}

TEST_F(KvmVmTest, ANeverStopGuestThatStopsByItselfIsStartedAgain) {
  buildKvmCloud();
  std::string uuid = created(createVmReply(kvmVmParams("web")))["uuid"];
  std::string levels = std::string(kVms) + "/" + uuid + "/ha-levels";
  ASSERT_EQ(client().call("POST", levels, {{"params", {{"level", "NeverStop"}}}}).status, 200);
  EXPECT_EQ(parse(client().send("GET", levels))["level"], "NeverStop");

  std::string host = vm(uuid)["hostUuid"];
  agentCall(ipOf(host), "remote.kvm.DestroyVm", {{"vm", {{"uuid", uuid}}}});
  // Seen stopped, then started again: running on a host, its guest there.
  EXPECT_TRUE(eventually([&] {
    Json v = vm(uuid);
    return v["state"] == "Running" && guestsOn(ipOf(v["hostUuid"])).contains(uuid);
  })) << vm(uuid).dump();
  EXPECT_EQ(usedCpu(), 1);

  // Without a level, a guest that stops stays stopped.
  ASSERT_EQ(client().call("DELETE", "/zstack/v1/instances/" + uuid + "/ha-levels").status, 200);
  EXPECT_EQ(parse(client().send("GET", levels)), Json::object());
  host = vm(uuid)["hostUuid"];
  agentCall(ipOf(host), "remote.kvm.DestroyVm", {{"vm", {{"uuid", uuid}}}});
  EXPECT_TRUE(eventually([&] { return vm(uuid)["state"] == "Stopped"; }));
  std::this_thread::sleep_for(std::chrono::seconds(1));
  EXPECT_EQ(vm(uuid)["state"], "Stopped");
}

// HA on KVM hosts: both agents beat on the shared mount point. Host A's agent dies with its
// guests; its beat stops, host B's agent sees it stand still, and the VM starts on host B.
TEST_F(KvmVmTest, AnHaVmOfAHostThatDiedStartsOnAnother) {
  buildKvmCloud();
  setGlobalConfig("host", "ping.interval", "1");
  // Fencing, not a reconnect that starts the agent again, must bring the VM back.
  setGlobalConfig("host", "connection.autoReconnectOnError", "false");
  Json params = kvmVmParams("web");
  params["hostUuid"] = hostA_;
  std::string uuid = created(createVmReply(params))["uuid"];
  ASSERT_EQ(client()
                .call("POST", std::string(kVms) + "/" + uuid + "/ha-levels",
                      {{"params", {{"level", "OnHostFailure"}}}})
                .status,
            200);
  auto beatOf = [&](const std::string& host) { return readFile(storageDir_ / "heartbeat" / host); };
  ASSERT_TRUE(eventually([&] { return !beatOf(hostA_).empty() && !beatOf(hostB_).empty(); }));
  std::string seen = beatOf(hostB_);
  EXPECT_TRUE(eventually([&] { return beatOf(hostB_) != seen; }));

  ::kill(agentA_->pid(), SIGKILL);
  agentA_->waitExit(std::chrono::seconds(5));
  EXPECT_TRUE(eventually(
      [&] {
        Json v = vm(uuid);
        return v["state"] == "Running" && v["hostUuid"] == hostB_;
      },
      40))
      << vm(uuid);
  EXPECT_TRUE(guestsOn(kHostB).contains(uuid));
  EXPECT_EQ(usedCpu(), 1);
}

TEST_F(KvmVmTest, AGuestStartedOutsideStratoIsRunningWhereItRuns) {
  buildKvmCloud();
  Json params = kvmVmParams("web");
  params["hostUuid"] = hostA_;
  std::string uuid = created(createVmReply(params))["uuid"];
  EXPECT_EQ(vmActionOk(uuid, {{"stopVmInstance", Json::object()}})["state"], "Stopped");
  agentCall(kHostB, "remote.kvm.StartVm",
            {{"vm", {{"uuid", uuid}, {"cpuNum", 1}, {"memorySize", kGiB}}}});
  EXPECT_TRUE(eventually([&] { return vm(uuid)["state"] == "Running"; })) << vm(uuid).dump();
  EXPECT_EQ(vm(uuid)["hostUuid"], hostB_);
  EXPECT_EQ(usedCpu(), 1);
  // And Strato can stop it where it is.
  EXPECT_EQ(vmActionOk(uuid, {{"stopVmInstance", Json::object()}})["state"], "Stopped");
  EXPECT_FALSE(guestsOn(kHostB).contains(uuid));
}

}  // namespace
}  // namespace strato::test
