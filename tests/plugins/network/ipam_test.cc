// IPAM through its bus messages (l3.AllocateIp, l3.ReleaseIp) on the real L3 plugin with SQLite:
// strategies, required IPs, release and reuse, exhaustion, a Disabled L3, addresses another
// management node took behind this one's back, and concurrent allocations.
#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <set>
#include <thread>

#include "plugins/network/network_node.h"
#include "support/mariadb_server.h"
#include "support/temp_dir.h"

namespace strato::kernel {
namespace {

class IpamTest : public ::testing::Test {
 protected:
  virtual std::string databaseUrl() { return "sqlite:" + (dir_.path() / "ipam.db").string(); }

  void SetUp() override {
    auto node =
        NetworkNode::start(databaseUrl(), {STRATO_ZONE_PLUGIN, STRATO_L2_PLUGIN, STRATO_L3_PLUGIN});
    ASSERT_TRUE(node.ok()) << node.error().describe();
    node_ = std::move(*node);
    std::string zone = ok(node_->api("zone.CreateZone", {{"name", "z"}}))["inventory"]["uuid"];
    std::string l2 = ok(node_->api(
        "l2Network.CreateL2NoVlanNetwork",
        {{"name", "l2"}, {"zoneUuid", zone}, {"physicalInterface", "eth0"}}))["inventory"]["uuid"];
    l3_ = ok(node_->api("l3Network.CreateL3Network",
                        {{"name", "l3"}, {"l2NetworkUuid", l2}}))["inventory"]["uuid"];
  }

  Json ok(const Reply& reply) {
    EXPECT_TRUE(reply.ok()) << reply.error().describe();
    return reply.ok() ? reply.value() : Json();
  }
  void addRange(const std::string& start, const std::string& end, const std::string& gateway) {
    ok(node_->api("l3Network.AddIpRange.Serialized", {{"l3NetworkUuid", l3_},
                                                      {"name", "r"},
                                                      {"startIp", start},
                                                      {"endIp", end},
                                                      {"netmask", "255.255.255.0"},
                                                      {"gateway", gateway}}));
  }
  Reply allocate(Json extra = Json::object()) {
    Json body{{"l3NetworkUuid", l3_}, {"owner", {{"usedFor", "Vm"}, {"metaData", "test"}}}};
    body.update(extra);
    return node_->send("l3.AllocateIp", body);
  }
  std::string ipOf(const Reply& reply) {
    return reply.ok() ? reply.value()["inventory"]["ip"].get<std::string>()
                      : reply.error().describe();
  }
  std::int64_t usedRows() {
    auto rows = node_->db().query("SELECT COUNT(*) FROM used_ip WHERE l3NetworkUuid = ?", {l3_});
    return rows.ok() ? dbInt(rows->rows[0][0]) : -1;
  }

