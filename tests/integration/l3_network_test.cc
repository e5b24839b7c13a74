// L3 networks (section 5.2 of the ZStack manual, without IP ranges: ip_range_test.cc) and the
// network service APIs of 6.1.1-6.1.5 with the Flat provider, over HTTP.
#include "integration/network_fixture.h"

namespace strato::test {
namespace {

TEST_F(NetworkTest, CreateAndChangeL3NetworksWithTheManualsShapes) {
  std::string z = createZone("z1")["uuid"];
  std::string l2 = noVlan(z)["uuid"];
  Json net = created(post("l3-networks", {{"name", "Test-L3Network"},
                                          {"type", "L3BasicNetwork"},
                                          {"l2NetworkUuid", l2},
                                          {"category", "Private"},
                                          {"system", false}}));
  EXPECT_EQ(keysOf(net),
            (std::set<std::string>{"uuid", "name", "type", "zoneUuid", "l2NetworkUuid", "state",
                                   "system", "category", "createDate", "lastOpDate", "dns",
                                   "ipRanges", "networkServices", "hostRoute"}));
  EXPECT_EQ(net["state"], "Enabled");
  EXPECT_EQ(net["zoneUuid"], z);
  EXPECT_EQ(net["system"], false);
  EXPECT_EQ(net["dns"], Json::array());
  EXPECT_EQ(l3Of(net["uuid"]), net);
  std::string u = net["uuid"];
  EXPECT_EQ(query("/zstack/v1/l3-networks?q=l2Network.type=L2NoVlanNetwork").size(), 1u);
  EXPECT_EQ(getOk("l3-networks/types")["l3NetworkTypes"], Json::array({"L3BasicNetwork"}));
  Json system =
      created(post("l3-networks", {{"name", "sys"}, {"l2NetworkUuid", l2}, {"system", true}}));
  EXPECT_EQ(system["category"], "System");
  EXPECT_EQ(system["system"], true);

  auto updated =
      l3Action(u, {{"updateL3Network",
                    {{"name", "renamed"}, {"dnsDomain", "example.org"}, {"category", "Public"}}}});
  ASSERT_EQ(updated.status, 200) << updated.body;
  EXPECT_EQ(parse(updated)["inventory"]["name"], "renamed");
  EXPECT_EQ(parse(updated)["inventory"]["dnsDomain"], "example.org");
  EXPECT_EQ(parse(updated)["inventory"]["category"], "Public");
  auto disabled = l3Action(u, {{"changeL3NetworkState", {{"stateEvent", "disable"}}}});
  ASSERT_EQ(disabled.status, 200) << disabled.body;
  EXPECT_EQ(parse(disabled)["inventory"]["state"], "Disabled");
  EXPECT_EQ(parse(l3Action(
                u, {{"changeL3NetworkState", {{"stateEvent", "enable"}}}}))["inventory"]["state"],
            "Enabled");

  // DNS and host routes.
  auto dns = post("l3-networks/" + u + "/dns", {{"dns", "8.8.8.8"}});
  ASSERT_EQ(dns.status, 200) << dns.body;
  EXPECT_EQ(parse(dns)["inventory"]["dns"], Json::array({"8.8.8.8"}));
  post("l3-networks/" + u + "/dns", {{"dns", "1.1.1.1"}});
  EXPECT_EQ(l3Of(u)["dns"], Json::array({"8.8.8.8", "1.1.1.1"}));
  EXPECT_NE(errorOf(post("l3-networks/" + u + "/dns", {{"dns", "8.8.8.8"}})).find("already"),
            std::string::npos);
  EXPECT_NE(errorOf(post("l3-networks/" + u + "/dns", {{"dns", "8.8.8"}})).find("'dns'"),
            std::string::npos);
  auto removed = client().call("DELETE", "/zstack/v1/l3-networks/" + u + "/dns/8.8.8.8");
  ASSERT_EQ(removed.status, 200) << removed.body;
  EXPECT_EQ(parse(removed)["inventory"]["dns"], Json::array({"1.1.1.1"}));
  auto route = post("l3-networks/" + u + "/hostroute",
                    {{"prefix", "169.254.169.254/32"}, {"nexthop", "192.168.1.254"}});
  ASSERT_EQ(route.status, 200) << route.body;
  Json routes = parse(route)["inventory"]["hostRoute"];
  ASSERT_EQ(routes.size(), 1u);
  EXPECT_EQ(routes[0]["prefix"], "169.254.169.254/32");
  EXPECT_EQ(routes[0]["nextHop"], "192.168.1.254");
  EXPECT_EQ(routes[0]["l3NetworkUuid"], u);
  auto badRoute =
      post("l3-networks/" + u + "/hostroute", {{"prefix", "10.0.0.1/8"}, {"nexthop", "1.2.3.4"}});
  EXPECT_NE(errorOf(badRoute).find("'prefix'"), std::string::npos) << badRoute.body;
  auto badHop =
      post("l3-networks/" + u + "/hostroute", {{"prefix", "10.0.0.0/8"}, {"nexthop", "x"}});
  EXPECT_NE(errorOf(badHop).find("'nexthop'"), std::string::npos) << badHop.body;
  auto unrouted = client().call(
      "DELETE", "/zstack/v1/l3-networks/" + u + "/hostroute?prefix=169.254.169.254/32");
  ASSERT_EQ(unrouted.status, 200) << unrouted.body;
  EXPECT_EQ(parse(unrouted)["inventory"]["hostRoute"], Json::array());

  // MTU: the L2's until set (VXLAN leaves room for its headers).
  EXPECT_EQ(getOk("l3-networks/" + u + "/mtu")["mtu"], 1500);
  auto setMtu = post("l3-networks/" + u + "/mtu", {{"mtu", 9000}});
  ASSERT_EQ(setMtu.status, 200) << setMtu.body;
  EXPECT_EQ(parse(setMtu), Json::object());
  EXPECT_EQ(getOk("l3-networks/" + u + "/mtu")["mtu"], 9000);
  EXPECT_NE(errorOf(post("l3-networks/" + u + "/mtu", {{"mtu", 10}})).find("'mtu'"),
            std::string::npos);
  std::string p = pool(z)["uuid"];
  created(vniRangeReply(p, 1, 10));
  std::string onVxlan = l3(created(vxlanReply(z, p))["uuid"], "vx")["uuid"];
  EXPECT_EQ(getOk("l3-networks/" + onVxlan + "/mtu")["mtu"], 1450);

  // Router interface IP: the gateway until set, inside the L3's network.
  EXPECT_TRUE(getOk("l3-networks/" + u + "/router-interface-ip")["routerInterfaceIp"].is_null());
  range(u, "192.168.0.10", "192.168.0.100", "192.168.0.1");
  EXPECT_EQ(getOk("l3-networks/" + u + "/router-interface-ip")["routerInterfaceIp"], "192.168.0.1");
  auto outside =
      post("l3-networks/" + u + "/router-interface-ip", {{"routerInterfaceIp", "10.0.0.2"}});
  EXPECT_NE(errorOf(outside).find("'routerInterfaceIp'"), std::string::npos) << outside.body;
  ASSERT_EQ(
      post("l3-networks/" + u + "/router-interface-ip", {{"routerInterfaceIp", "192.168.0.2"}})
          .status,
      200);
  EXPECT_EQ(getOk("l3-networks/" + u + "/router-interface-ip")["routerInterfaceIp"], "192.168.0.2");

  ASSERT_EQ(client().call("DELETE", "/zstack/v1/l3-networks/" + u).status, 200);
  EXPECT_EQ(total("/zstack/v1/l3-networks?q=uuid=" + u), 0);
  EXPECT_EQ(rowsIn("ip_range"), 0);
}

TEST_F(NetworkTest, L3BadInputIsRefusedNamingTheParameter) {
  std::string z = createZone("z1")["uuid"];
  std::string l2 = noVlan(z)["uuid"];
  auto noL2 = post("l3-networks", {{"name", "x"}, {"l2NetworkUuid", std::string(32, 'b')}});
  EXPECT_EQ(codeOf(noL2), "SYS.1007") << noL2.body;
  EXPECT_NE(errorOf(noL2).find("'l2NetworkUuid'"), std::string::npos);
  auto onPool = post("l3-networks", {{"name", "x"}, {"l2NetworkUuid", pool(z)["uuid"]}});
  EXPECT_NE(errorOf(onPool).find("VXLAN network pool"), std::string::npos) << onPool.body;
  auto badType =
      post("l3-networks", {{"name", "x"}, {"l2NetworkUuid", l2}, {"type", "L3VpcNetwork"}});
  EXPECT_NE(errorOf(badType).find("'type'"), std::string::npos) << badType.body;
  auto systemPrivate =
      post("l3-networks",
           {{"name", "x"}, {"l2NetworkUuid", l2}, {"system", true}, {"category", "Private"}});
  EXPECT_NE(errorOf(systemPrivate).find("'category'"), std::string::npos) << systemPrivate.body;
  auto notSystem =
      post("l3-networks", {{"name", "x"}, {"l2NetworkUuid", l2}, {"category", "System"}});
  EXPECT_NE(errorOf(notSystem).find("'category'"), std::string::npos) << notSystem.body;
  auto badCategory =
      post("l3-networks", {{"name", "x"}, {"l2NetworkUuid", l2}, {"category", "Other"}});
  EXPECT_EQ(badCategory.status, 400) << badCategory.body;
  auto badState =
      l3Action(l3(l2)["uuid"], {{"changeL3NetworkState", {{"stateEvent", "maintain"}}}});
  EXPECT_NE(errorOf(badState).find("'stateEvent'"), std::string::npos) << badState.body;
  EXPECT_EQ(total("/zstack/v1/l3-networks"), 1);
}

TEST_F(NetworkTest, FlatNetworkServicesAndTheDhcpServersAddress) {
  EXPECT_EQ(getOk("network-services/types")["serviceAndProviderTypes"],
            (Json{{"DHCP", {"Flat"}}, {"DNS", {"Flat"}}, {"Userdata", {"Flat"}}}));
  Json providers = query("/zstack/v1/network-services/providers");
  ASSERT_EQ(providers.size(), 1u);
  EXPECT_EQ(keysOf(providers[0]),
            (std::set<std::string>{"uuid", "name", "description", "type", "createDate",
                                   "lastOpDate", "networkServiceTypes", "attachedL2NetworkUuids"}));
  EXPECT_EQ(providers[0]["networkServiceTypes"], Json::array({"DHCP", "DNS", "Userdata"}));
  std::string flat = providers[0]["uuid"];

  std::string z = createZone("z1")["uuid"];
  std::string u = l3(noVlan(z)["uuid"])["uuid"];
  EXPECT_NE(errorOf(get("l3-networks/" + u + "/dhcp-ip")).find("no DHCP service"),
            std::string::npos);
  auto attached = attachServices(u, {{flat, {"DHCP", "DNS"}}});
  ASSERT_EQ(attached.status, 200) << attached.body;
  EXPECT_EQ(parse(attached), Json::object());
  EXPECT_EQ(l3Of(u)["networkServices"].size(), 2u);
  Json refs = query("/zstack/v1/l3-networks/network-services/refs?q=l3NetworkUuid=" + u);
  ASSERT_EQ(refs.size(), 2u);
  EXPECT_EQ(keysOf(refs[0]), (std::set<std::string>{"l3NetworkUuid", "networkServiceProviderUuid",
                                                    "networkServiceType"}));
  // No range yet: no address for the DHCP server; the first range gives it one.
  EXPECT_NE(errorOf(get("l3-networks/" + u + "/dhcp-ip")).find("no IP range"), std::string::npos);
  range(u, "192.168.100.10", "192.168.100.250", "192.168.100.1");
  EXPECT_EQ(getOk("l3-networks/" + u + "/dhcp-ip")["ip"], "192.168.100.10");
  EXPECT_EQ(getOk("l3-networks/" + u + "/ip/192.168.100.10/availability")["available"], false);
  EXPECT_EQ(rowsIn("used_ip"), 1);

  auto twice = attachServices(u, {{flat, {"DHCP"}}});
  EXPECT_NE(errorOf(twice).find("already has DHCP"), std::string::npos) << twice.body;
  auto unknown = attachServices(u, {{std::string(32, 'c'), {"DHCP"}}});
  EXPECT_NE(errorOf(unknown).find("no network service provider"), std::string::npos);
  auto unoffered = attachServices(u, {{flat, {"Eip"}}});
  EXPECT_NE(errorOf(unoffered).find("offers no Eip"), std::string::npos) << unoffered.body;
  auto notMap = attachServices(u, Json::object());
  EXPECT_NE(errorOf(notMap).find("'networkServices'"), std::string::npos) << notMap.body;

  // Detaching DHCP gives its address back; the map travels in the query string.
  std::string map = "%7B%22" + flat + "%22%3A%5B%22DHCP%22%5D%7D";  // {"<flat>":["DHCP"]}
  auto detached = client().call(
      "DELETE", "/zstack/v1/l3-networks/" + u + "/network-services?networkServices=" + map);
  ASSERT_EQ(detached.status, 200) << detached.body;
  EXPECT_EQ(rowsIn("used_ip"), 0);
  EXPECT_EQ(l3Of(u)["networkServices"].size(), 1u);
  auto again = client().call(
      "DELETE", "/zstack/v1/l3-networks/" + u + "/network-services?networkServices=" + map);
  EXPECT_NE(errorOf(again).find("is not attached"), std::string::npos) << again.body;
  // Java's Map.toString() form, as ZStack's SDK writes a map into a query string.
  std::string java = "%7B" + flat + "%3D%5BDNS%5D%7D";  // {<flat>=[DNS]}
  ASSERT_EQ(client()
                .call("DELETE",
                      "/zstack/v1/l3-networks/" + u + "/network-services?networkServices=" + java)
                .status,
            200);
  EXPECT_EQ(l3Of(u)["networkServices"], Json::array());
}

class NetworkTenantTest : public NetworkTest {
 protected:
  Json createAccount(const std::string& name) {
    auto reply = client().call("POST", "/zstack/v1/accounts",
                               {{"params", {{"name", name}, {"password", sha512Hex("pw")}}}});
    EXPECT_EQ(reply.status, 200) << reply.body;
    return parse(reply)["inventory"];
  }
};

TEST_F(NetworkTenantTest, NormalAccountsOwnTheirL3NetworksButNotTheL2) {
  std::string z = createZone("z1")["uuid"];
  std::string l2 = noVlan(z)["uuid"];
  createAccount("tenant");
  ZStackClient tenant(client().port());
  ASSERT_FALSE(tenant.login("tenant", "pw").empty());
  auto refused =
      tenant.call("POST", "/zstack/v1/l2-networks/no-vlan",
                  {{"params", {{"name", "x"}, {"zoneUuid", z}, {"physicalInterface", "eth9"}}}});
  EXPECT_EQ(refused.status, 403) << refused.body;
  auto own = tenant.call("POST", "/zstack/v1/l3-networks",
                         {{"params", {{"name", "mine"}, {"l2NetworkUuid", l2}}}});
  ASSERT_EQ(own.status, 200) << own.body;
  std::string mine = parse(own)["inventory"]["uuid"];
  auto ranged = tenant.call("POST", "/zstack/v1/l3-networks/" + mine + "/ip-ranges/by-cidr",
                            {{"params", {{"name", "r"}, {"networkCidr", "10.10.0.0/24"}}}});
  ASSERT_EQ(ranged.status, 200) << ranged.body;
  auto system =
      tenant.call("POST", "/zstack/v1/l3-networks",
                  {{"params", {{"name", "sys"}, {"l2NetworkUuid", l2}, {"system", true}}}});
  EXPECT_EQ(codeOf(system), "ID.1002") << system.body;
  // Admin's L3 stays invisible and untouchable to the tenant.
  std::string admins = l3(l2, "admins")["uuid"];
  auto seen = parse(tenant.send("GET", "/zstack/v1/l3-networks"))["inventories"];
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0]["uuid"], mine);
  EXPECT_EQ(parse(tenant.send("GET", "/zstack/v1/l3-networks/ip-ranges"))["inventories"].size(),
            1u);
  auto foreign = tenant.call("POST", "/zstack/v1/l3-networks/" + admins + "/dns",
                             {{"params", {{"dns", "1.1.1.1"}}}});
  EXPECT_EQ(foreign.status, 403) << foreign.body;
  EXPECT_EQ(query("/zstack/v1/l3-networks").size(), 2u);
}

}  // namespace
}  // namespace strato::test
