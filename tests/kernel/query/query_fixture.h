// A small ZStack-like world for query engine tests, on SQLite and on MariaDB:
//
//   zone-1 <- cluster-1 <- host-1 <- vm-1 "web1" (nic-1 192.168.0.1 on l3-a)
//                                  <- vm-2 "web2" (nic-2 192.168.0.2 on l3-a)
//   zone-2 <- cluster-2 <- host-2 <- vm-3 "db_1" (nic-3 10.1.0.3 on l3-b, nic-4 192.168.0.4 on
//   l3-a)
//                                  <- vm-5 "Web3" (nic-5 no ip, on l3-b)
//            (no host)            <- vm-4 "DB-2"
//   l3-a "public" in zone-1, l3-b "private" in zone-2
//   system tags: vm-1 ha::NeverStop; vm-3 ha::OnHostFailure, console::vnc; host-1 capability::live
//   user tags: vm-2 web; vm-5 Web
#pragma once

#include <gtest/gtest.h>

#include <cstdlib>
#include <ctime>
#include <string>
#include <utility>
#include <vector>

#include "../db/db_backends.h"
#include "db/migrator.h"
#include "query/inventory_catalog.h"
#include "query/query_engine.h"
#include "query/query_request.h"
#include "schema/kernel_schema.h"

