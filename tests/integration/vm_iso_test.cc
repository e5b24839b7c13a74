// ISOs in VMs' CD-ROMs over HTTP (3.1.16-19): what the candidate lists offer, one ISO per VM,
// a guest that refuses the insert keeps its CD-ROM empty, and a VM made from an ISO holds it.
#include "integration/vm_fixture.h"

namespace strato::test {
namespace {

class VmIsoTest : public VmTest {
 protected:
  void SetUp() override {
    VmTest::SetUp();
    buildCloud(1);
    bs_ = query("/zstack/v1/backup-storage")[0]["uuid"];
  }
  std::string iso(const std::string& name) {
    return created(post("images", {{"name", name},
                                   {"url", "http://images.example/" + name + ".iso"},
                                   {"format", "iso"},
                                   {"mediaType", "ISO"},
                                   {"backupStorageUuids", {bs_}}}))["uuid"];
  }
  HttpReply attach(const std::string& vm, const std::string& iso) {
    return client().call("POST", std::string(kVms) + "/" + vm + "/iso/" + iso, Json::object());
  }
  HttpReply detach(const std::string& vm) {
    return client().call("DELETE", std::string(kVms) + "/" + vm + "/iso");
  }
  std::string isoTagOf(const std::string& vm) {
    for (const auto& t : query("/zstack/v1/system-tags?q=resourceUuid=" + vm))
      if (t["tag"].get<std::string>().rfind("iso::", 0) == 0) return t["tag"];
    return "";
  }
  std::string bs_;
};

TEST_F(VmIsoTest, OneIsoPerVmInAndOut) {
  std::string vm = createVm("web")["uuid"];
  std::string a = iso("a"), b = iso("b");
  EXPECT_EQ(uuidsOf("vm-instances/" + vm + "/iso-candidates"), (std::vector<std::string>{a, b}));
  EXPECT_EQ(uuidsOf("images/iso/" + a + "/vm-candidates"), std::vector<std::string>{vm});

  auto in = attach(vm, a);
  ASSERT_EQ(in.status, 200) << in.body;
  EXPECT_EQ(parse(in)["inventory"]["uuid"], vm);
  EXPECT_EQ(isoTagOf(vm), "iso::" + a);
  EXPECT_EQ(attach(vm, a).status, 200);  // already in
  auto other = attach(vm, b);
  EXPECT_EQ(other.status, 503) << other.body;
  EXPECT_NE(other.body.find("detach it first"), std::string::npos) << other.body;
  EXPECT_EQ(uuidsOf("vm-instances/" + vm + "/iso-candidates"), std::vector<std::string>{b});
  EXPECT_TRUE(uuidsOf("images/iso/" + b + "/vm-candidates").empty());
  EXPECT_EQ(codeOf(attach(vm, image_)), "SYS.1001");  // not an ISO

  ASSERT_EQ(detach(vm).status, 200);
  EXPECT_EQ(isoTagOf(vm), "");

  createSystemTag("HostVO", hosts_[0], "simulator::failHotPlug");
  EXPECT_EQ(attach(vm, b).status, 503);
  EXPECT_EQ(isoTagOf(vm), "");  // the guest refused: the CD-ROM stays empty
  vmActionOk(vm, {{"stopVmInstance", Json::object()}});
  EXPECT_EQ(attach(vm, b).status, 200);  // stopped: it is in the CD-ROM at the next start
  EXPECT_EQ(isoTagOf(vm), "iso::" + b);
}

TEST_F(VmIsoTest, AVmMadeFromAnIsoHoldsIt) {
  std::string installer = iso("installer");
  std::string disk = created(post("disk-offerings", {{"name", "d"}, {"diskSize", 4 * kGiB}}))["uuid"];
  Json params = vmParams("fresh");
  params["imageUuid"] = installer;
  params["rootDiskOfferingUuid"] = disk;
  Json v = created(createVmReply(params));
  EXPECT_EQ(isoTagOf(v["uuid"]), "iso::" + installer);
  ASSERT_EQ(detach(v["uuid"]).status, 200);
  EXPECT_EQ(isoTagOf(v["uuid"]), "");
}

}  // namespace
}  // namespace strato::test