  test::TempDir dir_{"ipam-test"};
  std::unique_ptr<NetworkNode> node_;
  std::string l3_;
};

TEST_F(IpamTest, FirstAvailableHandsOutInOrderAndReusesTheLowestReleased) {
  addRange("10.0.0.10", "10.0.0.20", "10.0.0.1");
  Reply first = allocate();
  ASSERT_TRUE(first.ok()) << first.error().describe();
  Json used = first.value()["inventory"];
  EXPECT_EQ(used["ip"], "10.0.0.10");
  EXPECT_EQ(used["l3NetworkUuid"], l3_);
  EXPECT_EQ(used["gateway"], "10.0.0.1");
  EXPECT_EQ(used["netmask"], "255.255.255.0");
  EXPECT_EQ(used["ipInLong"], (10LL << 24) + 10);
  EXPECT_EQ(used["usedFor"], "Vm");
  EXPECT_EQ(used["ipVersion"], 4);
  std::vector<std::string> uuids{used["uuid"]};
  for (int i = 11; i <= 14; ++i) {
    Reply r = allocate();
    EXPECT_EQ(ipOf(r), "10.0.0." + std::to_string(i));
    uuids.push_back(r.value()["inventory"]["uuid"]);
  }
  ok(node_->send("l3.ReleaseIp", {{"usedIpUuid", uuids[2]}}));  // 10.0.0.12
  ok(node_->send("l3.ReleaseIp", {{"usedIpUuid", uuids[2]}}));  // idempotent
  EXPECT_EQ(ipOf(allocate()), "10.0.0.12");
  EXPECT_EQ(ipOf(allocate()), "10.0.0.15");
  EXPECT_EQ(usedRows(), 6);
}

TEST_F(IpamTest, RequiredIpsStrategiesAndExhaustion) {
  addRange("10.0.0.10", "10.0.0.19", "10.0.0.1");
  EXPECT_EQ(ipOf(allocate({{"requiredIp", "10.0.0.15"}})), "10.0.0.15");
  Reply taken = allocate({{"requiredIp", "10.0.0.15"}});
  ASSERT_FALSE(taken.ok());
  EXPECT_EQ(taken.error().code, ErrorCode::kConflict);
  for (const char* bad : {"10.0.0.1", "10.0.0.30", "10.0.0"}) {
    Reply r = allocate({{"requiredIp", bad}});
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument) << bad;
  }
  Reply badStrategy = allocate({{"allocatorStrategy", "Nope"}});
  ASSERT_FALSE(badStrategy.ok());
  EXPECT_EQ(badStrategy.error().code, ErrorCode::kInvalidArgument);

  std::set<std::string> random;
  for (int i = 0; i < 9; ++i) {
    Reply r = allocate({{"allocatorStrategy", "RandomIpAllocatorStrategy"}});
    ASSERT_TRUE(r.ok()) << r.error().describe();
    random.insert(ipOf(r));
  }
  EXPECT_EQ(random.size(), 9u);
  EXPECT_EQ(random.count("10.0.0.15"), 0u);
  Reply full = allocate();
  ASSERT_FALSE(full.ok());
  EXPECT_EQ(full.error().code, ErrorCode::kConflict);
  EXPECT_NE(full.error().message.find("no free IP"), std::string::npos);
}

TEST_F(IpamTest, ADisabledL3GivesNoAddressAndNoRangeIsAClearError) {
  Reply none = allocate();
  ASSERT_FALSE(none.ok());
  EXPECT_NE(none.error().message.find("no IP range"), std::string::npos);
  addRange("10.0.0.10", "10.0.0.20", "10.0.0.1");
  ok(node_->api("l3Network.ChangeL3NetworkState", {{"uuid", l3_}, {"stateEvent", "disable"}}));
  Reply disabled = allocate();
  ASSERT_FALSE(disabled.ok());
  EXPECT_EQ(disabled.error().code, ErrorCode::kConflict);
  ok(node_->api("l3Network.ChangeL3NetworkState", {{"uuid", l3_}, {"stateEvent", "enable"}}));
  EXPECT_EQ(ipOf(allocate()), "10.0.0.10");
  Reply unknown = node_->send("l3.AllocateIp", {{"l3NetworkUuid", std::string(32, 'f')}});
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.error().code, ErrorCode::kNotFound);
}

// Another management node writes the same table: what it took is skipped (the UNIQUE index
// refuses the INSERT, the next address is tried) and what it released is found again once this
// node's view says the L3 is full.
TEST_F(IpamTest, AddressesTakenOrFreedByAnotherNodeAreHandled) {
  addRange("10.0.0.10", "10.0.0.13", "10.0.0.1");
  EXPECT_EQ(ipOf(allocate()), "10.0.0.10");
  auto range = node_->db().query("SELECT uuid FROM ip_range");
  ASSERT_TRUE(range.ok());
  std::string rangeUuid = dbText(range->rows[0][0]);
  for (int i : {11, 12}) {
    auto inserted = node_->db().execute(
        "INSERT INTO used_ip (uuid, ipRangeUuid, l3NetworkUuid, ipVersion, ip, ipInLong, netmask, "
        "gateway, createDate, lastOpDate) VALUES (?, ?, ?, 4, ?, ?, '255.255.255.0', '10.0.0.1', "
        "0, 0)",
        {newUuid(), rangeUuid, l3_, "10.0.0." + std::to_string(i), (10LL << 24) + i});
    ASSERT_TRUE(inserted.ok()) << inserted.error().describe();
  }
  EXPECT_EQ(ipOf(allocate()), "10.0.0.13");
  ASSERT_TRUE(node_->db().execute("DELETE FROM used_ip WHERE ip = '10.0.0.11'").ok());
  EXPECT_EQ(ipOf(allocate()), "10.0.0.11");
  EXPECT_FALSE(allocate().ok());
}

