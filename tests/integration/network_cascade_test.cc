// Deleting clusters, zones, L2 and L3 networks: the cascade leaves no network row behind
// (checked through the query APIs and in the server's SQLite file).
#include "integration/network_fixture.h"

namespace strato::test {
namespace {

const char* const kNetworkTables[] = {
    "l2_network", "l2_network_cluster_ref", "vni_range", "l3_network", "ip_range",
    "used_ip",    "network_service_l3_ref"};

TEST_F(NetworkTest, DeletingAClusterDetachesItsNetworks) {
  std::string z = createZone("z1")["uuid"];
  std::string c1 = createCluster(z, "c1")["uuid"];
  addHost(c1, "10.0.0.1");
  std::string l2 = vlan(z, 5)["uuid"];
  ASSERT_EQ(attachL2Reply(l2, c1).status, 200);
  ASSERT_EQ(client().call("DELETE", "/zstack/v1/clusters/" + c1).status, 200);
  EXPECT_EQ(l2Of(l2)["attachedClusterUuids"], Json::array());
  EXPECT_EQ(rowsIn("l2_network_cluster_ref"), 0);
  EXPECT_EQ(total("/zstack/v1/l2-networks"), 1);
}

TEST_F(NetworkTest, DeletingAZoneLeavesNoRowInAnyNetworkTable) {
  std::string z = createZone("doomed")["uuid"];
  std::string kept = createZone("kept")["uuid"];
  std::vector<std::string> clusters;
  for (int c = 0; c < 2; ++c) {
    clusters.push_back(createCluster(z, "c" + std::to_string(c))["uuid"]);
    for (int h = 0; h < 2; ++h)
      addHost(clusters.back(), "10.0." + std::to_string(c) + "." + std::to_string(h));
  }
  std::string plain = noVlan(z)["uuid"];
  std::string tagged = vlan(z, 7)["uuid"];
  std::string p = pool(z)["uuid"];
  created(vniRangeReply(p, 1, 100));
  std::string vx = created(vxlanReply(z, p))["uuid"];
  for (const auto& l2 : {plain, tagged, p, vx}) {
    for (const auto& c : clusters) ASSERT_EQ(attachL2Reply(l2, c).status, 200) << l2;
    createSystemTag("L2NetworkVO", l2, "tag::of::l2");
  }
  std::string flat = flatProvider();
  for (const auto& l2 : {plain, tagged, vx}) {
    std::string net = l3(l2)["uuid"];
    ASSERT_EQ(cidrReply(net, "10." + std::to_string(rowsIn("l3_network")) + ".0.0/24").status, 200);
    ASSERT_EQ(attachServices(net, {{flat, {"DHCP", "DNS", "Userdata"}}}).status, 200);
    createSystemTag("L3NetworkVO", net, "tag::of::l3");
  }
  ASSERT_EQ(rowsIn("used_ip"), 3);  // one DHCP server address per L3
  ASSERT_EQ(rowsIn("l2_network_cluster_ref"), 8);

  // The other zone's networks survive.
  std::string keptCluster = createCluster(kept, "k")["uuid"];
  addHost(keptCluster, "10.1.0.1");
  std::string keptL2 = noVlan(kept, "kept")["uuid"];
  ASSERT_EQ(attachL2Reply(keptL2, keptCluster).status, 200);
  std::string keptL3 = l3(keptL2, "kept")["uuid"];
  ASSERT_EQ(cidrReply(keptL3, "172.16.0.0/24").status, 200);

  auto deleted = client().call("DELETE", "/zstack/v1/zones/" + z);
  ASSERT_EQ(deleted.status, 200) << deleted.body;
  EXPECT_EQ(total("/zstack/v1/l2-networks?q=zoneUuid=" + z), 0);
  EXPECT_EQ(total("/zstack/v1/l3-networks?q=zoneUuid=" + z), 0);
  EXPECT_EQ(query("/zstack/v1/system-tags?q=tag=tag::of::l2").size(), 0u);
  EXPECT_EQ(query("/zstack/v1/system-tags?q=tag=tag::of::l3").size(), 0u);
  EXPECT_EQ(rowsIn("l2_network"), 1);
  EXPECT_EQ(rowsIn("l2_network_cluster_ref"), 1);
  EXPECT_EQ(rowsIn("l3_network"), 1);
  EXPECT_EQ(rowsIn("ip_range"), 1);
  EXPECT_EQ(rowsIn("vni_range"), 0);
  EXPECT_EQ(l2Of(keptL2)["attachedClusterUuids"], Json::array({keptCluster}));

  ASSERT_EQ(client().call("DELETE", "/zstack/v1/zones/" + kept).status, 200);
  for (const char* table : kNetworkTables) EXPECT_EQ(rowsIn(table), 0) << table;
  EXPECT_EQ(rowsIn("account_resource_ref WHERE resourceType = 'L3NetworkVO'"), 0);
  // The Flat provider is not the zone's: it stays.
  EXPECT_EQ(rowsIn("network_service_provider"), 1);
}

TEST_F(NetworkTest, DeletingAnL2OrAnL3TakesWhatHangsBelow) {
  std::string z = createZone("z1")["uuid"];
  std::string c1 = createCluster(z, "c1")["uuid"];
  std::string h1 = addHost(c1, "10.0.0.1")["uuid"];
  std::string l2 = noVlan(z)["uuid"];
  ASSERT_EQ(attachL2Reply(l2, c1).status, 200);
  std::string a = l3(l2, "a")["uuid"];
  std::string b = l3(l2, "b")["uuid"];
  ASSERT_EQ(cidrReply(a, "10.1.0.0/24").status, 200);
  ASSERT_EQ(cidrReply(b, "10.2.0.0/24").status, 200);
  ASSERT_EQ(attachServices(a, {{flatProvider(), {"DHCP"}}}).status, 200);

  ASSERT_EQ(client().call("DELETE", "/zstack/v1/l3-networks/" + a).status, 200);
  EXPECT_EQ(rowsIn("l3_network"), 1);
  EXPECT_EQ(rowsIn("ip_range"), 1);
  EXPECT_EQ(rowsIn("used_ip"), 0);
  EXPECT_EQ(rowsIn("network_service_l3_ref"), 0);

  ASSERT_EQ(client().call("DELETE", "/zstack/v1/l2-networks/" + l2).status, 200);
  EXPECT_TRUE(hasLine("l2Network.unrealized", l2, h1));
  for (const char* table : kNetworkTables) EXPECT_EQ(rowsIn(table), 0) << table;
  EXPECT_EQ(total("/zstack/v1/hosts"), 1);
}

}  // namespace
}  // namespace strato::test
