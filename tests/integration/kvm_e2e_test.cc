// End to end on a real hypervisor: libvirtd started by hand, QEMU under TCG, and a guest made
// from a template the test builds (a Debian kernel and a busybox initramfs on a syslinux disk).
// The image travels as it would in a cloud: from a file into an image store backup storage over
// SSH, from there into the KVM host's image cache, and from the cache into the VM's root volume.
#include <chrono>
#include <thread>

#include "integration/kvm_fixture.h"
#include "support/boot_disk.h"
#include "support/libvirtd_server.h"

namespace strato::test {
namespace {

class KvmEndToEndTest : public KvmTest {
 protected:
  // libvirtd, host A's agent on it, a shared mount point, the boot disk as an image on an image
  // store, a flat network and an offering of 256 MiB.
  void buildRealCloud() {
    libvirtd_ = LibvirtdServer::start();
    // Where the backup storage's SSH user can read the image.
    auto files = sshd_->writableDir("e2e");
    auto disk = buildBootDisk(files);
    consoles_ = files / "consoles";
    std::filesystem::create_directories(consoles_);
    // The host's networking is the operator's here: the bridge the L2 network names exists.
    libvirtd_->inNetwork({"ip", "link", "add", "br_eth0", "type", "bridge"});
    libvirtd_->inNetwork({"ip", "link", "set", "br_eth0", "up"});

    zone_ = createZone("z1")["uuid"];
    cluster_ = createCluster(zone_, "kvm", "KVM")["uuid"];
    agentA_ = startAgent(kHostA, {"--set", "plugin.kvm-agent.libvirtUri=" + libvirtd_->uri(),
                                  "--set", "plugin.kvm-agent.domainType=qemu", "--set",
                                  "plugin.kvm-agent.consoleLogDir=" + consoles_.string()});
    hostA_ = created(addKvmHostReply("a", kHostA))["uuid"];
    ps_ = add("smp", {{"url", storageDir_.string()},
                      {"name", "smp"},
                      {"type", "SharedMountPoint"},
                      {"zoneUuid", zone_}})["uuid"];
    attach(ps_, cluster_);
    std::string bs = imageStore(*sshd_, "127.0.0.1");
    image_ = created(post("images", {{"name", "busybox"},
                                     {"url", "file://" + disk.string()},
                                     {"format", "raw"},
                                     {"platform", "Linux"},
                                     {"backupStorageUuids", {bs}}}))["uuid"];
    std::string l2 = noVlan(zone_)["uuid"];
    ASSERT_EQ(attachL2Reply(l2, cluster_).status, 200);
    l3_ = l3(l2)["uuid"];
    range(l3_, "192.168.1.2", "192.168.1.254", "192.168.1.1");
    offering_ = instanceOffering(1, 256LL << 20);
  }

  std::unique_ptr<LibvirtdServer> libvirtd_;
  std::filesystem::path consoles_;
};

TEST_F(KvmEndToEndTest, AGuestBootsFromATemplateAndStops) {
  buildRealCloud();
  Json v = created(createVmReply(vmParams("guest")));
  std::string uuid = v["uuid"];
  ASSERT_EQ(v["state"], "Running");
  EXPECT_EQ(guestsOn(kHostA)[uuid], "Running");
  auto console = consoles_ / (uuid + ".log");
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(90);
  while (readFile(console).find(kBootMarker) == std::string::npos &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
  }
  EXPECT_NE(readFile(console).find(kBootMarker), std::string::npos) << readFile(console);

  EXPECT_EQ(vmActionOk(uuid, {{"stopVmInstance", {{"type", "cold"}}}})["state"], "Stopped");
  EXPECT_FALSE(guestsOn(kHostA).contains(uuid));
  ASSERT_EQ(client().call("DELETE", std::string(kVms) + "/" + uuid).status, 200);
  EXPECT_EQ(rowsIn("volume"), 0);
}

// QEMU locks a disk image for its one writer: a second guest opening a raw file another runs on
// is refused, unless libvirt is told the disk is shareable.
TEST_F(KvmEndToEndTest, TwoGuestsWriteOneShareableVolume) {
  buildRealCloud();
  std::string disk =
      created(post("disk-offerings", {{"name", "d"}, {"diskSize", 64LL << 20}}))["uuid"];
  Json volume = created(post(
      "volumes/data", {{"name", "shared"}, {"diskOfferingUuid", disk}, {"primaryStorageUuid", ps_}},
      Json::array({"ephemeral::shareable"})));
  std::string shared = volume["uuid"];
  EXPECT_EQ(volume["format"], "raw");
  std::vector<std::string> guests;
  for (const char* name : {"one", "two"}) {
    Json params = vmParams(name);
    params["strategy"] = "CreateStopped";
    std::string uuid = created(createVmReply(params))["uuid"];
    auto attached = attachVolume(shared, uuid);
    ASSERT_EQ(attached.status, 200) << attached.body;
    guests.push_back(uuid);
  }
  for (const auto& uuid : guests) {
    auto started = vmAction(uuid, {{"startVmInstance", Json::object()}});
    ASSERT_EQ(started.status, 200) << started.body;
    EXPECT_EQ(guestsOn(kHostA)[uuid], "Running");
  }
  for (const auto& uuid : guests) {
    auto stopped = vmAction(uuid, {{"stopVmInstance", {{"type", "cold"}}}});
    EXPECT_EQ(stopped.status, 200) << stopped.body;
  }
}

}  // namespace
}  // namespace strato::test
