// The query engine's replies against real databases: rendering, fields, sort, paging, count,
// groupBy, uuid lookups and the SDK's schema map. Conditions: query_conditions_test.cc.
#include "query_fixture.h"

namespace strato::kernel::test_db {
namespace {

class QueryEngineReplies : public QueryFixture {
 protected:
  Json ok(const std::string& inventory, const Params& params, const std::string& uuid = {}) {
    auto reply = query(inventory, params, uuid);
    EXPECT_TRUE(reply.ok()) << reply.error().describe();
    return reply.ok() ? *reply : Json();
  }
};

TEST_P(QueryEngineReplies, RendersEveryFieldByType) {
  Json reply = ok("VmInstance", {}, "vm-3");
  EXPECT_EQ(reply, Json::parse(R"({
    "inventories": [{
      "uuid": "vm-3", "name": "db_1", "hostUuid": "host-2", "state": "Running",
      "type": "UserVm", "cpuNum": 4, "memorySize": 4096, "cpuRatio": 1.5, "haEnabled": true,
      "createDate": "Nov 14, 2017 10:22:57 PM", "metaData": [1, 2]}],
    "schema": {"inventories[0]": "org.zstack.header.vm.VmInstanceInventory"}})"));
  EXPECT_EQ(ok("VmInstance", {}, "vm-1")["inventories"][0]["metaData"],
            Json::parse(R"({"os":"linux"})"));
  EXPECT_EQ(ok("VmInstance", {}, "vm-2")["inventories"][0]["haEnabled"], Json(false));
}

TEST_P(QueryEngineReplies, NullColumnsAreLeftOut) {
  Json reply = ok("VmInstance", {}, "vm-4");
  EXPECT_EQ(reply["inventories"], Json::parse(R"([{
      "uuid": "vm-4", "name": "DB-2", "state": "Stopped", "type": "ApplianceVm", "cpuNum": 8,
      "memorySize": 8192, "createDate": "Nov 14, 2017 10:23:57 PM"}])"));
}

TEST_P(QueryEngineReplies, UuidLookup) {
  EXPECT_EQ(ok("Zone", {}, "zone-2")["inventories"], Json::parse(R"([{"uuid": "zone-2",
      "name": "zone-2", "description": "second", "state": "Disabled",
      "createDate": "Nov 14, 2017 10:20:58 PM"}])"));
  // Combined with conditions, and for nothing.
  EXPECT_EQ(ok("Zone", {{"q", "state=Enabled"}}, "zone-2")["inventories"], Json::array());
  EXPECT_EQ(ok("Zone", {}, "nope"), Json::parse(R"({"inventories": []})"));
  EXPECT_EQ(ok("Zone", {}, "x' OR '1'='1"), Json::parse(R"({"inventories": []})"));
}

TEST_P(QueryEngineReplies, SchemaMapOnlyWithAClassName) {
  Json vms = ok("VmInstance", {{"q", "state=Running"}});
  EXPECT_EQ(vms["schema"], Json::parse(R"({
      "inventories[0]": "org.zstack.header.vm.VmInstanceInventory",
      "inventories[1]": "org.zstack.header.vm.VmInstanceInventory",
      "inventories[2]": "org.zstack.header.vm.VmInstanceInventory"})"));
  Json l3 = ok("L3Network", {});
  EXPECT_FALSE(l3.contains("schema"));
  EXPECT_EQ(l3["inventories"], Json::parse(R"([
      {"uuid": "l3-a", "name": "public", "zoneUuid": "zone-1"},
      {"uuid": "l3-b", "name": "private", "zoneUuid": "zone-2"}])"));
}

TEST_P(QueryEngineReplies, FieldsSelectNativeFieldsOnly) {
  EXPECT_EQ(ok("VmInstance", {{"q", "name=web1"}, {"fields", "uuid,name"}, {"fields", "name"}}),
            Json::parse(R"({"inventories": [{"uuid": "vm-1", "name": "web1"}],
                "schema": {"inventories[0]": "org.zstack.header.vm.VmInstanceInventory"}})"));
  EXPECT_EQ(ok("VmNic", {{"q", "uuid=nic-4"}, {"fields", "deviceId"}})["inventories"],
            Json::parse(R"([{"deviceId": 1}])"));
  for (const char* bad : {"host.name", "__systemTag__", "bogus", "vmNics"}) {
    Error e = failure("VmInstance", {{"fields", std::string("uuid,") + bad}});
    EXPECT_EQ(e.code, ErrorCode::kInvalidArgument) << bad;
    EXPECT_NE(e.message.find("'fields'"), std::string::npos) << e.message;
    EXPECT_NE(e.message.find(bad), std::string::npos) << e.message;
  }
}

