// Clusters, hosts and the simulator hypervisor (sections 4.2, 4.3.1-4.3.7 and 11.5.1 of the
// ZStack manual) over HTTP against a running strato-server.
#include <set>

#include "integration/hardware_fixture.h"

namespace strato::test {
namespace {

// An async API's handler refusing its input: the job fails (503) with ZStack's invalid-argument
// code; the REST layer's own checks (missing or badly typed parameters) answer 400 at once.
std::string codeOf(const HttpReply& reply) {
  Json body = parse(reply);
  return body.contains("error") ? body["error"].value("code", "") : "";
}

std::set<std::string> keysOf(const Json& object) {
  std::set<std::string> keys;
  for (const auto& [key, value] : object.items()) keys.insert(key);
  return keys;
}

TEST_F(HardwareTest, ClusterLifecycleHasTheManualsShapes) {
  Json zone = createZone("z1");
  Json cluster = createCluster(zone["uuid"], "cluster1");
  EXPECT_EQ(keysOf(cluster),
            (std::set<std::string>{"name", "uuid", "state", "hypervisorType", "createDate",
                                   "lastOpDate", "zoneUuid", "type"}));
  EXPECT_EQ(cluster["state"], "Enabled");
  EXPECT_EQ(cluster["type"], "zstack");
  EXPECT_EQ(cluster["hypervisorType"], "Simulator");
  EXPECT_EQ(cluster["zoneUuid"], zone["uuid"]);
  std::string uuid = cluster["uuid"];
  std::string actions = "/zstack/v1/clusters/" + uuid + "/actions";

  EXPECT_EQ(query("/zstack/v1/clusters/" + uuid), Json::array({cluster}));
  EXPECT_EQ(query("/zstack/v1/clusters?q=zone.name=z1")[0]["uuid"], uuid);
  EXPECT_EQ(query("/zstack/v1/clusters?q=name=nope").size(), 0u);

  auto updated =
      client().call("PUT", actions, {{"updateCluster", {{"name", "c2"}, {"description", "test"}}}});
  ASSERT_EQ(updated.status, 200) << updated.body;
  EXPECT_EQ(parse(updated)["inventory"]["name"], "c2");
  EXPECT_EQ(parse(updated)["inventory"]["description"], "test");

  auto disabled =
      client().call("PUT", actions, {{"changeClusterState", {{"stateEvent", "disable"}}}});
  ASSERT_EQ(disabled.status, 200) << disabled.body;
  EXPECT_EQ(parse(disabled)["inventory"]["state"], "Disabled");
  auto enabled =
      client().call("PUT", actions, {{"changeClusterState", {{"stateEvent", "enable"}}}});
  EXPECT_EQ(parse(enabled)["inventory"]["state"], "Enabled");
  auto bad = client().call("PUT", actions, {{"changeClusterState", {{"stateEvent", "reboot"}}}});
  EXPECT_EQ(bad.status, 400) << bad.body;

  // No OS to update on simulated hosts, and no KVM agent yet: said plainly.
  auto os = client().call("PUT", actions, {{"updateClusterOS", {{"excludePackages", {"kernel"}}}}});
  EXPECT_EQ(os.status, 503) << os.body;
  EXPECT_NE(errorOf(os).find("KVM"), std::string::npos) << os.body;

  auto deleted = client().call("DELETE", "/zstack/v1/clusters/" + uuid + "?deleteMode=Permissive");
  ASSERT_EQ(deleted.status, 200) << deleted.body;
  EXPECT_EQ(parse(deleted), Json::object());
  EXPECT_EQ(query("/zstack/v1/clusters").size(), 0u);
}

TEST_F(HardwareTest, CreateClusterRefusesUnknownZonesAndHypervisors) {
  Json zone = createZone("z1");
  auto noZone = client().call(
      "POST", "/zstack/v1/clusters",
      {{"params",
        {{"zoneUuid", std::string(32, 'a')}, {"name", "c"}, {"hypervisorType", "Simulator"}}}});
  EXPECT_EQ(noZone.status, 503) << noZone.body;
  EXPECT_EQ(codeOf(noZone), "SYS.1007") << noZone.body;
  EXPECT_NE(errorOf(noZone).find("zone"), std::string::npos) << noZone.body;
  // Xen is a ZStack type, but no plugin of this build drives it; the error lists those that do.
  auto xen = client().call(
      "POST", "/zstack/v1/clusters",
      {{"params", {{"zoneUuid", zone["uuid"]}, {"name", "c"}, {"hypervisorType", "Xen"}}}});
  EXPECT_EQ(xen.status, 503) << xen.body;
  EXPECT_EQ(codeOf(xen), "SYS.1007") << xen.body;
  EXPECT_NE(errorOf(xen).find("KVM"), std::string::npos) << xen.body;
  auto missing = client().call("POST", "/zstack/v1/clusters",
                               {{"params", {{"zoneUuid", zone["uuid"]}, {"name", "c"}}}});
  EXPECT_EQ(missing.status, 400) << missing.body;
}

TEST_F(HardwareTest, AddSimulatorHostAndQueryIt) {
  Json zone = createZone("z1");
  Json cluster = createCluster(zone["uuid"], "c1");
  Json added = addHost(cluster["uuid"], "10.0.0.1");
  EXPECT_EQ(keysOf(added), (std::set<std::string>{
                               "zoneUuid", "name", "uuid", "clusterUuid", "managementIp",
                               "hypervisorType", "state", "status", "totalCpuCapacity",
                               "availableCpuCapacity", "cpuSockets", "totalMemoryCapacity",
                               "availableMemoryCapacity", "cpuNum", "createDate", "lastOpDate"}));
  EXPECT_EQ(added["status"], "Connected");
  EXPECT_EQ(added["state"], "Enabled");
  EXPECT_EQ(added["hypervisorType"], "Simulator");
  EXPECT_EQ(added["zoneUuid"], zone["uuid"]);
  EXPECT_EQ(added["cpuNum"], 16);
  EXPECT_EQ(added["totalCpuCapacity"], 16);
  EXPECT_EQ(added["availableCpuCapacity"], 16);
  EXPECT_EQ(added["totalMemoryCapacity"], 32LL << 30);
  EXPECT_EQ(added["availableMemoryCapacity"], 32LL << 30);

  std::string uuid = added["uuid"];
  EXPECT_EQ(host(uuid), added);
  EXPECT_EQ(query("/zstack/v1/hosts?q=cluster.name=c1")[0]["uuid"], uuid);
  EXPECT_EQ(query("/zstack/v1/hosts?q=zone.name=z1&q=status=Connected")[0]["uuid"], uuid);
  EXPECT_EQ(query("/zstack/v1/clusters?q=hosts.managementIp=10.0.0.1")[0]["uuid"], cluster["uuid"]);
  // Capacity fields are queryable by their inventory names.
  EXPECT_EQ(query("/zstack/v1/hosts?q=totalCpuCapacity>8").size(), 1u);

  auto types = client().send("GET", "/zstack/v1/hosts/hypervisor-types");
  ASSERT_EQ(types.status, 200) << types.body;
  EXPECT_EQ(parse(types)["hypervisorTypes"], Json::array({"KVM", "Simulator"}));
  auto strategies = client().send("GET", "/zstack/v1/hosts/allocators/strategies");
  ASSERT_EQ(strategies.status, 200) << strategies.body;
  Json list = parse(strategies)["hostAllocatorStrategies"];
  EXPECT_NE(std::find(list.begin(), list.end(), "LastHostPreferredAllocatorStrategy"), list.end())
      << list;
  EXPECT_NE(std::find(list.begin(), list.end(), "LeastVmPreferredHostAllocatorStrategy"),
            list.end())
      << list;
}

TEST_F(HardwareTest, CpuMemoryCapacitySumsTheChosenHosts) {
  Json zone = createZone("z1");
  Json c1 = createCluster(zone["uuid"], "c1");
  Json c2 = createCluster(zone["uuid"], "c2");
  Json h1 = addHost(c1["uuid"], "10.0.0.1");
  addHost(c1["uuid"], "10.0.0.2");
  addHost(c2["uuid"], "10.0.0.3");
  auto capacity = [&](const std::string& query) {
    auto reply = client().send("GET", "/zstack/v1/hosts/capacities/cpu-memory?" + query);
    EXPECT_EQ(reply.status, 200) << reply.body;
    return parse(reply);
  };
  Json all = capacity("all=true");
  EXPECT_EQ(keysOf(all), (std::set<std::string>{"totalCpu", "availableCpu", "totalMemory",
                                                "availableMemory", "managedCpuNum"}));
  EXPECT_EQ(all["totalCpu"], 48);
  EXPECT_EQ(all["availableCpu"], 48);
  EXPECT_EQ(all["managedCpuNum"], 48);
  EXPECT_EQ(all["totalMemory"], 3 * (32LL << 30));
  EXPECT_EQ(capacity("zoneUuids=" + zone["uuid"].get<std::string>())["totalCpu"], 48);
  EXPECT_EQ(capacity("clusterUuids=" + c1["uuid"].get<std::string>())["totalCpu"], 32);
  // The manual's spelling and repeated parameters.
  EXPECT_EQ(capacity("clusterUids=" + c2["uuid"].get<std::string>() +
                     "&hostUids=" + h1["uuid"].get<std::string>())["totalCpu"],
            32);
  EXPECT_EQ(capacity("all=true&hypervisorType=KVM")["totalCpu"], 0);
  // A disabled host offers nothing.
  ASSERT_EQ(hostAction(h1["uuid"], {{"changeHostState", {{"stateEvent", "disable"}}}}).status, 200);
  EXPECT_EQ(capacity("all=true")["totalCpu"], 32);

  auto neither = client().send("GET", "/zstack/v1/hosts/capacities/cpu-memory");
  EXPECT_EQ(neither.status, 400) << neither.body;
  EXPECT_EQ(codeOf(neither), "SYS.1007") << neither.body;
}

TEST_F(HardwareTest, AddHostRefusesBadInputClearly) {
  Json zone = createZone("z1");
  Json cluster = createCluster(zone["uuid"], "c1");
  addHost(cluster["uuid"], "10.0.0.1");

  auto noCluster = addHostReply(std::string(32, 'b'), "10.0.0.2");
  EXPECT_EQ(noCluster.status, 503) << noCluster.body;
  EXPECT_EQ(codeOf(noCluster), "SYS.1007") << noCluster.body;
  EXPECT_NE(errorOf(noCluster).find("cluster"), std::string::npos) << noCluster.body;

  auto duplicate = addHostReply(cluster["uuid"], "10.0.0.1");
  EXPECT_EQ(duplicate.status, 503) << duplicate.body;
  EXPECT_EQ(codeOf(duplicate), "SYS.1008") << duplicate.body;
  EXPECT_NE(errorOf(duplicate).find("10.0.0.1"), std::string::npos) << duplicate.body;

  auto missing =
      client().call("POST", "/zstack/v1/hosts/simulators", {{"params", {{"name", "h"}}}});
  EXPECT_EQ(missing.status, 400) << missing.body;

  // A failed connect leaves no row behind, and says why.
  auto failed = addHostReply(cluster["uuid"], "10.0.0.3", {"simulator::failConnect"});
  EXPECT_EQ(failed.status, 503) << failed.body;
  EXPECT_NE(errorOf(failed).find("simulator::failConnect"), std::string::npos) << failed.body;
  EXPECT_EQ(query("/zstack/v1/hosts?q=managementIp=10.0.0.3").size(), 0u);
  EXPECT_EQ(query("/zstack/v1/hosts").size(), 1u);
}

TEST_F(HardwareTest, UpdateHostAndChangeItsState) {
  Json zone = createZone("z1");
  Json cluster = createCluster(zone["uuid"], "c1");
  std::string uuid = addHost(cluster["uuid"], "10.0.0.1")["uuid"];
  addHost(cluster["uuid"], "10.0.0.2");

  auto updated = hostAction(
      uuid,
      {{"updateHost", {{"name", "example"}, {"description", "d"}, {"managementIp", "10.0.0.9"}}}});
  ASSERT_EQ(updated.status, 200) << updated.body;
  EXPECT_EQ(parse(updated)["inventory"]["name"], "example");
  EXPECT_EQ(parse(updated)["inventory"]["description"], "d");
  EXPECT_EQ(parse(updated)["inventory"]["managementIp"], "10.0.0.9");
  auto clash = hostAction(uuid, {{"updateHost", {{"managementIp", "10.0.0.2"}}}});
  EXPECT_EQ(clash.status, 503) << clash.body;

  for (auto [event, state] :
       {std::pair{"disable", "Disabled"}, std::pair{"maintain", "Maintenance"},
        std::pair{"enable", "Enabled"}}) {
    auto changed = hostAction(uuid, {{"changeHostState", {{"stateEvent", event}}}});
    ASSERT_EQ(changed.status, 200) << changed.body;
    EXPECT_EQ(parse(changed)["inventory"]["state"], state) << event;
  }
  auto bad = hostAction(uuid, {{"changeHostState", {{"stateEvent", "reboot"}}}});
  EXPECT_EQ(bad.status, 400) << bad.body;
  auto unknown =
      hostAction(std::string(32, 'c'), {{"changeHostState", {{"stateEvent", "enable"}}}});
  EXPECT_EQ(unknown.status, 503) << unknown.body;
}

TEST_F(HardwareTest, ReconnectHost) {
  Json zone = createZone("z1");
  Json cluster = createCluster(zone["uuid"], "c1");
  std::string uuid = addHost(cluster["uuid"], "10.0.0.1")["uuid"];
  auto reconnected = hostAction(uuid, {{"reconnectHost", Json::object()}});
  ASSERT_EQ(reconnected.status, 200) << reconnected.body;
  EXPECT_EQ(host(uuid)["status"], "Connected");

  // A host that refuses the connection ends Disconnected, and the error says why.
  Json tag = createSystemTag("HostVO", uuid, "simulator::failConnect");
  auto failed = hostAction(uuid, {{"reconnectHost", Json::object()}});
  EXPECT_EQ(failed.status, 503) << failed.body;
  EXPECT_NE(errorOf(failed).find("simulator::failConnect"), std::string::npos) << failed.body;
  EXPECT_EQ(host(uuid)["status"], "Disconnected");

  ASSERT_EQ(client().call("DELETE", "/zstack/v1/tags/" + tag["uuid"].get<std::string>()).status,
            200);
  ASSERT_EQ(hostAction(uuid, {{"reconnectHost", Json::object()}}).status, 200);
  EXPECT_EQ(host(uuid)["status"], "Connected");
  EXPECT_EQ(host(uuid)["totalCpuCapacity"], 16);
}

TEST_F(HardwareTest, PingFailureDisconnectsAndRecoveryReconnects) {
  Json zone = createZone("z1");
  Json cluster = createCluster(zone["uuid"], "c1");
  std::string uuid = addHost(cluster["uuid"], "10.0.0.1")["uuid"];
  std::string healthy = addHost(cluster["uuid"], "10.0.0.2")["uuid"];
  setGlobalConfig("host", "ping.interval", "1");
  auto bad = client().call("PUT", "/zstack/v1/global-configurations/host/ping.interval/actions",
                           {{"updateGlobalConfig", {{"value", "0"}}}});
  EXPECT_EQ(codeOf(bad), "SYS.1007") << bad.body;

  Json tag = createSystemTag("HostVO", uuid, "simulator::failPing");
  EXPECT_TRUE(eventually([&] { return host(uuid)["status"] == "Disconnected"; })) << host(uuid);
  EXPECT_EQ(host(healthy)["status"], "Connected");

  ASSERT_EQ(client().call("DELETE", "/zstack/v1/tags/" + tag["uuid"].get<std::string>()).status,
            200);
  EXPECT_TRUE(eventually([&] { return host(uuid)["status"] == "Connected"; })) << host(uuid);

  // Without auto-reconnect a recovered host waits for ReconnectHost.
  setGlobalConfig("host", "connection.autoReconnectOnError", "false");
  tag = createSystemTag("HostVO", uuid, "simulator::failPing");
  EXPECT_TRUE(eventually([&] { return host(uuid)["status"] == "Disconnected"; })) << host(uuid);
  ASSERT_EQ(client().call("DELETE", "/zstack/v1/tags/" + tag["uuid"].get<std::string>()).status,
            200);
  std::this_thread::sleep_for(std::chrono::milliseconds(2500));
  EXPECT_EQ(host(uuid)["status"], "Disconnected");
  ASSERT_EQ(hostAction(uuid, {{"reconnectHost", Json::object()}}).status, 200);
  EXPECT_EQ(host(uuid)["status"], "Connected");
}

TEST_F(HardwareTest, DeletingAZoneCascadesToItsClustersAndHosts) {
  Json zone = createZone("doomed");
  Json other = createZone("kept");
  std::vector<std::string> hosts;
  for (int c = 0; c < 2; ++c) {
    Json cluster = createCluster(zone["uuid"], "c" + std::to_string(c));
    for (int h = 0; h < 3; ++h) {
      hosts.push_back(
          addHost(cluster["uuid"], "10.0." + std::to_string(c) + "." + std::to_string(h))["uuid"]);
    }
    createSystemTag("ClusterVO", cluster["uuid"], "tag::of::cluster");
  }
  Json keptCluster = createCluster(other["uuid"], "k");
  std::string keptHost = addHost(keptCluster["uuid"], "10.1.0.1")["uuid"];
  for (const auto& uuid : hosts) createSystemTag("HostVO", uuid, "tag::of::host");
  ASSERT_EQ(query("/zstack/v1/hosts").size(), 7u);
  ASSERT_EQ(query("/zstack/v1/system-tags?q=tag~=tag::of::%25").size(), 8u);

  auto deleted = client().call("DELETE", "/zstack/v1/zones/" + zone["uuid"].get<std::string>());
  ASSERT_EQ(deleted.status, 200) << deleted.body;
  EXPECT_EQ(query("/zstack/v1/clusters?q=zoneUuid=" + zone["uuid"].get<std::string>()).size(), 0u);
  EXPECT_EQ(query("/zstack/v1/hosts?q=zoneUuid=" + zone["uuid"].get<std::string>()).size(), 0u);
  Json left = query("/zstack/v1/hosts");
  ASSERT_EQ(left.size(), 1u);
  EXPECT_EQ(left[0]["uuid"], keptHost);
  EXPECT_EQ(query("/zstack/v1/clusters").size(), 1u);
  EXPECT_EQ(query("/zstack/v1/system-tags?q=tag~=tag::of::%25").size(), 0u);
}

TEST_F(HardwareTest, DeleteClusterAndDeleteHost) {
  Json zone = createZone("z1");
  Json cluster = createCluster(zone["uuid"], "c1");
  std::string first = addHost(cluster["uuid"], "10.0.0.1")["uuid"];
  addHost(cluster["uuid"], "10.0.0.2");
  createSystemTag("HostVO", first, "tag::on::first");

  auto gone = client().call("DELETE", "/zstack/v1/hosts/" + first + "?deleteMode=Permissive");
  ASSERT_EQ(gone.status, 200) << gone.body;
  EXPECT_EQ(parse(gone), Json::object());
  EXPECT_EQ(query("/zstack/v1/hosts").size(), 1u);
  EXPECT_EQ(query("/zstack/v1/system-tags?q=resourceUuid=" + first).size(), 0u);
  // Its managementIp is free again.
  addHost(cluster["uuid"], "10.0.0.1");

  auto deleted =
      client().call("DELETE", "/zstack/v1/clusters/" + cluster["uuid"].get<std::string>() +
                                  "?deleteMode=Enforcing");
  ASSERT_EQ(deleted.status, 200) << deleted.body;
  EXPECT_EQ(query("/zstack/v1/hosts").size(), 0u);
  EXPECT_EQ(query("/zstack/v1/clusters").size(), 0u);
}

// The simulator's latency knob: every connect() sleeps first, on the blocking pool.
class SlowSimulatorTest : public HardwareTest {
 protected:
  void SetUp() override { startServer({"--set", "plugin.simulator.connectLatencyMs=400"}); }
};

TEST_F(SlowSimulatorTest, ConnectLatencyIsInjected) {
  Json zone = createZone("z1");
  Json cluster = createCluster(zone["uuid"], "c1");
  auto start = std::chrono::steady_clock::now();
  std::string uuid = addHost(cluster["uuid"], "10.0.0.1")["uuid"];
  EXPECT_GE(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(400));
  start = std::chrono::steady_clock::now();
  ASSERT_EQ(hostAction(uuid, {{"reconnectHost", Json::object()}}).status, 200);
  EXPECT_GE(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(400));
}

}  // namespace
}  // namespace strato::test

