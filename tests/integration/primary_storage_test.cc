// Primary storage (section 4.4 of the ZStack manual without Ceph and SharedBlock, plus ZStack's
// AddSimulatorPrimaryStorage) over HTTP against a running strato-server with simulator hosts.
#include "integration/primary_storage_fixture.h"

namespace strato::test {
namespace {

TEST_F(PrimaryStorageTest, AddEveryTypeWithTheManualsShapes) {
  Json zone = createZone("z1");
  std::string z = zone["uuid"];
  Json local = addLocal(z, "PS1");
  EXPECT_EQ(
      keysOf(local),
      (std::set<std::string>{
          "uuid", "zoneUuid", "name", "url", "totalCapacity", "availableCapacity",
          "totalPhysicalCapacity", "availablePhysicalCapacity", "systemUsedCapacity", "type",
          "state", "status", "mountPath", "createDate", "lastOpDate", "attachedClusterUuids"}));
  EXPECT_EQ(local["type"], "LocalStorage");
  EXPECT_EQ(local["url"], "/zstack_ps");
  EXPECT_EQ(local["state"], "Enabled");
  EXPECT_EQ(local["status"], "Connected");
  EXPECT_EQ(local["zoneUuid"], z);
  EXPECT_EQ(local["attachedClusterUuids"], Json::array());
  EXPECT_EQ(local["totalCapacity"], 0);  // no host uses it yet

  Json nfs = add("nfs", {{"url", "192.168.0.25:/share/nfs"},
                         {"name", "nfs"},
                         {"type", "NFS"},
                         {"description", "d"},
                         {"zoneUuid", z}});
  EXPECT_EQ(nfs["type"], "NFS");
  EXPECT_EQ(nfs["description"], "d");
  EXPECT_EQ(nfs["mountPath"],
            "/opt/zstack/nfsprimarystorage/prim-" + nfs["uuid"].get<std::string>());
  Json smp = add(
      "smp",
      {{"url", "/smp_mountpoint"}, {"name", "smp"}, {"type", "SharedMountPoint"}, {"zoneUuid", z}});
  EXPECT_EQ(smp["type"], "SharedMountPoint");
  EXPECT_EQ(smp["mountPath"], "/smp_mountpoint");
  Json sim = addSimulator(z, 100 * kGiB, 80 * kGiB);
  EXPECT_EQ(sim["type"], "Simulator");
  EXPECT_EQ(sim["totalCapacity"], 100 * kGiB);
  EXPECT_EQ(sim["totalPhysicalCapacity"], 100 * kGiB);
  EXPECT_EQ(sim["availablePhysicalCapacity"], 80 * kGiB);
  EXPECT_EQ(sim["availableCapacity"], 80 * kGiB);
  EXPECT_EQ(sim["systemUsedCapacity"], 20 * kGiB);

  // The query engine renders the same inventory, attachedClusterUuids included.
  EXPECT_EQ(ps(local["uuid"]), local);
  EXPECT_EQ(ps(sim["uuid"]), sim);
  EXPECT_EQ(query("/zstack/v1/primary-storage").size(), 4u);
  EXPECT_EQ(query("/zstack/v1/primary-storage?q=type=NFS")[0]["uuid"], nfs["uuid"]);
  EXPECT_EQ(query("/zstack/v1/primary-storage?q=zone.name=z1").size(), 4u);
  EXPECT_EQ(query("/zstack/v1/primary-storage?q=totalCapacity>0").size(), 1u);

  auto types = client().send("GET", "/zstack/v1/primary-storage/types");
  ASSERT_EQ(types.status, 200) << types.body;
  EXPECT_EQ(parse(types)["primaryStorageTypes"],
            Json::array({"LocalStorage", "NFS", "SharedMountPoint", "Simulator"}));
  auto strategies = client().send("GET", "/zstack/v1/primary-storage/allocators/strategies");
  ASSERT_EQ(strategies.status, 200) << strategies.body;
  EXPECT_EQ(
      parse(strategies)["primaryStorageAllocatorStrategies"],
      Json::array({"DefaultPrimaryStorageAllocationStrategy", "LocalStorageAllocatorStrategy"}));
  // No volume is on local storage yet: the resource refs are empty; a volume that does not
  // exist has no migration candidates.
  EXPECT_EQ(query("/zstack/v1/primary-storage/local-storage/resource-refs").size(), 0u);
  auto migrate = client().send("GET", "/zstack/v1/primary-storage/volumes/" + std::string(32, 'a') +
                                          "/migration-candidates");
  EXPECT_EQ(codeOf(migrate), "SYS.1006") << migrate.body;
}

TEST_F(PrimaryStorageTest, AddRefusesBadInputClearly) {
  Json zone = createZone("z1");
  std::string z = zone["uuid"];
  auto noZone = addReply("local-storage",
                         {{"url", "/ps"}, {"name", "l"}, {"zoneUuid", std::string(32, 'a')}});
  EXPECT_EQ(noZone.status, 503) << noZone.body;
  EXPECT_EQ(codeOf(noZone), "SYS.1007") << noZone.body;
  EXPECT_NE(errorOf(noZone).find("zone"), std::string::npos) << noZone.body;

  for (const char* url :
       {"nfs-server/share", "server:relative", ":/share", "a b:/share", "[::1/x"}) {
    auto bad = addReply("nfs", {{"url", url}, {"name", "n"}, {"zoneUuid", z}});
    EXPECT_EQ(bad.status, 503) << url << " " << bad.body;
    EXPECT_EQ(codeOf(bad), "SYS.1007") << bad.body;
    EXPECT_NE(errorOf(bad).find("host:/path"), std::string::npos) << bad.body;
  }
  EXPECT_EQ(addReply("nfs", {{"url", "[fd00::1]:/share"}, {"name", "v6"}, {"zoneUuid", z}}).status,
            200);
  for (const char* path : {"local-storage", "smp"}) {
    for (const char* url : {"relative", "/", "/a/../b", "/with space"}) {
      auto bad = addReply(path, {{"url", url}, {"name", "x"}, {"zoneUuid", z}});
      EXPECT_EQ(bad.status, 503) << path << " " << url << " " << bad.body;
      EXPECT_EQ(codeOf(bad), "SYS.1007") << bad.body;
    }
  }
  auto wrongType =
      addReply("nfs", {{"url", "h:/s"}, {"name", "n"}, {"type", "Ceph"}, {"zoneUuid", z}});
  EXPECT_EQ(wrongType.status, 503) << wrongType.body;
  auto missing = addReply("local-storage", {{"name", "l"}, {"zoneUuid", z}});
  EXPECT_EQ(missing.status, 400) << missing.body;
  auto tooFull = addReply("simulators", {{"url", "/s"},
                                         {"name", "s"},
                                         {"zoneUuid", z},
                                         {"totalCapacity", 10},
                                         {"availableCapacity", 20}});
  EXPECT_EQ(tooFull.status, 503) << tooFull.body;

  // A failed connect leaves no row behind, and says why.
  auto failed = addReply("simulators", {{"url", "/s"}, {"name", "failing"}, {"zoneUuid", z}},
                         {"simulator::failConnect"});
  EXPECT_EQ(failed.status, 503) << failed.body;
  EXPECT_NE(errorOf(failed).find("simulator::failConnect"), std::string::npos) << failed.body;
  EXPECT_EQ(query("/zstack/v1/primary-storage?q=name=failing").size(), 0u);
  EXPECT_EQ(total("/zstack/v1/primary-storage"), 1);  // the IPv6 NFS one
}

TEST_F(PrimaryStorageTest, LocalStorageCountsTheDisksOfAttachedHosts) {
  Json zone = createZone("z1");
  std::string z = zone["uuid"];
  std::string c1 = createCluster(z, "c1")["uuid"];
  std::string c2 = createCluster(z, "c2")["uuid"];
  std::string h1 = addHost(c1, "10.0.0.1")["uuid"];
  addHost(c1, "10.0.0.2");
  std::string h3 = addHost(c2, "10.0.0.3")["uuid"];
  createSystemTag("HostVO", h3,
                  "localStorage::simulatorDisk::" + std::to_string(2 * kTiB) +
                      "::" + std::to_string(kTiB + kTiB / 2));
  std::string local = addLocal(z)["uuid"];

  Json attached = attach(local, c1);
  EXPECT_EQ(attached["attachedClusterUuids"], Json::array({c1}));
  EXPECT_EQ(attached["totalCapacity"], 2 * kTiB);
  EXPECT_EQ(attached["availableCapacity"], 2 * kTiB);
  EXPECT_EQ(ps(local), attached);
  Json disks = hostDisks(local);
  ASSERT_EQ(disks.size(), 2u);
  EXPECT_EQ(keysOf(disks[0]),
            (std::set<std::string>{"hostUuid", "totalCapacity", "availableCapacity",
                                   "totalPhysicalCapacity", "availablePhysicalCapacity"}));
  EXPECT_EQ(disks[0]["totalCapacity"], kTiB);
  EXPECT_EQ(hostDisks(local, "hostUuid=" + h1).size(), 1u);

  attached = attach(local, c2);
  EXPECT_EQ(setOf(attached["attachedClusterUuids"]), (std::set<std::string>{c1, c2}));
  EXPECT_EQ(attached["totalCapacity"], 4 * kTiB);
  EXPECT_EQ(attached["availablePhysicalCapacity"], 3 * kTiB + kTiB / 2);
  EXPECT_EQ(attached["systemUsedCapacity"], kTiB / 2);
  EXPECT_EQ(attached["availableCapacity"], 3 * kTiB + kTiB / 2);
  EXPECT_EQ(hostDisks(local, "hostUuid=" + h3)[0]["availableCapacity"], kTiB + kTiB / 2);

  // A disk that changed is seen at the next sync.
  createSystemTag(
      "HostVO", h1,
      "localStorage::simulatorDisk::" + std::to_string(kTiB) + "::" + std::to_string(kTiB / 4));
  auto synced = action(local, {{"syncPrimaryStorageCapacity", Json::object()}});
  ASSERT_EQ(synced.status, 200) << synced.body;
  EXPECT_EQ(parse(synced)["inventory"]["availablePhysicalCapacity"], 2 * kTiB + kTiB * 3 / 4);
  EXPECT_EQ(hostDisks(local, "hostUuid=" + h1)[0]["availablePhysicalCapacity"], kTiB / 4);
  EXPECT_EQ(capacity("primaryStorageUuids=" + local)["availableCapacity"], 2 * kTiB + kTiB * 3 / 4);

  // Attaching twice is refused; the attachment is queryable through clusterRefs.
  auto twice = attachReply(local, c1);
  EXPECT_EQ(twice.status, 503) << twice.body;
  EXPECT_EQ(codeOf(twice), "SYS.1008") << twice.body;
  EXPECT_NE(errorOf(twice).find("already attached"), std::string::npos) << twice.body;
  EXPECT_EQ(query("/zstack/v1/primary-storage?q=clusterRefs.clusterUuid=" + c2).size(), 1u);
  EXPECT_EQ(query("/zstack/v1/primary-storage?q=clusterRefs.cluster.name=c1").size(), 1u);
  EXPECT_EQ(query("/zstack/v1/primary-storage?q=attachedClusterUuids~=%25" + c2 + "%25").size(),
            1u);

  // A host joining an attached cluster adds its disk; a host leaving takes it away.
  std::string h4 = addHost(c1, "10.0.0.4")["uuid"];
  EXPECT_TRUE(eventually([&] { return ps(local)["totalCapacity"] == 5 * kTiB; })) << ps(local);
  ASSERT_EQ(client().call("DELETE", "/zstack/v1/hosts/" + h4).status, 200);
  EXPECT_EQ(ps(local)["totalCapacity"], 4 * kTiB);
  EXPECT_EQ(hostDisks(local).size(), 3u);

  auto detached = detachReply(local, c2);
  ASSERT_EQ(detached.status, 200) << detached.body;
  EXPECT_EQ(parse(detached)["inventory"]["attachedClusterUuids"], Json::array({c1}));
  EXPECT_EQ(parse(detached)["inventory"]["totalCapacity"], 2 * kTiB);
  EXPECT_EQ(parse(detached)["inventory"]["systemUsedCapacity"], kTiB * 3 / 4);
  auto again = detachReply(local, c2);
  EXPECT_EQ(again.status, 503) << again.body;
  EXPECT_NE(errorOf(again).find("not attached"), std::string::npos) << again.body;

  // Only LocalStorage has host disks.
  std::string sim = addSimulator(z, kTiB, kTiB)["uuid"];
  auto notLocal =
      client().send("GET", "/zstack/v1/primary-storage/local-storage/" + sim + "/capacities");
  EXPECT_EQ(notLocal.status, 400) << notLocal.body;
}

TEST_F(PrimaryStorageTest, AttachRefusesUnknownsAndOtherZones) {
  Json zone = createZone("z1");
  Json other = createZone("z2");
  std::string c1 = createCluster(zone["uuid"], "c1")["uuid"];
  std::string far = createCluster(other["uuid"], "far")["uuid"];
  std::string sim = addSimulator(zone["uuid"], kTiB, kTiB)["uuid"];

  auto otherZone = attachReply(sim, far);
  EXPECT_EQ(otherZone.status, 503) << otherZone.body;
  EXPECT_EQ(codeOf(otherZone), "SYS.1007") << otherZone.body;
  EXPECT_NE(errorOf(otherZone).find("same zone"), std::string::npos) << otherZone.body;
  auto noCluster = attachReply(sim, std::string(32, 'b'));
  EXPECT_EQ(noCluster.status, 503) << noCluster.body;
  EXPECT_NE(errorOf(noCluster).find("cluster"), std::string::npos) << noCluster.body;
  auto noStorage = attachReply(std::string(32, 'c'), c1);
  EXPECT_EQ(noStorage.status, 503) << noStorage.body;
  EXPECT_EQ(codeOf(noStorage), "SYS.1006") << noStorage.body;
  EXPECT_EQ(ps(sim)["attachedClusterUuids"], Json::array());

  // An injected attach failure leaves no attachment behind.
  createSystemTag("PrimaryStorageVO", sim, "simulator::failAttach");
  auto failed = attachReply(sim, c1);
  EXPECT_EQ(failed.status, 503) << failed.body;
  EXPECT_NE(errorOf(failed).find("simulator::failAttach"), std::string::npos) << failed.body;
  EXPECT_EQ(ps(sim)["attachedClusterUuids"], Json::array());
}

TEST_F(PrimaryStorageTest, SharedStorageIsMountedByTheHostsOfAttachedClusters) {
  Json zone = createZone("z1");
  std::string z = zone["uuid"];
  std::string c1 = createCluster(z, "c1")["uuid"];
  std::string empty = createCluster(z, "empty")["uuid"];
  addHost(c1, "10.0.0.1");
  for (auto [path, url] : {std::pair{"nfs", "10.0.0.9:/export"}, std::pair{"smp", "/mnt/smp"}}) {
    std::string uuid = add(path, {{"url", url}, {"name", path}, {"zoneUuid", z}})["uuid"];
    // No host mounts it: nothing known, nothing changes.
    EXPECT_EQ(attach(uuid, empty)["totalCapacity"], 0) << path;
    Json mounted = attach(uuid, c1);
    EXPECT_EQ(mounted["totalCapacity"], 10 * kTiB) << path;
    EXPECT_EQ(mounted["availableCapacity"], 10 * kTiB) << path;
    EXPECT_EQ(setOf(mounted["attachedClusterUuids"]), (std::set<std::string>{empty, c1})) << path;
    auto reconnected = action(uuid, {{"reconnectPrimaryStorage", Json::object()}});
    ASSERT_EQ(reconnected.status, 200) << reconnected.body;
    EXPECT_EQ(parse(reconnected)["inventory"]["status"], "Connected");
    auto synced = action(uuid, {{"syncPrimaryStorageCapacity", Json::object()}});
    ASSERT_EQ(synced.status, 200) << synced.body;
    EXPECT_EQ(parse(synced)["inventory"]["totalCapacity"], 10 * kTiB);
    // Detaching keeps the last figures: the share did not shrink.
    auto detached = detachReply(uuid, c1);
    ASSERT_EQ(detached.status, 200) << detached.body;
    EXPECT_EQ(parse(detached)["inventory"]["totalCapacity"], 10 * kTiB);
  }
  // A new url must still be a valid one of the type.
  std::string nfs = query("/zstack/v1/primary-storage?q=type=NFS")[0]["uuid"];
  auto bad = action(nfs, {{"updatePrimaryStorage", {{"url", "no-colon"}}}});
  EXPECT_EQ(bad.status, 503) << bad.body;
  auto good = action(nfs, {{"updatePrimaryStorage", {{"url", "10.0.0.8:/other"}}}});
  ASSERT_EQ(good.status, 200) << good.body;
  EXPECT_EQ(parse(good)["inventory"]["url"], "10.0.0.8:/other");
}

TEST_F(PrimaryStorageTest, StateUpdateReconnectSyncAndCleanUp) {
  Json zone = createZone("z1");
  std::string sim = addSimulator(zone["uuid"], 100 * kGiB, 100 * kGiB)["uuid"];
  for (auto [event, state] :
       {std::pair{"disable", "Disabled"}, std::pair{"maintain", "Maintenance"},
        std::pair{"deleting", "Deleting"}, std::pair{"enable", "Enabled"}}) {
    auto changed = action(sim, {{"changePrimaryStorageState", {{"stateEvent", event}}}});
    ASSERT_EQ(changed.status, 200) << changed.body;
    EXPECT_EQ(parse(changed)["inventory"]["state"], state) << event;
  }
  auto bad = action(sim, {{"changePrimaryStorageState", {{"stateEvent", "Disabled"}}}});
  EXPECT_EQ(bad.status, 400) << bad.body;

  auto updated =
      action(sim, {{"updatePrimaryStorage", {{"name", "New PS1"}, {"description", "d"}}}});
  ASSERT_EQ(updated.status, 200) << updated.body;
  EXPECT_EQ(parse(updated)["inventory"]["name"], "New PS1");
  EXPECT_EQ(parse(updated)["inventory"]["description"], "d");

  auto cleaned = action(sim, {{"cleanUpImageCacheOnPrimaryStorage", Json::object()}});
  ASSERT_EQ(cleaned.status, 200) << cleaned.body;
  EXPECT_EQ(parse(cleaned), Json::object());
  auto synced = action(sim, {{"syncPrimaryStorageCapacity", Json::object()}});
  ASSERT_EQ(synced.status, 200) << synced.body;
  EXPECT_EQ(parse(synced)["inventory"]["totalCapacity"], 100 * kGiB);

  // A storage that refuses the connection ends Disconnected, and the error says why.
  Json tag = createSystemTag("PrimaryStorageVO", sim, "simulator::failConnect");
  auto failed = action(sim, {{"reconnectPrimaryStorage", Json::object()}});
  EXPECT_EQ(failed.status, 503) << failed.body;
  EXPECT_NE(errorOf(failed).find("simulator::failConnect"), std::string::npos) << failed.body;
  EXPECT_EQ(ps(sim)["status"], "Disconnected");
  auto refused = action(sim, {{"cleanUpImageCacheOnPrimaryStorage", Json::object()}});
  EXPECT_EQ(refused.status, 503) << refused.body;
  ASSERT_EQ(client().call("DELETE", "/zstack/v1/tags/" + tag["uuid"].get<std::string>()).status,
            200);
  auto back = action(sim, {{"reconnectPrimaryStorage", Json::object()}});
  ASSERT_EQ(back.status, 200) << back.body;
  EXPECT_EQ(parse(back)["inventory"]["status"], "Connected");

  auto unknown = action(std::string(32, 'd'), {{"reconnectPrimaryStorage", Json::object()}});
  EXPECT_EQ(unknown.status, 503) << unknown.body;
}

TEST_F(PrimaryStorageTest, CapacitySumsTheChosenStorages) {
  Json zone = createZone("z1");
  Json other = createZone("z2");
  std::string c1 = createCluster(zone["uuid"], "c1")["uuid"];
  std::string a = addSimulator(zone["uuid"], 100 * kGiB, 60 * kGiB)["uuid"];
  addSimulator(zone["uuid"], 50 * kGiB, 50 * kGiB);
  std::string c = addSimulator(other["uuid"], 10 * kGiB, 10 * kGiB)["uuid"];
  attach(a, c1);

  Json all = capacity("all=true");
  EXPECT_EQ(keysOf(all),
            (std::set<std::string>{"totalCapacity", "availableCapacity", "totalPhysicalCapacity",
                                   "availablePhysicalCapacity"}));
  EXPECT_EQ(all["totalCapacity"], 160 * kGiB);
  EXPECT_EQ(all["availableCapacity"], 120 * kGiB);
  EXPECT_EQ(capacity("zoneUuids=" + zone["uuid"].get<std::string>())["totalCapacity"], 150 * kGiB);
  EXPECT_EQ(capacity("clusterUuids=" + c1)["totalCapacity"], 100 * kGiB);
  // Matched twice (its zone and its uuid), counted once.
  EXPECT_EQ(capacity("primaryStorageUuids=" + a + "," + c +
                     "&zoneUuids=" + zone["uuid"].get<std::string>())["totalCapacity"],
            160 * kGiB);
  EXPECT_EQ(capacity("primaryStorageUuids=" + c + "&all=false")["availablePhysicalCapacity"],
            10 * kGiB);
  auto neither = client().send("GET", "/zstack/v1/primary-storage/capacities");
  EXPECT_EQ(neither.status, 400) << neither.body;
  EXPECT_EQ(codeOf(neither), "SYS.1007") << neither.body;
}

}  // namespace
}  // namespace strato::test
