// The VM settings of section 3.1 over HTTP: ssh key, console password, hostname and boot order
// (kept as system tags, as ZStack keeps them), the guest calls (password, console address), and
// the static IP and MAC changes of a stopped VM's NIC.
#include "integration/vm_fixture.h"

namespace strato::test {
namespace {

constexpr const char* kKey = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl me@laptop";

class VmSettingsTest : public VmTest {
 protected:
  void SetUp() override {
    VmTest::SetUp();
    buildCloud(1);
  }
  Json getOk(const std::string& vm, const std::string& what) {
    auto reply = client().send("GET", std::string(kVms) + "/" + vm + "/" + what);
    EXPECT_EQ(reply.status, 200) << reply.body;
    return parse(reply);
  }
  HttpReply remove(const std::string& vm, const std::string& what) {
    return client().call("DELETE", std::string(kVms) + "/" + vm + "/" + what);
  }
};

TEST_F(VmSettingsTest, SshKeyConsolePasswordHostnameAndBootOrderRoundTrip) {
  std::string vm = createVm("web")["uuid"];
  EXPECT_EQ(getOk(vm, "ssh-keys"), Json::object());
  EXPECT_EQ(vmActionOk(vm, {{"setVmSshKey", {{"SshKey", kKey}}}})["uuid"], vm);
  EXPECT_EQ(getOk(vm, "ssh-keys")["sshKey"], kKey);
  EXPECT_EQ(codeOf(vmAction(vm, {{"setVmSshKey", {{"SshKey", "not a key"}}}})), "SYS.1007");
  ASSERT_EQ(remove(vm, "ssh-keys").status, 200);
  EXPECT_EQ(getOk(vm, "ssh-keys"), Json::object());

  vmActionOk(vm, {{"setVmConsolePassword", {{"consolePassword", "s3cret-pw"}}}});
  EXPECT_EQ(getOk(vm, "console-passwords")["consolePassword"], "s3cret-pw");
  EXPECT_EQ(codeOf(vmAction(vm, {{"setVmConsolePassword", {{"consolePassword", "abc"}}}})),
            "SYS.1007");
  ASSERT_EQ(remove(vm, "console-password").status, 200);
  EXPECT_EQ(getOk(vm, "console-passwords"), Json::object());

  ASSERT_EQ(vmAction(vm, {{"setVmHostname", {{"hostname", "web-1.example.org"}}}}).status, 200);
  EXPECT_EQ(getOk(vm, "hostnames")["hostname"], "web-1.example.org");
  EXPECT_EQ(codeOf(vmAction(vm, {{"setVmHostname", {{"hostname", "-bad-.org"}}}})), "SYS.1007");
  // The tag is what QuerySystemTag shows, as in ZStack.
  EXPECT_EQ(query("/zstack/v1/system-tags?q=resourceUuid=" + vm)[0]["tag"],
            "hostname::web-1.example.org");

  EXPECT_EQ(getOk(vm, "boot-orders")["order"], Json::array({"HardDisk"}));
  vmActionOk(vm, {{"setVmBootOrder", {{"bootOrder", {"Network", "HardDisk"}}}}});
  EXPECT_EQ(getOk(vm, "boot-orders")["order"], Json::array({"Network", "HardDisk"}));
  EXPECT_EQ(codeOf(vmAction(vm, {{"setVmBootOrder", {{"bootOrder", {"Network", "Network"}}}}})),
            "SYS.1007");
  vmActionOk(vm, {{"setVmBootOrder", {{"bootOrder", Json::array()}}}});
  EXPECT_EQ(getOk(vm, "boot-orders")["order"], Json::array({"HardDisk"}));
}

// The flat Userdata service hands the tag's value to guests decoded (flat_dhcp_vxlan_test.cc).
TEST_F(VmSettingsTest, UserdataFromCreationMustBeBase64) {
  auto bad = createVmReply(vmParams("u"), {"userdata::#cloud-config not encoded"});
  EXPECT_EQ(codeOf(bad), "SYS.1007") << bad.body;  // the job's error, as ZStack reports it
  EXPECT_NE(bad.body.find("base64"), std::string::npos) << bad.body;
  auto good = createVmReply(vmParams("u"), {"userdata::I2Nsb3VkLWNvbmZpZwo="});
  EXPECT_EQ(good.status, 200) << good.body;
  // A cloud-config with keys and files runs to tens of kilobytes: 40,000 base64 characters.
  std::string big = "userdata::" + std::string(40000, 'A');
  auto large = createVmReply(vmParams("big"), {big});
  ASSERT_EQ(large.status, 200) << large.body.substr(0, 300);
  std::string uuid = parse(large)["inventory"]["uuid"];
  auto tags = client().send("GET", "/zstack/v1/system-tags?q=resourceUuid=" + uuid);
  EXPECT_NE(tags.body.find(big), std::string::npos) << "kept whole";
}

TEST_F(VmSettingsTest, HostnameFromCreationIsUniqueOnItsNetworks) {
  auto created = createVmReply(vmParams("a"), {"hostname::db"});
  ASSERT_EQ(created.status, 200) << created.body;
  std::string a = parse(created)["inventory"]["uuid"];
  EXPECT_EQ(getOk(a, "hostnames")["hostname"], "db");
  std::string b = createVm("b")["uuid"];
  auto clash = vmAction(b, {{"setVmHostname", {{"hostname", "db"}}}});
  EXPECT_EQ(clash.status, 503) << clash.body;
  EXPECT_NE(clash.body.find("by VM " + a), std::string::npos) << clash.body;
  ASSERT_EQ(remove(a, "hostnames").status, 200);
  EXPECT_EQ(vmAction(b, {{"setVmHostname", {{"hostname", "db"}}}}).status, 200);
}

TEST_F(VmSettingsTest, ConsoleAndPasswordNeedARunningGuest) {
  Json v = createVm("web");
  std::string vm = v["uuid"];
  Json console = getOk(vm, "console-addresses");
  EXPECT_EQ(console["hostIp"], "10.0.0.1");
  EXPECT_EQ(console["port"], 5900);
  EXPECT_EQ(console["protocol"], "vnc");
  EXPECT_EQ(vmAction(vm, {{"changeVmPassword", {{"account", "root"}, {"password", "n3w"}}}}).status,
            200);
  EXPECT_EQ(codeOf(vmAction(vm, {{"changeVmPassword", {{"account", "ro ot"}, {"password", "x"}}}})),
            "SYS.1007");

  vmActionOk(vm, {{"stopVmInstance", Json::object()}});
  EXPECT_EQ(client().send("GET", std::string(kVms) + "/" + vm + "/console-addresses").status, 503);
  EXPECT_EQ(vmAction(vm, {{"changeVmPassword", {{"account", "root"}, {"password", "n3w"}}}}).status,
            503);
}

TEST_F(VmSettingsTest, StaticIpAndMacChangeAStoppedVmsNic) {
  Json v = createVm("web");
  std::string vm = v["uuid"], nic = v["vmNics"][0]["uuid"];
  std::string other = createVm("other")["vmNics"][0]["ip"];
  auto running = vmAction(vm, {{"setVmStaticIp", {{"l3NetworkUuid", l3_}, {"ip", "192.168.1.100"}}}});
  EXPECT_EQ(running.status, 503) << running.body;  // a running guest would not notice
  vmActionOk(vm, {{"stopVmInstance", Json::object()}});

  auto set = vmAction(vm, {{"setVmStaticIp", {{"l3NetworkUuid", l3_}, {"ip", "192.168.1.100"}}}});
  ASSERT_EQ(set.status, 200) << set.body;
  EXPECT_EQ(this->vm(vm)["vmNics"][0]["ip"], "192.168.1.100");
  EXPECT_EQ(rowsIn("used_ip"), 2);  // the old address went back
  EXPECT_EQ(query("/zstack/v1/system-tags?q=resourceUuid=" + vm)[0]["tag"],
            "staticIp::" + l3_ + "::192.168.1.100");
  auto taken = vmAction(vm, {{"setVmStaticIp", {{"l3NetworkUuid", l3_}, {"ip", other}}}});
  EXPECT_EQ(taken.status, 503) << taken.body;
  EXPECT_EQ(this->vm(vm)["vmNics"][0]["ip"], "192.168.1.100");
  EXPECT_EQ(rowsIn("used_ip"), 2);
  auto dropped = client().call("DELETE", std::string(kVms) + "/" + vm + "/static-ips?l3NetworkUuid=" + l3_);
  ASSERT_EQ(dropped.status, 200) << dropped.body;
  EXPECT_TRUE(query("/zstack/v1/system-tags?q=resourceUuid=" + vm).empty());
  EXPECT_EQ(this->vm(vm)["vmNics"][0]["ip"], "192.168.1.100");  // the address stays

  auto mac = [&](const std::string& value) {
    return client().call("PUT", std::string(kVms) + "/nics/" + nic + "/actions",
                         {{"updateVmNicMac", {{"mac", value}}}});
  };
  ASSERT_EQ(mac("fa:16:3e:00:00:01").status, 200);
  EXPECT_EQ(this->vm(vm)["vmNics"][0]["mac"], "fa:16:3e:00:00:01");
  EXPECT_EQ(codeOf(mac("01:00:5e:00:00:01")), "SYS.1007");  // multicast
  EXPECT_EQ(codeOf(mac("FA-16")), "SYS.1007");
}

TEST_F(VmSettingsTest, NicQosIsStoredAndAppliedToTheRunningGuest) {
  std::string nic = createVm("web")["vmNics"][0]["uuid"];
  auto set = [&](const Json& limits) {
    return client().call("PUT", std::string(kVms) + "/" + nic + "/actions", {{"setNicQos", limits}});
  };
  auto get = [&] { return parse(client().send("GET", std::string(kVms) + "/" + nic + "/QoS")); };
  EXPECT_EQ(get(), Json::object());
  ASSERT_EQ(set({{"outboundBandwidth", 100000}, {"inboundBandwidth", 200000}}).status, 200);
  EXPECT_EQ(get(), (Json{{"inboundBandwidth", 200000}, {"outboundBandwidth", 100000}}));
  EXPECT_EQ(codeOf(set({{"outboundBandwidth", 100}})), "SYS.1007");

  // The guest refuses: the limits stay what they were.
  std::string refusal = createSystemTag("HostVO", hosts_[0], "simulator::failHotPlug")["uuid"];
  EXPECT_EQ(set({{"outboundBandwidth", 300000}}).status, 503);
  EXPECT_EQ(get()["outboundBandwidth"], 100000);
  ASSERT_EQ(client().call("DELETE", "/zstack/v1/tags/" + refusal).status, 200);

  auto lift = [&](const std::string& direction) {
    return client().call("DELETE", std::string(kVms) + "/" + nic + "/nic-qos?direction=" + direction);
  };
  EXPECT_EQ(codeOf(lift("sideways")), "SYS.1007");
  ASSERT_EQ(lift("in").status, 200);
  EXPECT_EQ(get(), (Json{{"outboundBandwidth", 100000}}));
}

TEST_F(VmSettingsTest, GuestAgentRdpAndMonitorsRoundTrip) {
  std::string vm = createVm("desk")["uuid"];
  EXPECT_EQ(getOk(vm, "qga"), (Json{{"uuid", vm}, {"enable", false}}));
  EXPECT_EQ(getOk(vm, "rdp"), (Json{{"enable", false}}));
  EXPECT_EQ(getOk(vm, "monitorNumber"), (Json{{"monitorNumber", 1}}));
  ASSERT_EQ(vmAction(vm, {{"setVmQga", {{"enable", true}}}}).status, 200);
  ASSERT_EQ(vmAction(vm, {{"setVmRDP", {{"enable", true}}}}).status, 200);
  ASSERT_EQ(vmAction(vm, {{"setVmMonitorNumber", {{"monitorNumber", 2}}}}).status, 200);
  EXPECT_EQ(getOk(vm, "qga")["enable"], true);
  EXPECT_EQ(getOk(vm, "rdp")["enable"], true);
  EXPECT_EQ(getOk(vm, "monitorNumber")["monitorNumber"], 2);
  EXPECT_EQ(codeOf(vmAction(vm, {{"setVmMonitorNumber", {{"monitorNumber", 9}}}})), "SYS.1007");
  ASSERT_EQ(vmAction(vm, {{"setVmQga", {{"enable", false}}}}).status, 200);
  EXPECT_EQ(getOk(vm, "qga")["enable"], false);
}

}  // namespace
}  // namespace strato::test
