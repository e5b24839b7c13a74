// L2 networks (section 5.1 of the ZStack manual) over HTTP against a running strato-server with
// simulator hosts: every type, VNI ranges, cluster attachments realized on the hosts, bad input.
#include "integration/network_fixture.h"

namespace strato::test {
namespace {

const std::set<std::string> kL2Keys{"uuid", "name",       "zoneUuid",   "physicalInterface",
                                    "type", "createDate", "lastOpDate", "attachedClusterUuids"};

TEST_F(NetworkTest, CreateEveryL2TypeWithTheManualsShapes) {
  std::string z = createZone("z1")["uuid"];
  Json plain = created(post("l2-networks/no-vlan", {{"name", "Test-Net"},
                                                    {"description", "Test"},
                                                    {"zoneUuid", z},
                                                    {"physicalInterface", "eth0"}}));
  auto keys = kL2Keys;
  keys.insert("description");
  EXPECT_EQ(keysOf(plain), keys);
  EXPECT_EQ(plain["type"], "L2NoVlanNetwork");
  EXPECT_EQ(plain["attachedClusterUuids"], Json::array());
  Json v10 = vlan(z, 10);
  EXPECT_EQ(v10["type"], "L2VlanNetwork");
  EXPECT_EQ(v10["vlan"], 10);
  EXPECT_EQ(v10["physicalInterface"], "eth0");
  Json p = pool(z);
  EXPECT_EQ(p["type"], "L2VxlanNetworkPool");
  EXPECT_EQ(p["attachedVniRanges"], Json::array());
  EXPECT_EQ(p["attachedVxlanNetworkRefs"], Json::array());
  EXPECT_EQ(p["attachedCidrs"], Json::object());
  EXPECT_EQ(p["attachedVtepRefs"], Json::array());

  Json vni = created(vniRangeReply(p["uuid"], 10, 5000));
  EXPECT_EQ(keysOf(vni), (std::set<std::string>{"uuid", "name", "startVni", "endVni",
                                                "l2NetworkUuid", "createDate", "lastOpDate"}));
  EXPECT_EQ(vni["l2NetworkUuid"], p["uuid"]);
  // The first free VNI of the pool's ranges, then the next; or the one asked for.
  Json vx1 = created(vxlanReply(z, p["uuid"]));
  EXPECT_EQ(vx1["type"], "L2VxlanNetwork");
  EXPECT_EQ(vx1["vni"], 10);
  EXPECT_EQ(vx1["poolUuid"], p["uuid"]);
  EXPECT_EQ(created(vxlanReply(z, p["uuid"]))["vni"], 11);
  EXPECT_EQ(created(vxlanReply(z, p["uuid"], {{"vni", 4000}}))["vni"], 4000);
  EXPECT_EQ(created(vxlanReply(z, p["uuid"]))["vni"], 12);

  // Query APIs: each typed one shows its type, QueryL2Network all with their own fields.
  EXPECT_EQ(l2Of(plain["uuid"]), plain);
  EXPECT_EQ(l2Of(v10["uuid"])["vlan"], 10);
  EXPECT_FALSE(l2Of(plain["uuid"]).contains("vlan"));
  EXPECT_EQ(query("/zstack/v1/l2-networks").size(), 7u);
  EXPECT_EQ(query("/zstack/v1/l2-networks/vlan").size(), 1u);
  EXPECT_EQ(query("/zstack/v1/l2-networks/vlan/" + v10["uuid"].get<std::string>())[0], v10);
  EXPECT_EQ(query("/zstack/v1/l2-networks/vxlan").size(), 4u);
  EXPECT_EQ(query("/zstack/v1/l2-networks/vxlan?q=vni=4000").size(), 1u);
  Json pools = query("/zstack/v1/l2-networks/vxlan-pool");
  ASSERT_EQ(pools.size(), 1u);
  EXPECT_EQ(pools[0]["attachedVniRanges"], Json::array({vni}));
  EXPECT_EQ(pools[0]["attachedVxlanNetworkRefs"].size(), 4u);
  EXPECT_EQ(query("/zstack/v1/l2-networks/vxlan-pool/vni-range")[0], vni);
  EXPECT_EQ(
      query("/zstack/v1/l2-networks/vxlan-pool/vni-range/" + vni["uuid"].get<std::string>()).size(),
      1u);
  EXPECT_EQ(query("/zstack/v1/l2-networks?q=zone.name=z1").size(), 7u);

  EXPECT_EQ(
      getOk("l2-networks/types")["l2NetworkTypes"],
      Json::array({"L2NoVlanNetwork", "L2VlanNetwork", "L2VxlanNetwork", "L2VxlanNetworkPool"}));
  auto updated =
      client().call("PUT", "/zstack/v1/l2-networks/" + v10["uuid"].get<std::string>() + "/actions",
                    {{"updateL2Network", {{"name", "renamed"}, {"description", "d"}}}});
  ASSERT_EQ(updated.status, 200) << updated.body;
  EXPECT_EQ(parse(updated)["inventory"]["name"], "renamed");
  EXPECT_EQ(parse(updated)["inventory"]["description"], "d");
  EXPECT_EQ(parse(updated)["inventory"]["vlan"], 10);
}

TEST_F(NetworkTest, L2BadInputIsRefusedNamingTheParameter) {
  std::string z = createZone("z1")["uuid"];
  auto noZone =
      post("l2-networks/no-vlan",
           {{"name", "n"}, {"zoneUuid", std::string(32, 'a')}, {"physicalInterface", "eth0"}});
  EXPECT_EQ(codeOf(noZone), "SYS.1007") << noZone.body;
  EXPECT_NE(errorOf(noZone).find("zoneUuid"), std::string::npos) << noZone.body;
  auto noNic = post("l2-networks/no-vlan", {{"name", "n"}, {"zoneUuid", z}});
  EXPECT_EQ(noNic.status, 400) << noNic.body;
  EXPECT_NE(errorOf(noNic).find("physicalInterface"), std::string::npos) << noNic.body;
  auto wrongType = post(
      "l2-networks/no-vlan",
      {{"name", "n"}, {"zoneUuid", z}, {"physicalInterface", "eth0"}, {"type", "L2VlanNetwork"}});
  EXPECT_NE(errorOf(wrongType).find("'type'"), std::string::npos) << wrongType.body;

  auto badVlan =
      post("l2-networks/vlan",
           {{"name", "v"}, {"zoneUuid", z}, {"physicalInterface", "eth0"}, {"vlan", 4095}});
  EXPECT_EQ(codeOf(badVlan), "SYS.1007") << badVlan.body;
  EXPECT_NE(errorOf(badVlan).find("'vlan'"), std::string::npos) << badVlan.body;
  vlan(z, 100);
  auto duplicate =
      post("l2-networks/vlan",
           {{"name", "v"}, {"zoneUuid", z}, {"physicalInterface", "eth0"}, {"vlan", 100}});
  EXPECT_EQ(codeOf(duplicate), "SYS.1007") << duplicate.body;
  EXPECT_NE(errorOf(duplicate).find("VLAN 100 on physical interface eth0"), std::string::npos);
  vlan(z, 100, "eth1");                 // another interface: fine
  vlan(createZone("z2")["uuid"], 100);  // another zone: fine

  std::string p = pool(z)["uuid"];
  auto noRange = vxlanReply(z, p);
  EXPECT_EQ(codeOf(noRange), "SYS.1007") << noRange.body;
  EXPECT_NE(errorOf(noRange).find("CreateVniRange"), std::string::npos) << noRange.body;
  for (auto [start, end] : {std::pair{0, 10}, std::pair{1, 16777215}, std::pair{50, 20}}) {
    auto bad = vniRangeReply(p, start, end);
    EXPECT_EQ(codeOf(bad), "SYS.1007") << bad.body;
    EXPECT_NE(errorOf(bad).find("Vni"), std::string::npos) << bad.body;
  }
  created(vniRangeReply(p, 100, 200));
  auto overlap = vniRangeReply(p, 150, 300);
  EXPECT_NE(errorOf(overlap).find("overlaps"), std::string::npos) << overlap.body;
  auto notPool = vniRangeReply(query("/zstack/v1/l2-networks/vlan")[0]["uuid"], 1, 2);
  EXPECT_NE(errorOf(notPool).find("not a VXLAN network pool"), std::string::npos);

  auto outside = vxlanReply(z, p, {{"vni", 99}});
  EXPECT_NE(errorOf(outside).find("'vni'"), std::string::npos) << outside.body;
  auto tooBig = vxlanReply(z, p, {{"vni", 16777215}});
  EXPECT_NE(errorOf(tooBig).find("between 1 and 16777214"), std::string::npos) << tooBig.body;
  created(vxlanReply(z, p, {{"vni", 150}}));
  auto taken = vxlanReply(z, p, {{"vni", 150}});
  EXPECT_NE(errorOf(taken).find("already used"), std::string::npos) << taken.body;
  auto otherZone = vxlanReply(query("/zstack/v1/zones?q=name=z2")[0]["uuid"], p);
  EXPECT_NE(errorOf(otherZone).find("'zoneUuid'"), std::string::npos) << otherZone.body;
  auto notAPool = vxlanReply(z, query("/zstack/v1/l2-networks/vlan")[0]["uuid"]);
  EXPECT_NE(errorOf(notAPool).find("'poolUuid'"), std::string::npos) << notAPool.body;

  // A range whose VNIs are in use stays; an unused one goes.
  std::string inUse = query("/zstack/v1/l2-networks/vxlan-pool/vni-range")[0]["uuid"];
  auto refused = client().call("DELETE", "/zstack/v1/l2-networks/vxlan-pool/vni-ranges/" + inUse);
  EXPECT_EQ(codeOf(refused), "SYS.1001") << refused.body;
  std::string spare = created(vniRangeReply(p, 500, 600))["uuid"];
  auto deleted = client().call("DELETE", "/zstack/v1/l2-networks/vxlan-pool/vni-ranges/" + spare);
  ASSERT_EQ(deleted.status, 200) << deleted.body;
  EXPECT_EQ(query("/zstack/v1/l2-networks/vxlan-pool")[0]["attachedVniRanges"].size(), 1u);
}

// ZStack's VTEP CIDR tag on a pool's attach: kept as the pool's attachedCidrs until the detach.
// (Hosts tunnelling on it: flat_dhcp_vxlan_test.cc.)
TEST_F(NetworkTest, APoolKeepsTheVtepCidrOfEachCluster) {
  std::string z = createZone("z1")["uuid"];
  std::string c1 = createCluster(z, "c1")["uuid"];
  std::string p = pool(z)["uuid"];
  std::string prefix = "l2NetworkUuid::" + p + "::clusterUuid::" + c1 + "::cidr::";
  for (const auto& bad : {prefix + "{10.0.0.0/33}", prefix + "10.0.0.0/24",
                          "l2NetworkUuid::" + p + "::clusterUuid::" + std::string(32, 'a') +
                              "::cidr::{10.0.0.0/24}"}) {
    auto refused = post("l2-networks/" + p + "/clusters/" + c1, Json::object(), {bad});
    EXPECT_EQ(codeOf(refused), "SYS.1007") << bad << ": " << refused.body;
  }
  EXPECT_EQ(query("/zstack/v1/l2-networks/vxlan-pool/" + p)[0]["attachedClusterUuids"],
            Json::array());
  auto attached =
      post("l2-networks/" + p + "/clusters/" + c1, Json::object(), {prefix + "{10.0.0.0/24}"});
  ASSERT_EQ(attached.status, 200) << attached.body;
  EXPECT_EQ(query("/zstack/v1/l2-networks/vxlan-pool/" + p)[0]["attachedCidrs"],
            (Json{{c1, "10.0.0.0/24"}}));
  EXPECT_EQ(query("/zstack/v1/system-tags?q=resourceUuid=" + p).size(), 1u);
  ASSERT_EQ(detachL2Reply(p, c1).status, 200);
  EXPECT_EQ(query("/zstack/v1/l2-networks/vxlan-pool/" + p)[0]["attachedCidrs"], Json::object());
  EXPECT_EQ(query("/zstack/v1/system-tags?q=resourceUuid=" + p).size(), 0u)
      << "the attach's tag goes with the attachment";
}

TEST_F(NetworkTest, AttachRealizesOnConnectedHostsAndDetachTearsDown) {
  std::string z = createZone("z1")["uuid"];
  std::string c1 = createCluster(z, "c1")["uuid"];
  std::string h1 = addHost(c1, "10.0.0.1")["uuid"];
  std::string h2 = addHost(c1, "10.0.0.2")["uuid"];
  std::string l2 = noVlan(z)["uuid"];
  auto attached = attachL2Reply(l2, c1);
  ASSERT_EQ(attached.status, 200) << attached.body;
  EXPECT_EQ(parse(attached)["inventory"]["attachedClusterUuids"], Json::array({c1}));
  EXPECT_TRUE(hasLine("l2Network.realized", l2, h1)) << serverLog();
  EXPECT_TRUE(hasLine("l2Network.realized", l2, h2));
  EXPECT_EQ(query("/zstack/v1/l2-networks?q=clusterRefs.cluster.name=c1").size(), 1u);
  EXPECT_EQ(codeOf(attachL2Reply(l2, c1)), "SYS.1008");

  // A host that joins an attached cluster gets the network too.
  std::string h3 = addHost(c1, "10.0.0.3")["uuid"];
  EXPECT_TRUE(eventually([&] { return hasLine("l2Network.realized", l2, h3); }));

  // One untagged network per interface and cluster; a VLAN on it is fine.
  std::string second = noVlan(z, "second")["uuid"];
  auto clash = attachL2Reply(second, c1);
  EXPECT_EQ(codeOf(clash), "SYS.1007") << clash.body;
  EXPECT_NE(errorOf(clash).find("physical interface eth0"), std::string::npos) << clash.body;
  ASSERT_EQ(attachL2Reply(vlan(z, 20)["uuid"], c1).status, 200);

  auto detached = detachL2Reply(l2, c1);
  ASSERT_EQ(detached.status, 200) << detached.body;
  EXPECT_EQ(parse(detached)["inventory"]["attachedClusterUuids"], Json::array());
  for (const auto& h : {h1, h2, h3}) EXPECT_TRUE(hasLine("l2Network.unrealized", l2, h)) << h;
  EXPECT_EQ(codeOf(detachL2Reply(l2, c1)), "SYS.1007");
  EXPECT_EQ(rowsIn("l2_network_cluster_ref"), 1);

  // Zones must match.
  std::string far = createCluster(createZone("z2")["uuid"], "far")["uuid"];
  auto otherZone = attachL2Reply(l2, far);
  EXPECT_NE(errorOf(otherZone).find("same zone"), std::string::npos) << otherZone.body;
}

TEST_F(NetworkTest, ARealizationFailureLeavesNoAttachment) {
  std::string z = createZone("z1")["uuid"];
  std::string c1 = createCluster(z, "c1")["uuid"];
  addHost(c1, "10.0.0.1");
  std::string l2 = vlan(z, 30)["uuid"];
  createSystemTag("L2NetworkVO", l2, "simulator::failRealize");
  auto failed = attachL2Reply(l2, c1);
  EXPECT_EQ(failed.status, 503) << failed.body;
  EXPECT_EQ(codeOf(failed), "SYS.1005") << failed.body;
  EXPECT_NE(errorOf(failed).find("simulator::failRealize"), std::string::npos) << failed.body;
  EXPECT_EQ(l2Of(l2)["attachedClusterUuids"], Json::array());
  EXPECT_EQ(rowsIn("l2_network_cluster_ref"), 0);

  // A cluster without Connected hosts takes it: nothing to realize yet.
  std::string empty = createCluster(z, "empty")["uuid"];
  ASSERT_EQ(attachL2Reply(l2, empty).status, 200);

  // A VXLAN network needs its pool on the cluster first.
  std::string p = pool(z)["uuid"];
  created(vniRangeReply(p, 1, 10));
  std::string vx = created(vxlanReply(z, p))["uuid"];
  auto early = attachL2Reply(vx, c1);
  EXPECT_NE(errorOf(early).find("attach the VXLAN pool"), std::string::npos) << early.body;
  ASSERT_EQ(attachL2Reply(p, c1).status, 200);
  ASSERT_EQ(attachL2Reply(vx, c1).status, 200);
  EXPECT_EQ(query("/zstack/v1/l2-networks/vxlan-pool")[0]["attachedVxlanNetworkRefs"][0]
                                                      ["attachedClusterUuids"],
            Json::array({c1}));
  // Detaching the pool takes its networks off the cluster too.
  ASSERT_EQ(detachL2Reply(p, c1).status, 200);
  EXPECT_EQ(l2Of(vx)["attachedClusterUuids"], Json::array());
}

TEST_F(NetworkTest, DeletingAPoolTakesItsNetworksAndRanges) {
  std::string z = createZone("z1")["uuid"];
  std::string p = pool(z)["uuid"];
  created(vniRangeReply(p, 1, 10));
  std::string vx = created(vxlanReply(z, p))["uuid"];
  l3(vx);
  ASSERT_EQ(client().call("DELETE", "/zstack/v1/l2-networks/" + p).status, 200);
  EXPECT_EQ(total("/zstack/v1/l2-networks"), 0);
  EXPECT_EQ(total("/zstack/v1/l3-networks"), 0);
  EXPECT_EQ(rowsIn("vni_range"), 0);
  // Deleting what is gone succeeds.
  EXPECT_EQ(client().call("DELETE", "/zstack/v1/l2-networks/" + vx).status, 200);
}

}  // namespace
}  // namespace strato::test