TEST_P(QueryEngineReplies, SortAscendingDescendingAndTies) {
  EXPECT_EQ(uuids("VmInstance", {{"sort", "+name"}}),
            (Uuids{"vm-4", "vm-5", "vm-3", "vm-1", "vm-2"}));
  EXPECT_EQ(uuids("VmInstance", {{"sort", "-name"}}),
            (Uuids{"vm-2", "vm-1", "vm-3", "vm-5", "vm-4"}));
  // Ties (cpuNum 2) break by uuid ascending in both directions.
  EXPECT_EQ(uuids("VmInstance", {{"sort", "-cpuNum"}}),
            (Uuids{"vm-4", "vm-3", "vm-2", "vm-5", "vm-1"}));
  EXPECT_EQ(uuids("VmInstance", {{"sort", "+cpuNum"}}),
            (Uuids{"vm-1", "vm-2", "vm-5", "vm-3", "vm-4"}));
  EXPECT_EQ(uuids("VmInstance", {{"sortBy", "createDate"}, {"sortDirection", "desc"}}),
            (Uuids{"vm-5", "vm-4", "vm-3", "vm-2", "vm-1"}));
  EXPECT_EQ(uuids("VmNic", {{"sort", "-deviceId"}}),
            (Uuids{"nic-4", "nic-1", "nic-2", "nic-3", "nic-5"}));
  for (const char* bad : {"+bogus", "+host.name", "-__userTag__"}) {
    EXPECT_EQ(failure("VmInstance", {{"sort", bad}}).code, ErrorCode::kInvalidArgument) << bad;
  }
}

TEST_P(QueryEngineReplies, LimitAndStartPage) {
  EXPECT_EQ(uuids("VmInstance", {{"limit", "2"}}), (Uuids{"vm-1", "vm-2"}));
  EXPECT_EQ(uuids("VmInstance", {{"limit", "2"}, {"start", "2"}}), (Uuids{"vm-3", "vm-4"}));
  EXPECT_EQ(uuids("VmInstance", {{"limit", "2"}, {"start", "4"}}), (Uuids{"vm-5"}));
  EXPECT_EQ(uuids("VmInstance", {{"start", "10"}}), Uuids{});
  EXPECT_EQ(uuids("VmInstance", {{"limit", "0"}}), Uuids{});
  EXPECT_EQ(uuids("VmInstance", {{"sort", "-name"}, {"limit", "2"}, {"start", "1"}}),
            (Uuids{"vm-1", "vm-3"}));
}

TEST_P(QueryEngineReplies, CountAndReplyWithCount) {
  EXPECT_EQ(ok("VmInstance", {{"q", "state=Running"}, {"count", "true"}}),
            Json::parse(R"({"total": 3})"));
  EXPECT_EQ(ok("VmInstance", {{"q", "vmNics.l3Network.zone.name=zone-9"}, {"count", "true"}}),
            Json::parse(R"({"total": 0})"));
  Json page = ok("VmInstance",
                 {{"replyWithCount", "true"}, {"limit", "1"}, {"start", "1"}, {"fields", "uuid"}});
  EXPECT_EQ(page, Json::parse(R"({"total": 5, "inventories": [{"uuid": "vm-2"}],
      "schema": {"inventories[0]": "org.zstack.header.vm.VmInstanceInventory"}})"));
  EXPECT_FALSE(ok("VmInstance", {})["inventories"].empty());
  EXPECT_FALSE(ok("VmInstance", {}).contains("total"));
}

TEST_P(QueryEngineReplies, GroupBy) {
  EXPECT_EQ(ok("VmInstance", {{"groupBy", "state"}}), Json::parse(R"({"inventories": [
      {"state": "Running", "count": 3}, {"state": "Stopped", "count": 2}]})"));
  EXPECT_EQ(ok("VmInstance", {{"groupBy", "state"}, {"sort", "-state"}})["inventories"],
            Json::parse(R"([{"state": "Stopped", "count": 2}, {"state": "Running", "count": 3}])"));
  // NULL is a group of its own, first, without the key.
  EXPECT_EQ(ok("VmInstance", {{"groupBy", "hostUuid"}})["inventories"], Json::parse(R"([
      {"count": 1}, {"hostUuid": "host-1", "count": 2}, {"hostUuid": "host-2", "count": 2}])"));
  // Case-sensitive groups, typed values, conditions, paging and counts of groups.
  EXPECT_EQ(ok("VmInstance", {{"groupBy", "haEnabled"}, {"q", "haEnabled!=null"}})["inventories"],
            Json::parse(R"([{"haEnabled": false, "count": 2}, {"haEnabled": true, "count": 2}])"));
  EXPECT_EQ(ok("VmInstance",
               {{"groupBy", "cpuNum"}, {"limit", "2"}, {"start", "1"}, {"replyWithCount", "true"}}),
            Json::parse(R"({"total": 4, "inventories": [{"cpuNum": 2, "count": 2},
                {"cpuNum": 4, "count": 1}]})"));
  EXPECT_EQ(ok("VmInstance", {{"groupBy", "state"}, {"count", "true"}}),
            Json::parse(R"({"total": 2})"));
  EXPECT_EQ(failure("VmInstance", {{"groupBy", "bogus"}}).code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(failure("VmInstance", {{"groupBy", "host.name"}}).code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(failure("VmInstance", {{"groupBy", "state"}, {"fields", "uuid"}}).code,
            ErrorCode::kInvalidArgument);
  EXPECT_EQ(failure("VmInstance", {{"groupBy", "state"}, {"sort", "+name"}}).code,
            ErrorCode::kInvalidArgument);
}

TEST_P(QueryEngineReplies, GroupByTextIsCaseSensitive) {
  ASSERT_TRUE(
      db_->execute("UPDATE vm_instance SET state = 'running' WHERE uuid = 'vm-5'", {}).ok());
  EXPECT_EQ(ok("VmInstance", {{"groupBy", "state"}})["inventories"], Json::parse(R"([
      {"state": "Running", "count": 2}, {"state": "Stopped", "count": 2},
      {"state": "running", "count": 1}])"));
}

STRATO_INSTANTIATE_DB_TESTS(QueryEngineReplies);

}  // namespace
}  // namespace strato::kernel::test_db
