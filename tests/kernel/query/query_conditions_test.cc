// Query conditions against real databases: every operator, paths across inventories, tags,
// errors, and hostile values. The world is drawn in query_fixture.h.
#include "query_fixture.h"

namespace strato::kernel::test_db {
namespace {

class QueryConditions : public QueryFixture {};

TEST_P(QueryConditions, EqualityIsExactAndCaseSensitive) {
  EXPECT_EQ(vms("name=web1"), (Uuids{"vm-1"}));
  EXPECT_EQ(vms("name=WEB1"), Uuids{});
  EXPECT_EQ(vms("name=Web3"), (Uuids{"vm-5"}));
  EXPECT_EQ(vms("state!=Running"), (Uuids{"vm-2", "vm-4"}));
  EXPECT_EQ(vms("type=ApplianceVm"), (Uuids{"vm-4"}));
}

TEST_P(QueryConditions, OrderingOperators) {
  EXPECT_EQ(vms("cpuNum>2"), (Uuids{"vm-3", "vm-4"}));
  EXPECT_EQ(vms("cpuNum>=2"), (Uuids{"vm-2", "vm-3", "vm-4", "vm-5"}));
  EXPECT_EQ(vms("cpuNum<2"), (Uuids{"vm-1"}));
  EXPECT_EQ(vms("cpuNum<=2"), (Uuids{"vm-1", "vm-2", "vm-5"}));
  EXPECT_EQ(vms("memorySize>=4096"), (Uuids{"vm-3", "vm-4"}));
  EXPECT_EQ(vms("cpuRatio>1.0"), (Uuids{"vm-3", "vm-5"}));
  EXPECT_EQ(vms("cpuRatio>=1"), (Uuids{"vm-2", "vm-3", "vm-5"}));
  // Text compares by code point on both back ends: upper case sorts before lower case.
  EXPECT_EQ(vms("name<a"), (Uuids{"vm-4", "vm-5"}));
  EXPECT_EQ(vms("name>=db_1"), (Uuids{"vm-1", "vm-2", "vm-3"}));
}

TEST_P(QueryConditions, InAndNotIn) {
  EXPECT_EQ(vms("name?=web1,db_1,nope"), (Uuids{"vm-1", "vm-3"}));
  EXPECT_EQ(vms("name?=WEB1,Web3"), (Uuids{"vm-5"}));
  EXPECT_EQ(vms("cpuNum?=1,8"), (Uuids{"vm-1", "vm-4"}));
  EXPECT_EQ(vms("name!?=web1,web2"), (Uuids{"vm-3", "vm-4", "vm-5"}));
  EXPECT_EQ(vms("cpuNum!?=2"), (Uuids{"vm-1", "vm-3", "vm-4"}));
  Error empty = failure("VmInstance", {{"q", "name?="}});
  EXPECT_EQ(empty.code, ErrorCode::kInvalidArgument);
  EXPECT_NE(empty.message.find("empty value list"), std::string::npos) << empty.message;
  EXPECT_EQ(failure("VmInstance", {{"q", "cpuNum?=1,x"}}).code, ErrorCode::kInvalidArgument);
}

TEST_P(QueryConditions, LikeWithWildcardsAndEscape) {
  // LIKE ignores ASCII case on both back ends.
  EXPECT_EQ(vms("name~=web%"), (Uuids{"vm-1", "vm-2", "vm-5"}));
  EXPECT_EQ(vms("name~=web_"), (Uuids{"vm-1", "vm-2", "vm-5"}));
  EXPECT_EQ(vms("name~=db_%"), (Uuids{"vm-3", "vm-4"}));
  EXPECT_EQ(vms("name~=db\\_%"), (Uuids{"vm-3"}));  // backslash escapes the wildcard
  EXPECT_EQ(vms("name~=%1"), (Uuids{"vm-1", "vm-3"}));
  EXPECT_EQ(vms("name!~=web%"), (Uuids{"vm-3", "vm-4"}));
  EXPECT_EQ(vms("name!~=%_%"), Uuids{});
}

TEST_P(QueryConditions, NullTests) {
  EXPECT_EQ(vms("hostUuid=null"), (Uuids{"vm-4"}));
  EXPECT_EQ(vms("hostUuid!=null"), (Uuids{"vm-1", "vm-2", "vm-3", "vm-5"}));
  EXPECT_EQ(vms("cpuRatio=null"), (Uuids{"vm-4"}));
  EXPECT_EQ(uuids("Zone", {{"q", "description=null"}}), (Uuids{"zone-1"}));
}

TEST_P(QueryConditions, ConditionsAreAnded) {
  EXPECT_EQ(uuids("VmInstance", {{"q", "state=Running"}, {"q", "cpuNum>=2"}}),
            (Uuids{"vm-3", "vm-5"}));
  EXPECT_EQ(
      uuids("VmInstance", {{"q", "state=Running"}, {"condition", "cpuNum>=2"}, {"q", "name~=w%"}}),
      (Uuids{"vm-5"}));
  EXPECT_EQ(uuids("VmInstance", {{"q", "state=Running"}, {"q", "state=Stopped"}}), Uuids{});
}

TEST_P(QueryConditions, BooleansAndDates) {
  EXPECT_EQ(vms("haEnabled=true"), (Uuids{"vm-1", "vm-3"}));
  EXPECT_EQ(vms("haEnabled=false"), (Uuids{"vm-2", "vm-5"}));
  EXPECT_EQ(vms("haEnabled!=true"), (Uuids{"vm-2", "vm-5"}));
  EXPECT_EQ(vms("createDate>=1510698117000"), (Uuids{"vm-2", "vm-3", "vm-4", "vm-5"}));
  EXPECT_EQ(vms("createDate<2017-11-14 22:22:00"), (Uuids{"vm-1", "vm-2"}));
  EXPECT_EQ(vms("createDate=Nov 14, 2017 10:20:57 PM"), (Uuids{"vm-1"}));
  Error bad = failure("VmInstance", {{"q", "haEnabled=yes"}});
  EXPECT_EQ(bad.code, ErrorCode::kInvalidArgument);
  EXPECT_NE(bad.message.find("haEnabled"), std::string::npos);
  EXPECT_EQ(failure("VmInstance", {{"q", "createDate>yesterday"}}).code,
            ErrorCode::kInvalidArgument);
}

TEST_P(QueryConditions, PathsAcrossInventories) {
  // Depth 1.
  EXPECT_EQ(vms("vmNics.ip=192.168.0.4"), (Uuids{"vm-3"}));
  EXPECT_EQ(vms("vmNics.ip~=192.168.%"), (Uuids{"vm-1", "vm-2", "vm-3"}));
  EXPECT_EQ(vms("vmNics.ip=null"), (Uuids{"vm-5"}));
  EXPECT_EQ(vms("host.managementIp=10.0.0.2"), (Uuids{"vm-3", "vm-5"}));
  // The operator applies inside: "has a NIC whose ip is not 192.168.0.1" (vm-5's NIC has none).
  EXPECT_EQ(vms("vmNics.ip!=192.168.0.1"), (Uuids{"vm-2", "vm-3"}));
  EXPECT_EQ(vms("vmNics.deviceId=1"), (Uuids{"vm-3"}));
  // Depth 2 and 3.
  EXPECT_EQ(vms("host.cluster.name=cluster-2"), (Uuids{"vm-3", "vm-5"}));
  EXPECT_EQ(vms("vmNics.l3Network.name=public"), (Uuids{"vm-1", "vm-2", "vm-3"}));
  EXPECT_EQ(vms("vmNics.l3Network.zone.name=zone-2"), (Uuids{"vm-3", "vm-5"}));
  EXPECT_EQ(vms("host.cluster.zone.state?=Enabled,Gone"), (Uuids{"vm-1", "vm-2"}));
  // Downwards, with the same table twice in one statement.
  EXPECT_EQ(uuids("Zone", {{"q", "clusters.hosts.vmInstances.name=web1"}}), (Uuids{"zone-1"}));
  EXPECT_EQ(uuids("L3Network", {{"q", "vmNics.vmInstance.vmNics.ip=10.1.0.3"}}),
            (Uuids{"l3-a", "l3-b"}));
  // Combined with a native condition.
  EXPECT_EQ(uuids("VmInstance", {{"q", "vmNics.l3Network.name=public"}, {"q", "cpuNum>1"}}),
            (Uuids{"vm-2", "vm-3"}));
}

TEST_P(QueryConditions, Tags) {
  EXPECT_EQ(vms("__systemTag__=ha::NeverStop"), (Uuids{"vm-1"}));
  EXPECT_EQ(vms("__systemTag__~=ha::%"), (Uuids{"vm-1", "vm-3"}));
  EXPECT_EQ(vms("__systemTag__?=console::vnc,nope"), (Uuids{"vm-3"}));
  // Negations: no such tag, even when the resource has other tags.
  EXPECT_EQ(vms("__systemTag__!=ha::NeverStop"), (Uuids{"vm-2", "vm-3", "vm-4", "vm-5"}));
  EXPECT_EQ(vms("__systemTag__!~=ha::%"), (Uuids{"vm-2", "vm-4", "vm-5"}));
  EXPECT_EQ(vms("__systemTag__!?=ha::NeverStop,console::vnc"), (Uuids{"vm-2", "vm-4", "vm-5"}));
  EXPECT_EQ(vms("__systemTag__!=null"), (Uuids{"vm-1", "vm-3"}));
  EXPECT_EQ(vms("__systemTag__=null"), (Uuids{"vm-2", "vm-4", "vm-5"}));
  EXPECT_EQ(vms("__userTag__=web"), (Uuids{"vm-2"}));
  EXPECT_EQ(vms("__userTag__~=web"), (Uuids{"vm-2", "vm-5"}));
  // On the last inventory of a path.
  EXPECT_EQ(vms("host.__systemTag__=capability::live"), (Uuids{"vm-1", "vm-2"}));
  EXPECT_EQ(uuids("Zone", {{"q", "clusters.hosts.__systemTag__=capability::live"}}),
            (Uuids{"zone-1"}));
}

TEST_P(QueryConditions, UnknownNamesListTheValidOnes) {
  Error unknown = failure("VmInstance", {{"q", "bogus=1"}});
  EXPECT_EQ(unknown.code, ErrorCode::kInvalidArgument);
  EXPECT_NE(unknown.message.find("'bogus'"), std::string::npos) << unknown.message;
  EXPECT_NE(unknown.details.find("cpuNum"), std::string::npos) << unknown.details;
  EXPECT_NE(unknown.details.find("vmNics"), std::string::npos) << unknown.details;
  EXPECT_NE(unknown.details.find("__systemTag__"), std::string::npos) << unknown.details;

  Error deep = failure("VmInstance", {{"q", "vmNics.bogus.name=x"}});
  EXPECT_NE(deep.message.find("'bogus'"), std::string::npos) << deep.message;
  EXPECT_NE(deep.message.find("vmNics.bogus.name"), std::string::npos) << deep.message;
  EXPECT_NE(deep.message.find("'VmNic'"), std::string::npos) << deep.message;
  EXPECT_NE(deep.details.find("l3Network"), std::string::npos) << deep.details;

  Error relation = failure("VmInstance", {{"q", "host=x"}});
  EXPECT_NE(relation.message.find("relation"), std::string::npos) << relation.message;
  EXPECT_EQ(failure("VmInstance", {{"q", "name.x=1"}}).code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(failure("Nope", {}).code, ErrorCode::kNotFound);
}

TEST_P(QueryConditions, BadOperatorsAndNumbers) {
  Error op = failure("VmInstance", {{"q", "name^=x"}});
  EXPECT_EQ(op.code, ErrorCode::kInvalidArgument);
  EXPECT_NE(op.message.find("'name^=x'"), std::string::npos) << op.message;
  Error number = failure("VmInstance", {{"q", "cpuNum>abc"}});
  EXPECT_EQ(number.code, ErrorCode::kInvalidArgument);
  EXPECT_NE(number.message.find("cpuNum"), std::string::npos) << number.message;
  EXPECT_NE(number.message.find("'abc'"), std::string::npos) << number.message;
  EXPECT_EQ(failure("VmInstance", {{"q", "cpuRatio<1.x"}}).code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(failure("VmInstance", {{"q", "vmNics.deviceId=one"}}).code,
            ErrorCode::kInvalidArgument);
}

TEST_P(QueryConditions, HostileValuesAreOnlyValues) {
  for (const std::string value : {"x' OR '1'='1", "x; DROP TABLE zone", "x'); DROP TABLE zone; --",
                                  "\" OR \"\"=\"", "x\\' OR 1=1 #"}) {
    EXPECT_EQ(uuids("Zone", {{"q", "name=" + value}}), Uuids{}) << value;
    EXPECT_EQ(vms("name?=" + value + ",y"), Uuids{}) << value;
    EXPECT_EQ(vms("name~=" + value), Uuids{}) << value;
    EXPECT_EQ(vms("vmNics.l3Network.zone.name=" + value), Uuids{}) << value;
    EXPECT_EQ(vms("__systemTag__=" + value), Uuids{}) << value;
  }
  EXPECT_EQ(uuids("Zone", {{"q", "name~=%' OR 1=1 --"}}), Uuids{});
  EXPECT_EQ(rowCount("zone"), 2);
  EXPECT_EQ(rowCount("vm_instance"), 5);
  // Stored hostile text is found exactly, like any other.
  const std::string hostile = "x'; DROP TABLE zone; --";
  ASSERT_TRUE(db_->execute("UPDATE zone SET name = ? WHERE uuid = 'zone-2'", {hostile}).ok());
  EXPECT_EQ(uuids("Zone", {{"q", "name=" + hostile}}), (Uuids{"zone-2"}));
  EXPECT_EQ(rowCount("zone"), 2);
}

TEST_P(QueryConditions, PathDepthIsBounded) {
  std::string path;
  for (int i = 0; i < 5; ++i) path += "vmNics.vmInstance.";
  Error tooDeep = failure("VmInstance", {{"q", path + "name=web1"}});
  EXPECT_EQ(tooDeep.code, ErrorCode::kInvalidArgument);
  EXPECT_NE(tooDeep.message.find("more than"), std::string::npos) << tooDeep.message;
  EXPECT_EQ(vms("vmNics.vmInstance.vmNics.vmInstance.name=web1"), (Uuids{"vm-1"}));
}

STRATO_INSTANTIATE_DB_TESTS(QueryConditions);

}  // namespace
}  // namespace strato::kernel::test_db
