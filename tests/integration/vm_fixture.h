// VMs over HTTP: a strato-server with the in-tree plugins and a small cloud of simulator parts
// (one zone and cluster, hosts, primary and backup storage, an image, a flat L3 network with a
// /24 range and an instance offering), and helpers for the VM APIs of section 3.1.
#pragma once

#include <string>
#include <vector>

#include "integration/network_fixture.h"

namespace strato::test {

class VmTest : public NetworkTest {
 protected:
  static constexpr const char* kVms = "/zstack/v1/vm-instances";

  void SetUp() override { startServer(); }

  // The cloud: `hosts` simulator hosts of `cpus` cores and `memory` bytes each.
  void buildCloud(int hosts, std::int64_t cpus = 16, std::int64_t memory = 32LL << 30) {
    zone_ = createZone("z1")["uuid"];
    cluster_ = createCluster(zone_, "c1")["uuid"];
    for (int i = 0; i < hosts; ++i) {
      auto reply = client().call(
          "POST", "/zstack/v1/hosts/simulators",
          {{"params",
            {{"name", "host" + std::to_string(i)},
             {"managementIp", "10.0." + std::to_string(i / 250) + "." + std::to_string(i % 250 + 1)},
             {"clusterUuid", cluster_},
             {"cpuCapacity", cpus},
             {"memoryCapacity", memory}}}});
      ASSERT_EQ(reply.status, 200) << reply.body;
      hosts_.push_back(parse(reply)["inventory"]["uuid"]);
    }
    ps_ = addSimulator(zone_, 1000 * kGiB, 1000 * kGiB)["uuid"];
    attach(ps_, cluster_);
    std::string bsUuid = simulatorBackupStorage();
    auto image = client().call("POST", "/zstack/v1/images",
                               {{"params", {{"name", "linux"},
                                            {"url", "http://images.example/linux.qcow2"},
                                            {"format", "qcow2"},
                                            {"platform", "Linux"},
                                            {"backupStorageUuids", {bsUuid}}}}});
    ASSERT_EQ(image.status, 200) << image.body;
    image_ = parse(image)["inventory"]["uuid"];
    imageSize_ = parse(image)["inventory"]["size"];
    std::string l2 = noVlan(zone_)["uuid"];
    ASSERT_EQ(attachL2Reply(l2, cluster_).status, 200);
    l3_ = l3(l2)["uuid"];
    range(l3_, "192.168.1.2", "192.168.1.254", "192.168.1.1");
    offering_ = instanceOffering(1, kGiB);
  }

  // A simulator backup storage attached to zone_.
  std::string simulatorBackupStorage() {
    std::string bs = created(post("backup-storage/simulators", {{"name", "bs"}, {"url", "/bs"}}))["uuid"];
    auto attached = client().call("POST", "/zstack/v1/zones/" + zone_ + "/backup-storage/" + bs,
                                  Json::object());
    EXPECT_EQ(attached.status, 200) << attached.body;
    return bs;
  }

  // For VMs on KVM hosts: a shared mount point storage at `dir` attached to cluster_, and
  // installer().
  void sharedStorageAndInstaller(const std::filesystem::path& dir) {
    ps_ = add("smp", {{"url", dir.string()},
                      {"name", "smp"},
                      {"type", "SharedMountPoint"},
                      {"zoneUuid", zone_}})["uuid"];
    attach(ps_, cluster_);
    installer();
  }
  // An ISO (image_) on a simulator backup storage, and a root disk offering (rootDisk_) to
  // install on: VMs on KVM hosts without an image cache to fill.
  void installer() {
    std::string bsUuid = simulatorBackupStorage();
    image_ = created(post("images", {{"name", "installer"},
                                     {"url", "http://images.example/installer.iso"},
                                     {"format", "iso"},
                                     {"platform", "Linux"},
                                     {"backupStorageUuids", {bsUuid}}}))["uuid"];
    rootDisk_ = created(post("disk-offerings", {{"name", "root"}, {"diskSize", kGiB}}))["uuid"];
  }

  std::string instanceOffering(std::int64_t cpus, std::int64_t memory) {
    return created(post("instance-offerings", {{"name", "o" + std::to_string(cpus)},
                                               {"cpuNum", cpus},
                                               {"memorySize", memory}}))["uuid"];
  }

  Json vmParams(const std::string& name) const {
    return {{"name", name},
            {"instanceOfferingUuid", offering_},
            {"imageUuid", image_},
            {"l3NetworkUuids", {l3_}}};
  }
  HttpReply createVmReply(const Json& params, const Json& systemTags = Json::array()) {
    return post("vm-instances", params, systemTags);
  }
  Json createVm(const std::string& name) { return created(createVmReply(vmParams(name))); }

  HttpReply vmAction(const std::string& uuid, const Json& body) {
    return client().call("PUT", std::string(kVms) + "/" + uuid + "/actions", body);
  }
  Json vmActionOk(const std::string& uuid, const Json& body) {
    auto reply = vmAction(uuid, body);
    EXPECT_EQ(reply.status, 200) << reply.body;
    return parse(reply)["inventory"];
  }
  Json vm(const std::string& uuid) {
    Json found = query(std::string(kVms) + "/" + uuid);
    return found.empty() ? Json() : found[0];
  }
  HttpReply attachVolume(const std::string& volume, const std::string& vm) {
    return client().call("POST", "/zstack/v1/volumes/" + volume + "/vm-instances/" + vm,
                         Json::object());
  }
  // The uuids of the inventories a GET of /zstack/v1/<path> answers (the candidate APIs).
  std::vector<std::string> uuidsOf(const std::string& path) {
    auto reply = client().send("GET", "/zstack/v1/" + path);
    EXPECT_EQ(reply.status, 200) << reply.body;
    Json body = parse(reply);  // kept: a range-for over parse(reply)[...] would dangle
    std::vector<std::string> out;
    for (const auto& i : body["inventories"]) out.push_back(i["uuid"]);
    return out;
  }

  // What the hosts' VMs hold, from the host inventories.
  std::int64_t usedCpu() {
    std::int64_t used = 0;
    for (const auto& h : query("/zstack/v1/hosts"))
      used += h["totalCpuCapacity"].get<std::int64_t>() - h["availableCpuCapacity"].get<std::int64_t>();
    return used;
  }
  std::int64_t usedMemory() {
    std::int64_t used = 0;
    for (const auto& h : query("/zstack/v1/hosts"))
      used += h["totalMemoryCapacity"].get<std::int64_t>() -
              h["availableMemoryCapacity"].get<std::int64_t>();
    return used;
  }
  std::int64_t psAvailable() { return ps(ps_)["availableCapacity"].get<std::int64_t>(); }

  std::string zone_, cluster_, ps_, image_, l3_, offering_, rootDisk_;
  std::int64_t imageSize_ = 0;
  std::vector<std::string> hosts_;
};

}  // namespace strato::test