namespace strato::kernel::test_db {

using Params = std::vector<std::pair<std::string, std::string>>;

// 2017-11-14 22:20:57 UTC, Gson form "Nov 14, 2017 10:20:57 PM" in UTC.
inline constexpr std::int64_t kT0 = 1510698057000;

inline std::vector<InventorySchema> fixtureSchemas() {
  using F = FieldType;
  auto field = [](std::string name, F type = F::kString, std::string column = {}) {
    return InventoryField{std::move(name), type, std::move(column)};
  };
  return {
      {"Zone",
       "zone",
       "org.zstack.header.zone.ZoneInventory",
       {field("uuid"), field("name"), field("description"), field("state"),
        field("createDate", F::kDate)},
       {{"clusters", "Cluster", "uuid", "zoneUuid"},
        {"l3Networks", "L3Network", "uuid", "zoneUuid"}}},
      {"Cluster",
       "cluster",
       "org.zstack.header.cluster.ClusterInventory",
       {field("uuid"), field("name"), field("zoneUuid"), field("hypervisorType")},
       {{"zone", "Zone", "zoneUuid", "uuid"}, {"hosts", "Host", "uuid", "clusterUuid"}}},
      {"Host",
       "host",
       "org.zstack.header.host.HostInventory",
       {field("uuid"), field("name"), field("clusterUuid"), field("managementIp")},
       {{"cluster", "Cluster", "clusterUuid", "uuid"},
        {"vmInstances", "VmInstance", "uuid", "hostUuid"}}},
      {"VmInstance",
       "vm_instance",
       "org.zstack.header.vm.VmInstanceInventory",
       {field("uuid"), field("name"), field("hostUuid"), field("state"), field("type"),
        field("cpuNum", F::kInteger), field("memorySize", F::kInteger),
        field("cpuRatio", F::kFloat), field("haEnabled", F::kBoolean, "ha"),
        field("createDate", F::kDate), field("metaData", F::kJson)},
       {{"host", "Host", "hostUuid", "uuid"}, {"vmNics", "VmNic", "uuid", "vmInstanceUuid"}}},
      // deviceId lives in a column named like a SQL keyword: identifiers must be quoted.
      {"VmNic",
       "vm_nic",
       "org.zstack.header.vm.VmNicInventory",
       {field("uuid"), field("vmInstanceUuid"), field("l3NetworkUuid"), field("ip"),
        field("deviceId", F::kInteger, "index")},
       {{"vmInstance", "VmInstance", "vmInstanceUuid", "uuid"},
        {"l3Network", "L3Network", "l3NetworkUuid", "uuid"}}},
      // No className: replies carry no "schema".
      {"L3Network",
       "l3_network",
       "",
       {field("uuid"), field("name"), field("zoneUuid")},
       {{"zone", "Zone", "zoneUuid", "uuid"}, {"vmNics", "VmNic", "uuid", "l3NetworkUuid"}}},
  };
}

inline std::vector<std::string> fixtureStatements() {
  return {
      "CREATE TABLE zone (uuid VARCHAR(32) PRIMARY KEY, name VARCHAR(255), description "
      "VARCHAR(2048), state VARCHAR(32), createDate BIGINT)",
      "CREATE TABLE cluster (uuid VARCHAR(32) PRIMARY KEY, name VARCHAR(255), zoneUuid "
      "VARCHAR(32), hypervisorType VARCHAR(32))",
      "CREATE INDEX cluster_zone ON cluster (zoneUuid)",
      "CREATE TABLE host (uuid VARCHAR(32) PRIMARY KEY, name VARCHAR(255), clusterUuid "
      "VARCHAR(32), managementIp VARCHAR(64))",
      "CREATE INDEX host_cluster ON host (clusterUuid)",
      "CREATE TABLE vm_instance (uuid VARCHAR(32) PRIMARY KEY, name VARCHAR(255), hostUuid "
      "VARCHAR(32), state VARCHAR(32), type VARCHAR(32), cpuNum INTEGER, memorySize BIGINT, "
      "cpuRatio DOUBLE PRECISION, ha INTEGER, createDate BIGINT, metaData TEXT)",
      "CREATE INDEX vm_instance_host ON vm_instance (hostUuid)",
      "CREATE TABLE vm_nic (uuid VARCHAR(32) PRIMARY KEY, vmInstanceUuid VARCHAR(32), "
      "l3NetworkUuid VARCHAR(32), ip VARCHAR(64), `index` INTEGER)",
      "CREATE INDEX vm_nic_vm ON vm_nic (vmInstanceUuid)",
      "CREATE INDEX vm_nic_l3 ON vm_nic (l3NetworkUuid)",
      "CREATE TABLE l3_network (uuid VARCHAR(32) PRIMARY KEY, name VARCHAR(255), zoneUuid "
      "VARCHAR(32))",
      "INSERT INTO zone VALUES ('zone-1', 'zone-1', NULL, 'Enabled', 1510698057000)",
      "INSERT INTO zone VALUES ('zone-2', 'zone-2', 'second', 'Disabled', 1510698058000)",
      "INSERT INTO cluster VALUES ('cluster-1', 'cluster-1', 'zone-1', 'KVM')",
      "INSERT INTO cluster VALUES ('cluster-2', 'cluster-2', 'zone-2', 'KVM')",
      "INSERT INTO host VALUES ('host-1', 'host-1', 'cluster-1', '10.0.0.1')",
      "INSERT INTO host VALUES ('host-2', 'host-2', 'cluster-2', '10.0.0.2')",
      "INSERT INTO l3_network VALUES ('l3-a', 'public', 'zone-1')",
      "INSERT INTO l3_network VALUES ('l3-b', 'private', 'zone-2')",
      "INSERT INTO vm_instance VALUES ('vm-1', 'web1', 'host-1', 'Running', 'UserVm', 1, 1024, "
      "0.5, 1, 1510698057000, '{\"os\":\"linux\"}')",
      "INSERT INTO vm_instance VALUES ('vm-2', 'web2', 'host-1', 'Stopped', 'UserVm', 2, 2048, "
      "1.0, 0, 1510698117000, NULL)",
      "INSERT INTO vm_instance VALUES ('vm-3', 'db_1', 'host-2', 'Running', 'UserVm', 4, 4096, "
      "1.5, 1, 1510698177000, '[1,2]')",
      "INSERT INTO vm_instance VALUES ('vm-4', 'DB-2', NULL, 'Stopped', 'ApplianceVm', 8, 8192, "
      "NULL, NULL, 1510698237000, NULL)",
      "INSERT INTO vm_instance VALUES ('vm-5', 'Web3', 'host-2', 'Running', 'UserVm', 2, 2048, "
      "2.0, 0, 1510698297000, NULL)",
      "INSERT INTO vm_nic VALUES ('nic-1', 'vm-1', 'l3-a', '192.168.0.1', 0)",
      "INSERT INTO vm_nic VALUES ('nic-2', 'vm-2', 'l3-a', '192.168.0.2', 0)",
      "INSERT INTO vm_nic VALUES ('nic-3', 'vm-3', 'l3-b', '10.1.0.3', 0)",
      "INSERT INTO vm_nic VALUES ('nic-4', 'vm-3', 'l3-a', '192.168.0.4', 1)",
      "INSERT INTO vm_nic VALUES ('nic-5', 'vm-5', 'l3-b', NULL, 0)",
  };
}

class QueryFixture : public DatabaseTest {
 protected:
  void SetUp() override {
    // Dates render in local time; pin the zone so expectations are exact.
    if (const char* tz = std::getenv("TZ")) savedTz_ = tz;
    setenv("TZ", "UTC", 1);
    tzset();
    DatabaseTest::SetUp();
    ASSERT_NE(db_, nullptr);
    auto migrated = applyMigrations(*db_, "kernel", kernelMigrations());
    ASSERT_TRUE(migrated.ok()) << migrated.error().describe();
    for (const auto& sql : fixtureStatements()) {
      auto done = db_->execute(sql, {});
      ASSERT_TRUE(done.ok()) << sql << ": " << done.error().describe();
    }
    addTag("system_tag", "t1", "vm-1", "VmInstanceVO", "ha::NeverStop");
    addTag("system_tag", "t2", "vm-3", "VmInstanceVO", "ha::OnHostFailure");
    addTag("system_tag", "t3", "vm-3", "VmInstanceVO", "console::vnc");
    addTag("system_tag", "t4", "host-1", "HostVO", "capability::live");
    addTag("user_tag", "u1", "vm-2", "VmInstanceVO", "web");
    addTag("user_tag", "u2", "vm-5", "VmInstanceVO", "Web");
    ASSERT_TRUE(catalog_.addAll(fixtureSchemas(), "test").ok());
    ASSERT_TRUE(catalog_.checkRelations().ok());
  }

