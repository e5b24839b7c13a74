// The offering plugin on MariaDB: its schema and the flows of offering_test.cc against a real
// mariadbd, which this binary starts once and stops by its PID.
#include "integration/offering_fixture.h"
#include "support/mariadb_server.h"

namespace strato::test {
namespace {

MariaDbServer& sharedMariaDb() {
  static std::unique_ptr<MariaDbServer> server = MariaDbServer::start("strato_offering");
  return *server;
}

class OfferingMariaDbTest : public OfferingTest {
 protected:
  void SetUp() override { startServer({"--set", "database.url=" + sharedMariaDb().url()}); }
};

TEST_F(OfferingMariaDbTest, OfferingsLiveThroughARestart) {
  createAccount("alpha");
  auto alpha = loginAs("alpha");
  Json vm = instanceOffering(*alpha, "maria-vm",
                             {{"cpuNum", 4}, {"memorySize", 8LL << 30}, {"sortKey", -1}});
  Json disk = diskOffering("maria-disk", 1LL << 40,
                           {{"allocationStrategy", "LocalStorageAllocatorStrategy"}});
  std::string vmUuid = vm["uuid"];
  std::string diskUuid = disk["uuid"];
  auto state = action(*alpha, kInstance, vmUuid,
                      {{"changeInstanceOfferingState", {{"stateEvent", "disable"}}}});
  ASSERT_EQ(state.status, 200) << state.body;
  auto renamed =
      action(kDisk, diskUuid, {{"updateDiskOffering", {{"description", "a whole tebibyte"}}}});
  ASSERT_EQ(renamed.status, 200) << renamed.body;

  ASSERT_EQ(server_->stop(), 0);
  startServer({"--set", "database.url=" + sharedMariaDb().url()});
  alpha = loginAs("alpha");
  Json seen = query(*alpha, std::string(kInstance) + "?q=state=Disabled")["inventories"];
  ASSERT_EQ(seen.size(), 1u) << seen;
  EXPECT_EQ(seen[0]["memorySize"], 8LL << 30);
  EXPECT_EQ(seen[0]["sortKey"], -1);
  EXPECT_TRUE(query(*alpha, kDisk)["inventories"].empty());
  Json big = inventories(std::string(kDisk) + "?q=diskSize>=1099511627776");
  ASSERT_EQ(big.size(), 1u) << big;
  EXPECT_EQ(big[0]["description"], "a whole tebibyte");
  EXPECT_EQ(big[0]["allocatorStrategy"], "LocalStorageAllocatorStrategy");

  ASSERT_EQ(alpha->call("DELETE", std::string(kInstance) + "/" + vmUuid).status, 200);
  ASSERT_EQ(client().call("DELETE", std::string(kDisk) + "/" + diskUuid).status, 200);
  EXPECT_TRUE(inventories(kInstance).empty());
  EXPECT_TRUE(inventories(kDisk).empty());
}

}  // namespace
}  // namespace strato::test
