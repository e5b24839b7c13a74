// Affinity groups (3.4) over HTTP: the group's own APIs, and the allocator keeping the members of
// an antiHard group on distinct hosts, also when they are created all at once.
#include <set>

#include "integration/vm_fixture.h"

namespace strato::test {
namespace {

class VmAffinityTest : public VmTest {
 protected:
  Json group(const std::string& policy) {
    return created(post("affinity-groups", {{"name", "spread"}, {"policy", policy}}));
  }
  Json groupOf(const std::string& uuid) { return query("/zstack/v1/affinity-groups?q=uuid=" + uuid)[0]; }
  HttpReply groupAction(const std::string& uuid, const Json& body) {
    return client().call("PUT", "/zstack/v1/affinity-groups/" + uuid + "/actions", body);
  }
  HttpReply createIn(const std::string& group, const std::string& name) {
    return createVmReply(vmParams(name), {"affinityGroupUuid::" + group});
  }
};

TEST_F(VmAffinityTest, GroupsAreCreatedUpdatedDisabledAndDeleted) {
  Json g = group("antiSoft");
  std::string uuid = g["uuid"];
  EXPECT_EQ(g["policy"], "ANTISOFT");
  EXPECT_EQ(g["type"], "HOST");
  EXPECT_EQ(g["version"], "1.0");
  EXPECT_EQ(g["state"], "Enabled");
  EXPECT_EQ(g["usages"], Json::array());
  EXPECT_EQ(codeOf(post("affinity-groups", {{"name", "x"}, {"policy", "together"}})), "SYS.1007");

  auto renamed = groupAction(uuid, {{"updateAffinityGroup", {{"name", "web"}, {"description", "d"}}}});
  ASSERT_EQ(renamed.status, 200) << renamed.body;
  EXPECT_EQ(parse(renamed)["inventory"]["name"], "web");
  auto disabled = groupAction(uuid, {{"changeAffinityGroupState", {{"stateEvent", "disable"}}}});
  ASSERT_EQ(disabled.status, 200) << disabled.body;
  EXPECT_EQ(parse(disabled)["inventory"]["state"], "Disabled");

  ASSERT_EQ(client().call("DELETE", "/zstack/v1/affinity-groups/" + uuid).status, 200);
  EXPECT_TRUE(query("/zstack/v1/affinity-groups").empty());
}

TEST_F(VmAffinityTest, AntiHardMembersCreatedAtOnceLandOnDistinctHosts) {
  buildCloud(3);
  std::string g = group("antiHard")["uuid"];
  std::vector<std::string> jobs;
  for (int i = 0; i < 3; ++i) {
    auto accepted = client().send("POST", std::string(kVms),
                                  {{"params", vmParams("m" + std::to_string(i))},
                                   {"systemTags", {"affinityGroupUuid::" + g}}});
    ASSERT_EQ(accepted.status, 202) << accepted.body;
    jobs.push_back(parse(accepted)["location"]);
  }
  std::set<std::string> hosts;
  for (const auto& job : jobs) {
    auto done = client().poll(job, std::chrono::seconds(60));
    ASSERT_EQ(done.status, 200) << done.body;
    hosts.insert(parse(done)["inventory"]["hostUuid"].get<std::string>());
  }
  EXPECT_EQ(hosts.size(), 3u);
  EXPECT_EQ(groupOf(g)["usages"].size(), 3u);

  // A fourth member has no host left; it takes nothing and does not join.
  auto refused = createIn(g, "m3");
  EXPECT_EQ(refused.status, 503) << refused.body;
  EXPECT_NE(refused.body.find("antiHard affinity group " + g), std::string::npos) << refused.body;
  EXPECT_EQ(rowsIn("vm_instance"), 3);
  EXPECT_EQ(groupOf(g)["usages"].size(), 3u);
  EXPECT_EQ(usedCpu(), 3);

  // Disabled, the group places nothing.
  ASSERT_EQ(groupAction(g, {{"changeAffinityGroupState", {{"stateEvent", "disable"}}}}).status, 200);
  EXPECT_EQ(createIn(g, "m3").status, 200);
}

TEST_F(VmAffinityTest, AntiSoftPrefersEmptyHostsAndFallsBack) {
  buildCloud(2);
  std::string g = group("antiSoft")["uuid"];
  std::set<std::string> hosts;
  for (int i = 0; i < 2; ++i) {
    auto made = createIn(g, "s" + std::to_string(i));
    ASSERT_EQ(made.status, 200) << made.body;
    hosts.insert(parse(made)["inventory"]["hostUuid"].get<std::string>());
  }
  EXPECT_EQ(hosts.size(), 2u);
  EXPECT_EQ(createIn(g, "s2").status, 200);  // no empty host left: any host
}

TEST_F(VmAffinityTest, MembershipFollowsAddRemoveAndExpunge) {
  buildCloud(2);
  std::string g = group("antiHard")["uuid"];
  Json params = vmParams("a");
  params["hostUuid"] = hosts_[0];
  std::string a = created(createVmReply(params))["uuid"];
  params["name"] = "b";
  std::string b = created(createVmReply(params))["uuid"];
  auto add = [&](const std::string& vm) {
    return client().call("POST", "/zstack/v1/affinity-groups/" + g + "/vm-instances/" + vm,
                         {{"params", Json::object()}});
  };
  auto added = add(a);
  ASSERT_EQ(added.status, 200) << added.body;
  EXPECT_EQ(parse(added)["inventory"]["usages"][0]["resourceUuid"], a);
  auto beside = add(b);  // b runs on a's host
  EXPECT_EQ(beside.status, 503) << beside.body;
  EXPECT_NE(beside.body.find("migrate it first"), std::string::npos) << beside.body;

  // Migrated away, b may join; a member's migration never lands beside another.
  vmActionOk(b, {{"migrateVm", {{"hostUuid", hosts_[1]}}}});
  ASSERT_EQ(add(b).status, 200);
  EXPECT_EQ(vmAction(b, {{"migrateVm", {{"hostUuid", hosts_[0]}}}}).status, 503);

  auto removed = client().call("DELETE", "/zstack/v1/affinity-groups/" + g + "/vm-instances?uuid=" + a);
  ASSERT_EQ(removed.status, 200) << removed.body;
  EXPECT_EQ(parse(removed)["inventory"]["usages"].size(), 1u);
  ASSERT_EQ(client().call("DELETE", std::string(kVms) + "/" + b).status, 200);  // Direct: expunged
  EXPECT_EQ(groupOf(g)["usages"], Json::array());
}

}  // namespace
}  // namespace strato::test
