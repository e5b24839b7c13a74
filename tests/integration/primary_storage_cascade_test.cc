// Deleting primary storage, clusters and zones: the cascade leaves no primary storage,
// attachment or local-storage row behind (checked through the query APIs and in the database).
#include "integration/primary_storage_fixture.h"
#include "support/mariadb_server.h"

namespace strato::test {
namespace {

TEST_F(PrimaryStorageTest, DeletePrimaryStorageTakesItsAttachmentsAlong) {
  Json zone = createZone("z1");
  std::string c1 = createCluster(zone["uuid"], "c1")["uuid"];
  addHost(c1, "10.0.0.1");
  std::string local = addLocal(zone["uuid"])["uuid"];
  attach(local, c1);
  createSystemTag("PrimaryStorageVO", local, "tag::on::ps");
  ASSERT_EQ(rowsIn("local_storage_host_ref"), 1);

  auto deleted =
      client().call("DELETE", "/zstack/v1/primary-storage/" + local + "?deleteMode=Permissive");
  ASSERT_EQ(deleted.status, 200) << deleted.body;
  EXPECT_EQ(parse(deleted), Json::object());
  EXPECT_EQ(total("/zstack/v1/primary-storage"), 0);
  EXPECT_EQ(query("/zstack/v1/system-tags?q=resourceUuid=" + local).size(), 0u);
  EXPECT_EQ(rowsIn("primary_storage_cluster_ref"), 0);
  EXPECT_EQ(rowsIn("local_storage_host_ref"), 0);
  // The cluster and its host stay.
  EXPECT_EQ(total("/zstack/v1/hosts"), 1);

  // Deleting a cluster detaches what was attached to it.
  std::string sim = addSimulator(zone["uuid"], kTiB, kTiB)["uuid"];
  attach(sim, c1);
  ASSERT_EQ(client().call("DELETE", "/zstack/v1/clusters/" + c1).status, 200);
  EXPECT_EQ(ps(sim)["attachedClusterUuids"], Json::array());
  EXPECT_EQ(rowsIn("primary_storage_cluster_ref"), 0);
}

TEST_F(PrimaryStorageTest, DeletingAZoneLeavesNoRowInAnyHardwareTable) {
  Json zone = createZone("doomed");
  Json other = createZone("kept");
  std::string z = zone["uuid"];
  std::vector<std::string> clusters;
  for (int c = 0; c < 2; ++c) {
    clusters.push_back(createCluster(z, "c" + std::to_string(c))["uuid"]);
    for (int h = 0; h < 3; ++h)
      addHost(clusters.back(), "10.0." + std::to_string(c) + "." + std::to_string(h));
  }
  std::string local = addLocal(z)["uuid"];
  std::string nfs =
      add("nfs", {{"url", "10.0.9.9:/nfs"}, {"name", "nfs"}, {"zoneUuid", z}})["uuid"];
  std::string smp = add("smp", {{"url", "/smp"}, {"name", "smp"}, {"zoneUuid", z}})["uuid"];
  std::string sim = addSimulator(z, kTiB, kTiB)["uuid"];
  for (const auto& storage : {local, nfs, smp, sim}) {
    for (const auto& c : clusters) attach(storage, c);
    createSystemTag("PrimaryStorageVO", storage, "tag::of::ps");
  }
  EXPECT_EQ(ps(local)["totalCapacity"], 6 * kTiB);
  ASSERT_EQ(rowsIn("primary_storage_cluster_ref"), 8);
  ASSERT_EQ(rowsIn("local_storage_host_ref"), 6);

  // Another zone's hardware survives the cascade.
  std::string keptCluster = createCluster(other["uuid"], "k")["uuid"];
  addHost(keptCluster, "10.1.0.1");
  std::string keptPs = addLocal(other["uuid"], "kept")["uuid"];
  attach(keptPs, keptCluster);

  auto deleted = client().call("DELETE", "/zstack/v1/zones/" + z);
  ASSERT_EQ(deleted.status, 200) << deleted.body;
  EXPECT_EQ(total("/zstack/v1/primary-storage?q=zoneUuid=" + z), 0);
  EXPECT_EQ(total("/zstack/v1/clusters?q=zoneUuid=" + z), 0);
  EXPECT_EQ(total("/zstack/v1/hosts?q=zoneUuid=" + z), 0);
  EXPECT_EQ(query("/zstack/v1/system-tags?q=tag=tag::of::ps").size(), 0u);
  EXPECT_EQ(rowsIn("primary_storage"), 1);
  EXPECT_EQ(rowsIn("primary_storage_cluster_ref"), 1);
  EXPECT_EQ(rowsIn("local_storage_host_ref"), 1);
  EXPECT_EQ(ps(keptPs)["totalCapacity"], kTiB);

  // And once the other zone goes too, every table is empty.
  ASSERT_EQ(client().call("DELETE", "/zstack/v1/zones/" + other["uuid"].get<std::string>()).status,
            200);
  for (const char* table :
       {"zone", "cluster", "host", "primary_storage", "primary_storage_cluster_ref",
        "local_storage_host_ref", "local_storage_resource_ref"}) {
    EXPECT_EQ(rowsIn(table), 0) << table;
  }
  EXPECT_EQ(total("/zstack/v1/zones"), 0);
  EXPECT_EQ(total("/zstack/v1/clusters"), 0);
  EXPECT_EQ(total("/zstack/v1/hosts"), 0);
  EXPECT_EQ(total("/zstack/v1/primary-storage"), 0);
  EXPECT_EQ(total("/zstack/v1/primary-storage/local-storage/resource-refs"), 0);
}

// The same tables, attachments, sums and cascade on a real mariadbd (started once, stopped by
// its PID): the SQL of the plugin must hold on both back ends.
class PrimaryStorageMariaDbTest : public PrimaryStorageTest {
 protected:
  static MariaDbServer& mariadb() {
    static std::unique_ptr<MariaDbServer> server = MariaDbServer::start("strato_storage");
    return *server;
  }
  void SetUp() override { startServer({"--set", "database.url=" + mariadb().url()}); }
};

TEST_F(PrimaryStorageMariaDbTest, AttachSumAndCascadeOnMariaDb) {
  Json zone = createZone("maria");
  std::string z = zone["uuid"];
  std::string c1 = createCluster(z, "c1")["uuid"];
  addHost(c1, "10.2.0.1");
  addHost(c1, "10.2.0.2");
  std::string local = addLocal(z)["uuid"];
  std::string nfs =
      add("nfs", {{"url", "10.2.9.9:/nfs"}, {"name", "nfs"}, {"zoneUuid", z}})["uuid"];
  EXPECT_EQ(attach(local, c1)["totalCapacity"], 2 * kTiB);
  EXPECT_EQ(attach(nfs, c1)["totalCapacity"], 10 * kTiB);
  EXPECT_EQ(ps(local)["attachedClusterUuids"], Json::array({c1}));
  EXPECT_EQ(capacity("clusterUuids=" + c1)["totalCapacity"], 12 * kTiB);
  EXPECT_EQ(hostDisks(local).size(), 2u);
  EXPECT_EQ(query("/zstack/v1/primary-storage?q=clusterRefs.cluster.name=c1").size(), 2u);
  auto detached = detachReply(nfs, c1);
  ASSERT_EQ(detached.status, 200) << detached.body;

  ASSERT_EQ(client().call("DELETE", "/zstack/v1/zones/" + z).status, 200);
  EXPECT_EQ(total("/zstack/v1/primary-storage"), 0);
  EXPECT_EQ(total("/zstack/v1/clusters"), 0);
  EXPECT_EQ(total("/zstack/v1/hosts"), 0);
  EXPECT_EQ(capacity("all=true")["totalCapacity"], 0);
}

}  // namespace
}  // namespace strato::test
