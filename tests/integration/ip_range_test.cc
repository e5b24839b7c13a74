// IP ranges and the IPAM reads of section 5.2 over HTTP: AddIpRange, AddIpRangeByNetworkCidr,
// QueryIpRange, UpdateIpRange, DeleteIpRange, GetFreeIp, CheckIpAvailability, GetIpAddressCapacity.
#include "integration/network_fixture.h"

namespace strato::test {
namespace {

class IpRangeTest : public NetworkTest {
 protected:
  void SetUp() override {
    NetworkTest::SetUp();
    zone_ = createZone("z1")["uuid"];
    l2_ = noVlan(zone_)["uuid"];
    l3_ = l3(l2_)["uuid"];
  }
  std::string zone_, l2_, l3_;
};

TEST_F(IpRangeTest, AddByRangeAndByCidrWithTheManualsShapes) {
  Json r = created(post("l3-networks/" + l3_ + "/ip-ranges", {{"name", "Test-IP-Range"},
                                                              {"startIp", "192.168.100.10"},
                                                              {"endIp", "192.168.100.250"},
                                                              {"netmask", "255.255.255.0"},
                                                              {"gateway", "192.168.100.1"}}));
  EXPECT_EQ(keysOf(r), (std::set<std::string>{"uuid", "l3NetworkUuid", "name", "startIp", "endIp",
                                              "netmask", "gateway", "networkCidr", "ipVersion",
                                              "prefixLen", "createDate", "lastOpDate"}));
  EXPECT_EQ(r["networkCidr"], "192.168.100.0/24");
  EXPECT_EQ(r["l3NetworkUuid"], l3_);
  EXPECT_EQ(r["ipVersion"], 4);
  // A second range of the same network and gateway.
  range(l3_, "192.168.100.251", "192.168.100.254", "192.168.100.1");
  EXPECT_EQ(l3Of(l3_)["ipRanges"].size(), 2u);
  EXPECT_EQ(l3Of(l3_)["ipRanges"][0], r);

  std::string other = l3(l2_, "other")["uuid"];
  Json cidr = created(cidrReply(other, "10.20.0.0/16"));
  EXPECT_EQ(cidr["startIp"], "10.20.0.2");
  EXPECT_EQ(cidr["endIp"], "10.20.255.254");
  EXPECT_EQ(cidr["gateway"], "10.20.0.1");
  EXPECT_EQ(cidr["netmask"], "255.255.0.0");
  EXPECT_EQ(cidr["networkCidr"], "10.20.0.0/16");
  EXPECT_EQ(query("/zstack/v1/l3-networks/ip-ranges").size(), 3u);
  EXPECT_EQ(query("/zstack/v1/l3-networks/ip-ranges/" + cidr["uuid"].get<std::string>())[0], cidr);
  EXPECT_EQ(query("/zstack/v1/l3-networks/ip-ranges?q=l3Network.name=other").size(), 1u);
  EXPECT_EQ(query("/zstack/v1/l3-networks?q=ranges.networkCidr=10.20.0.0/16").size(), 1u);

  auto updated = client().call(
      "PUT", "/zstack/v1/l3-networks/ip-ranges/" + cidr["uuid"].get<std::string>() + "/actions",
      {{"updateIpRange", {{"name", "renamed"}}}});
  ASSERT_EQ(updated.status, 200) << updated.body;
  EXPECT_EQ(parse(updated)["inventory"]["name"], "renamed");
  EXPECT_EQ(l3Of(other)["ipRanges"][0]["name"], "renamed");

  auto deleted =
      client().call("DELETE", "/zstack/v1/l3-networks/ip-ranges/" + r["uuid"].get<std::string>());
  ASSERT_EQ(deleted.status, 200) << deleted.body;
  EXPECT_EQ(l3Of(l3_)["ipRanges"].size(), 1u);
  EXPECT_EQ(rowsIn("ip_range"), 2);
}

TEST_F(IpRangeTest, BadRangesAreRefusedNamingTheParameter) {
  range(l3_, "192.168.1.10", "192.168.1.100", "192.168.1.1");
  struct Case {
    const char* start;
    const char* end;
    const char* gateway;
    const char* netmask;
    const char* expect;
  } cases[] = {
      {"192.168.1.50", "192.168.1.150", "192.168.1.1", "255.255.255.0", "overlaps"},
      {"192.168.1.101", "192.168.2.10", "192.168.1.1", "255.255.255.0", "'endIp'"},
      {"192.168.0.200", "192.168.1.120", "192.168.1.1", "255.255.255.0", "'startIp'"},
      {"192.168.1.101", "192.168.1.200", "192.168.1.150", "255.255.255.0", "'gateway'"},
      {"192.168.1.101", "192.168.1.200", "192.168.1.254", "255.255.255.0", "'gateway'"},
      {"192.168.1.101", "192.168.1.200", "192.168.1.1", "255.255.0.0", "'netmask'"},
      {"192.168.1.101", "192.168.1.200", "192.168.1.1", "255.0.255.0", "'netmask'"},
      {"192.168.1.200", "192.168.1.101", "192.168.1.1", "255.255.255.0", "'startIp'"},
      {"192.168.1.101", "192.168.1.255", "192.168.1.1", "255.255.255.0", "broadcast"},
      {"192.168.1.300", "192.168.1.200", "192.168.1.1", "255.255.255.0", "'startIp'"},
      {"192.168.1.101", "192.168.1.200", "gw", "255.255.255.0", "'gateway'"},
  };
  for (const auto& c : cases) {
    auto reply = rangeReply(l3_, c.start, c.end, c.gateway, c.netmask);
    EXPECT_EQ(codeOf(reply), "SYS.1007") << c.start << " " << reply.body;
    EXPECT_NE(errorOf(reply).find(c.expect), std::string::npos) << c.expect << ": " << reply.body;
  }
  // Another L3 on the same L2 shares the broadcast domain: no overlap there either.
  std::string sibling = l3(l2_, "sibling")["uuid"];
  auto shared = rangeReply(sibling, "192.168.1.90", "192.168.1.95", "192.168.1.1");
  EXPECT_NE(errorOf(shared).find("overlaps"), std::string::npos) << shared.body;
  for (const char* bad : {"10.0.0.5/24", "10.0.0.0", "10.0.0.0/31", "300.0.0.0/8", "10.0.0.0/x"}) {
    auto reply = cidrReply(sibling, bad);
    EXPECT_EQ(codeOf(reply), "SYS.1007") << bad << " " << reply.body;
    EXPECT_NE(errorOf(reply).find("'networkCidr'"), std::string::npos) << reply.body;
  }
  auto noL3 = rangeReply(std::string(32, 'd'), "10.0.0.2", "10.0.0.9", "10.0.0.1");
  EXPECT_NE(errorOf(noL3).find("'l3NetworkUuid'"), std::string::npos) << noL3.body;
  EXPECT_EQ(rowsIn("ip_range"), 1);
}

TEST_F(IpRangeTest, FreeIpsAvailabilityAndCapacity) {
  std::string r1 = range(l3_, "10.20.10.5", "10.20.10.10", "10.20.10.1")["uuid"];
  Json free = getOk("l3-networks/" + l3_ + "/ip/free?start=0.0.0.0&limit=100.0")["inventories"];
  ASSERT_EQ(free.size(), 6u);
  EXPECT_EQ(free[0], (Json{{"ipRangeUuid", r1},
                           {"ip", "10.20.10.5"},
                           {"netmask", "255.255.255.0"},
                           {"gateway", "10.20.10.1"}}));
  EXPECT_EQ(getOk("l3-networks/" + l3_ + "/ip/free?start=10.20.10.8&limit=2")["inventories"].size(),
            2u);
  EXPECT_EQ(getOk("l3-networks/ip-ranges/" + r1 + "/ip/free?limit=3")["inventories"][2]["ip"],
            "10.20.10.7");
  EXPECT_NE(errorOf(get("l3-networks/" + l3_ + "/ip/free?start=nope")).find("'start'"),
            std::string::npos);

  auto available = [&](const std::string& ip) {
    return getOk("l3-networks/" + l3_ + "/ip/" + ip + "/availability");
  };
  EXPECT_EQ(available("10.20.10.6"), (Json{{"available", true}}));
  EXPECT_EQ(available("10.20.10.1")["available"], false);
  EXPECT_NE(available("10.20.10.1")["reason"].get<std::string>().find("gateway"),
            std::string::npos);
  EXPECT_NE(available("10.20.10.200")["reason"].get<std::string>().find("no IP range"),
            std::string::npos);
  EXPECT_NE(available("10.20.10.255")["reason"].get<std::string>().find("reserved"),
            std::string::npos);
  EXPECT_EQ(get("l3-networks/" + l3_ + "/ip/10.20.10/availability").status, 400);

  // The Flat DHCP server takes the first address: used from then on.
  ASSERT_EQ(attachServices(l3_, {{flatProvider(), {"DHCP"}}}).status, 200);
  EXPECT_NE(available("10.20.10.5")["reason"].get<std::string>().find("used (DHCP)"),
            std::string::npos);
  free = getOk("l3-networks/" + l3_ + "/ip/free")["inventories"];
  ASSERT_EQ(free.size(), 5u);
  EXPECT_EQ(free[0]["ip"], "10.20.10.6");

  std::string other = l3(noVlan(zone_, "second", "eth1")["uuid"], "other")["uuid"];
  std::string r2 = created(cidrReply(other, "172.16.0.0/24"))["uuid"];  // 253 addresses
  Json all = getOk("ip-capacity?all=true");
  EXPECT_EQ(all["totalCapacity"], 6 + 253);
  EXPECT_EQ(all["availableCapacity"], 5 + 253);
  EXPECT_EQ(all["usedIpAddressNumber"], 1);
  EXPECT_EQ(getOk("ip-capacity?l3NetworkUuids=" + l3_)["availableCapacity"], 5);
  EXPECT_EQ(getOk("ip-capacity?ipRangeUuids=" + r2)["totalCapacity"], 253);
  EXPECT_EQ(getOk("ip-capacity?l3NetworkUids=" + other)["totalCapacity"],
            253);  // the manual's spelling
  EXPECT_EQ(getOk("ip-capacity?zoneUuids=" + zone_)["totalCapacity"], 259);
  EXPECT_EQ(getOk("ip-capacity?zoneUuids=" + std::string(32, 'e'))["totalCapacity"], 0);
  EXPECT_EQ(get("ip-capacity").status, 400);

  // Deleting the range takes the DHCP server's address along; a new range gives it another.
  ASSERT_EQ(client().call("DELETE", "/zstack/v1/l3-networks/ip-ranges/" + r1).status, 200);
  EXPECT_EQ(rowsIn("used_ip"), 0);
  range(l3_, "10.20.10.100", "10.20.10.110", "10.20.10.1");
  EXPECT_EQ(getOk("l3-networks/" + l3_ + "/dhcp-ip")["ip"], "10.20.10.100");
}

}  // namespace
}  // namespace strato::test