namespace strato::test {
namespace {

// Hardware is the operator's: a normal account may look at it but not change it.
TEST_F(HardwareTest, NormalAccountsCannotChangeHardware) {
  Json zone = createZone("z");
  Json cluster = createCluster(zone["uuid"], "c");
  auto account = client().call("POST", "/zstack/v1/accounts",
                               {{"params", {{"name", "tenant"}, {"password", sha512Hex("pw")}}}});
  ASSERT_EQ(account.status, 200) << account.body;
  ZStackClient tenant(client().port());
  ASSERT_FALSE(tenant.login("tenant", "pw").empty());

  for (const auto& [method, path, body] : std::vector<std::tuple<std::string, std::string, Json>>{
           {"POST", "/zstack/v1/zones", {{"params", {{"name", "mine"}}}}},
           {"DELETE", "/zstack/v1/zones/" + zone["uuid"].get<std::string>(), nullptr},
           {"POST",
            "/zstack/v1/clusters",
            {{"params",
              {{"zoneUuid", zone["uuid"]}, {"name", "c2"}, {"hypervisorType", "Simulator"}}}}},
           {"POST",
            "/zstack/v1/hosts/simulators",
            {{"params",
              {{"name", "h"}, {"managementIp", "10.9.9.9"}, {"clusterUuid", cluster["uuid"]}}}}}}) {
    auto refused = tenant.send(method, path, body);
    EXPECT_EQ(refused.status, 403) << method << " " << path << ": " << refused.body;
    EXPECT_EQ(parse(refused)["error"]["code"], "ID.1002") << refused.body;
  }
  auto zones = tenant.send("GET", "/zstack/v1/zones");
  ASSERT_EQ(zones.status, 200) << zones.body;
  EXPECT_EQ(parse(zones)["inventories"].size(), 1u);
  EXPECT_EQ(parse(client().send("GET", "/zstack/v1/zones"))["inventories"].size(), 1u)
      << "nothing was created";
}

}  // namespace
}  // namespace strato::test
