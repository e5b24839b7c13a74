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

class KvmEndToEndTest : public KvmTest {};

TEST_F(KvmEndToEndTest, AGuestBootsFromATemplateAndStops) {
  auto libvirtd = LibvirtdServer::start();
  // Where the backup storage's SSH user can read the image.
  auto files = sshd_->writableDir("e2e");
  auto disk = buildBootDisk(files);
  auto consoles = files / "consoles";
  std::filesystem::create_directories(consoles);
  // The host's networking is the operator's here: the bridge the L2 network names exists.
  libvirtd->inNetwork({"ip", "link", "add", "br_eth0", "type", "bridge"});
  libvirtd->inNetwork({"ip", "link", "set", "br_eth0", "up"});

  zone_ = createZone("z1")["uuid"];
  cluster_ = createCluster(zone_, "kvm", "KVM")["uuid"];
  agentA_ = startAgent(kHostA, {"--set", "plugin.kvm-agent.libvirtUri=" + libvirtd->uri(),
                                "--set", "plugin.kvm-agent.domainType=qemu", "--set",
                                "plugin.kvm-agent.consoleLogDir=" + consoles.string()});
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

  Json v = created(createVmReply(vmParams("guest")));
  std::string uuid = v["uuid"];
  ASSERT_EQ(v["state"], "Running");
  EXPECT_EQ(guestsOn(kHostA)[uuid], "Running");
  auto console = consoles / (uuid + ".log");
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

}  // namespace
}  // namespace strato::test