  void TearDown() override {
    if (savedTz_.empty()) {
      unsetenv("TZ");
    } else {
      setenv("TZ", savedTz_.c_str(), 1);
    }
    tzset();
  }

  void addTag(const std::string& table, const std::string& uuid, const std::string& resource,
              const std::string& type, const std::string& tag) {
    auto done = db_->execute("INSERT INTO " + table +
                                 " (uuid, resourceUuid, resourceType, tag, createDate, lastOpDate)"
                                 " VALUES (?, ?, ?, ?, 0, 0)",
                             {uuid, resource, type, tag});
    ASSERT_TRUE(done.ok()) << done.error().describe();
  }

  Result<Json> query(const std::string& inventory, const Params& params,
                     const std::string& uuid = {}) {
    auto request = parseQueryRequest(params);
    if (!request) return request.error();
    request->uuid = uuid;
    QueryEngine engine(*db_, catalog_);
    auto reply = engine.run(inventory, *request);
    // The REST front end's text is the same reply, written without a Json tree.
    auto text = engine.runText(inventory, *request);
    EXPECT_EQ(text.ok(), reply.ok());
    if (reply && text) EXPECT_EQ(Json::parse(*text), *reply) << *text;
    return reply;
  }

  // The uuids of the inventories, in reply order; {"<error>"} when the query failed.
  std::vector<std::string> uuids(const std::string& inventory, const Params& params) {
    auto reply = query(inventory, params);
    EXPECT_TRUE(reply.ok()) << (reply.ok() ? "" : reply.error().describe());
    if (!reply) return {"<error>"};
    std::vector<std::string> out;
    for (const auto& item : reply->at("inventories"))
      out.push_back(item.at("uuid").get<std::string>());
    return out;
  }

  std::vector<std::string> vms(const std::string& condition) {
    return uuids("VmInstance", {{"q", condition}});
  }

  // The error of a query that must fail.
  Error failure(const std::string& inventory, const Params& params) {
    auto reply = query(inventory, params);
    EXPECT_FALSE(reply.ok()) << reply->dump();
    return reply.ok() ? Error{} : reply.error();
  }

  std::int64_t rowCount(const std::string& table) {
    auto rows = db_->query("SELECT COUNT(*) FROM " + table, {});
    EXPECT_TRUE(rows.ok());
    return rows.ok() ? std::get<std::int64_t>(rows->rows.at(0).at(0)) : -1;
  }

  InventoryCatalog catalog_;
  std::string savedTz_;
};

using Uuids = std::vector<std::string>;

}  // namespace strato::kernel::test_db