TEST_F(IpamTest, ConcurrentAllocationsNeverShareAnAddress) {
  ok(node_->api("l3Network.AddIpRangeByNetworkCidr.Serialized",
                {{"l3NetworkUuid", l3_}, {"name", "cidr"}, {"networkCidr", "10.8.0.0/22"}}));
  constexpr int kThreads = 8, kEach = 120;
  std::vector<std::future<std::vector<std::string>>> workers;
  for (int t = 0; t < kThreads; ++t) {
    workers.push_back(std::async(std::launch::async, [this, t] {
      std::vector<std::string> ips;
      Json strategy = t % 2 ? "RandomIpAllocatorStrategy" : "FirstAvailableIpAllocatorStrategy";
      for (int i = 0; i < kEach; ++i)
        ips.push_back(ipOf(allocate({{"allocatorStrategy", strategy}})));
      return ips;
    }));
  }
  std::set<std::string> all;
  for (auto& w : workers) {
    for (const auto& ip : w.get()) EXPECT_TRUE(all.insert(ip).second) << "handed out twice: " << ip;
  }
  EXPECT_EQ(all.size(), static_cast<std::size_t>(kThreads * kEach));
  EXPECT_EQ(usedRows(), kThreads * kEach);
}

// The same SQL (views, unique indexes, INSERT IGNORE ... SELECT, the batched multi-row
// statements) on a real mariadbd, started once and stopped by its PID.
class IpamMariaDbTest : public IpamTest {
 protected:
  std::string databaseUrl() override {
    static std::unique_ptr<test::MariaDbServer> server =
        test::MariaDbServer::start("strato_network");
    return server->url();
  }
};

TEST_F(IpamMariaDbTest, AllocateReleaseAndConcurrencyOnMariaDb) {
  ok(node_->api("l3Network.AddIpRangeByNetworkCidr.Serialized",
                {{"l3NetworkUuid", l3_}, {"name", "cidr"}, {"networkCidr", "10.9.0.0/24"}}));
  Reply first = allocate();
  ASSERT_TRUE(first.ok()) << first.error().describe();
  EXPECT_EQ(ipOf(first), "10.9.0.2");
  EXPECT_EQ(ipOf(allocate({{"requiredIp", "10.9.0.100"}})), "10.9.0.100");
  EXPECT_FALSE(allocate({{"requiredIp", "10.9.0.100"}}).ok());
  ok(node_->send("l3.ReleaseIp", {{"usedIpUuid", first.value()["inventory"]["uuid"]}}));
  EXPECT_EQ(ipOf(allocate()), "10.9.0.2");
  std::vector<std::future<std::set<std::string>>> workers;
  for (int t = 0; t < 4; ++t) {
    workers.push_back(std::async(std::launch::async, [this] {
      std::set<std::string> ips;
      for (int i = 0; i < 40; ++i) ips.insert(ipOf(allocate()));
      return ips;
    }));
  }
  std::set<std::string> all{"10.9.0.2", "10.9.0.100"};
  for (auto& w : workers) {
    for (const auto& ip : w.get()) EXPECT_TRUE(all.insert(ip).second) << ip;
  }
  EXPECT_EQ(usedRows(), 162);
  Json capacity = ok(node_->api("l3Network.GetIpAddressCapacity", {{"l3NetworkUuids", {l3_}}}));
  EXPECT_EQ(capacity["totalCapacity"], 253);
  EXPECT_EQ(capacity["usedIpAddressNumber"], 162);
}

}  // namespace
}  // namespace strato::kernel
