// The kernel's own APIs (global configs, management nodes, tags, task progress, long jobs, GC
// jobs), queries over HTTP, and every route of the ZStack catalog being served.
#include <fstream>
#include <regex>
#include <sstream>

#include "integration/rest_fixture.h"

namespace strato::test {
namespace {

using RestSystemTest = RestTest;

TEST_F(RestSystemTest, GlobalConfigsAreQueriedAndValidatedOnUpdate) {
  auto all = client().send(
      "GET", "/zstack/v1/global-configurations?q=category=identity&q=name=session.timeout");
  ASSERT_EQ(all.status, 200) << all.body;
  ASSERT_EQ(parse(all)["inventories"].size(), 1u) << all.body;
  EXPECT_EQ(parse(all)["inventories"][0]["defaultValue"], "7200");

  std::string path = "/zstack/v1/global-configurations/identity/session.timeout/actions";
  auto updated = client().call("PUT", path, {{"updateGlobalConfig", {{"value", "3600"}}}});
  ASSERT_EQ(updated.status, 200) << updated.body;
  EXPECT_EQ(parse(updated)["inventory"]["value"], "3600");
  auto bad = client().call("PUT", path, {{"updateGlobalConfig", {{"value", "soon"}}}});
  EXPECT_EQ(bad.status, 503) << bad.body;
  EXPECT_EQ(parse(bad)["error"]["code"], "SYS.1007");
  auto unknown = client().call("PUT", "/zstack/v1/global-configurations/no/such/actions",
                               {{"updateGlobalConfig", {{"value", "1"}}}});
  EXPECT_EQ(unknown.status, 503) << unknown.body;

  restartServer();
  auto kept =
      client().send("GET", "/zstack/v1/global-configurations?q=name=session.timeout&fields=value");
  EXPECT_EQ(parse(kept)["inventories"], Json::parse(R"([{"value":"3600"}])")) << kept.body;
}

TEST_F(RestSystemTest, ManagementNodeIsRegisteredAndReady) {
  auto nodes = client().send("GET", "/zstack/v1/management-nodes");
  ASSERT_EQ(nodes.status, 200) << nodes.body;
  ASSERT_EQ(parse(nodes)["inventories"].size(), 1u);
  Json node = parse(nodes)["inventories"][0];
  auto ready = client().send("GET", "/zstack/v1/management-nodes/ready");
  ASSERT_EQ(ready.status, 200) << ready.body;
  EXPECT_EQ(parse(ready)["managementNodeId"], node["uuid"]);
}

TEST_F(RestSystemTest, TagsAttachToResourcesAndFilterQueries) {
  Json tagged = createZone("tagged", {{"systemTags", {"capacity::high"}}, {"userTags", {"web"}}});
  Json plain = createZone("plain");
  auto byUserTag = client().send("GET", "/zstack/v1/zones?q=__userTag__=web");
  ASSERT_EQ(byUserTag.status, 200) << byUserTag.body;
  ASSERT_EQ(parse(byUserTag)["inventories"].size(), 1u);
  EXPECT_EQ(parse(byUserTag)["inventories"][0]["uuid"], tagged["uuid"]);
  auto bySystemTag = client().send("GET", "/zstack/v1/zones?q=__systemTag__~=capacity::%25");
  EXPECT_EQ(parse(bySystemTag)["inventories"].size(), 1u) << bySystemTag.body;

  auto created = client().call(
      "POST", "/zstack/v1/user-tags",
      {{"params", {{"resourceType", "ZoneVO"}, {"resourceUuid", plain["uuid"]}, {"tag", "db"}}}});
  ASSERT_EQ(created.status, 200) << created.body;
  std::string tagUuid = parse(created)["inventory"]["uuid"];
  EXPECT_EQ(
      parse(client().send("GET", "/zstack/v1/zones?q=__userTag__=db"))["inventories"][0]["uuid"],
      plain["uuid"]);

  auto system = client().call(
      "POST", "/zstack/v1/system-tags",
      {{"params", {{"resourceType", "ZoneVO"}, {"resourceUuid", plain["uuid"]}, {"tag", "a::1"}}}});
  ASSERT_EQ(system.status, 200) << system.body;
  std::string systemUuid = parse(system)["inventory"]["uuid"];
  auto changed = client().call("PUT", "/zstack/v1/system-tags/" + systemUuid + "/actions",
                               {{"updateSystemTag", {{"tag", "a::2"}}}});
  ASSERT_EQ(changed.status, 200) << changed.body;
  EXPECT_EQ(parse(changed)["inventory"]["tag"], "a::2");
  auto listed = client().send(
      "GET", "/zstack/v1/system-tags?q=resourceUuid=" + plain["uuid"].get<std::string>());
  EXPECT_EQ(parse(listed)["inventories"].size(), 1u) << listed.body;

  EXPECT_EQ(client().call("DELETE", "/zstack/v1/tags/" + tagUuid).status, 200);
  EXPECT_TRUE(
      parse(client().send("GET", "/zstack/v1/zones?q=__userTag__=db"))["inventories"].empty());
  EXPECT_EQ(client().call("DELETE", "/zstack/v1/tags/" + tagUuid).status, 503) << "already gone";

  auto noResource = client().call("POST", "/zstack/v1/user-tags",
                                  {{"params",
                                    {{"resourceType", "ZoneVO"},
                                     {"resourceUuid", "0123456789abcdef0123456789abcdef"},
                                     {"tag", "x"}}}});
  EXPECT_EQ(noResource.status, 503) << noResource.body;
  auto noType = client().call(
      "POST", "/zstack/v1/user-tags",
      {{"params", {{"resourceType", "PlanetVO"}, {"resourceUuid", plain["uuid"]}, {"tag", "x"}}}});
  EXPECT_EQ(noType.status, 503) << noType.body;
}

TEST_F(RestSystemTest, QueriesPageSortCountAndSelectFields) {
  for (const char* name : {"c", "a", "d", "b"}) createZone(name);
  auto page =
      client().send("GET", "/zstack/v1/zones?sort=%2Bname&limit=2&start=1&replyWithCount=true");
  ASSERT_EQ(page.status, 200) << page.body;
  Json j = parse(page);
  EXPECT_EQ(j["total"], 4);
  ASSERT_EQ(j["inventories"].size(), 2u);
  EXPECT_EQ(j["inventories"][0]["name"], "b");
  EXPECT_EQ(j["inventories"][1]["name"], "c");
  EXPECT_EQ(j["schema"]["inventories[0]"], "org.zstack.header.zone.ZoneInventory");

  auto count = client().send("GET", "/zstack/v1/zones?count=true&q=name?=a,b,z");
  EXPECT_EQ(parse(count)["total"], 2) << count.body;
  auto fields = client().send("GET", "/zstack/v1/zones?q=name~=_&sort=-name&fields=name&limit=1");
  EXPECT_EQ(parse(fields)["inventories"], Json::parse(R"([{"name":"d"}])")) << fields.body;
}

TEST_F(RestSystemTest, LongJobRunsAnApiAndRecordsItsResult) {
  auto submitted = client().call("POST", "/zstack/v1/longjobs",
                                 {{"params",
                                   {{"jobName", "org.zstack.header.zone.APICreateZoneMsg"},
                                    {"jobData", R"({"name":"from-long-job"})"}}}});
  ASSERT_EQ(submitted.status, 200) << submitted.body;
  std::string uuid = parse(submitted)["inventory"]["uuid"];
  Json job;
  for (int i = 0; i < 200; ++i) {
    job = parse(client().send("GET", "/zstack/v1/longjobs/" + uuid))["inventories"][0];
    if (job["state"] != "Running") break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_EQ(job["state"], "Succeeded") << job;
  EXPECT_EQ(
      parse(client().send("GET", "/zstack/v1/zones?q=name=from-long-job"))["inventories"].size(),
      1u);
  EXPECT_EQ(client().call("DELETE", "/zstack/v1/longjobs/" + uuid).status, 200);
  EXPECT_TRUE(parse(client().send("GET", "/zstack/v1/longjobs/" + uuid))["inventories"].empty());

  auto unknown = client().call("POST", "/zstack/v1/longjobs",
                               {{"params", {{"jobName", "APIFlyMsg"}, {"jobData", "{}"}}}});
  EXPECT_EQ(unknown.status, 503) << unknown.body;
}

TEST_F(RestSystemTest, GcJobsAndTaskProgressAnswerEvenWhenEmpty) {
  auto gc = client().send("GET", "/zstack/v1/gc-jobs");
  ASSERT_EQ(gc.status, 200) << gc.body;
  EXPECT_TRUE(parse(gc)["inventories"].empty());
  EXPECT_EQ(client()
                .call("PUT", "/zstack/v1/gc-jobs/0123456789abcdef0123456789abcdef/actions",
                      {{"triggerGCJob", Json::object()}})
                .status,
            503);
  auto progress =
      client().send("GET", "/zstack/v1/task-progresses/0123456789abcdef0123456789abcdef");
  ASSERT_EQ(progress.status, 200) << progress.body;
  EXPECT_TRUE(parse(progress)["inventories"].empty());
}

// The catalog as the kernel embeds it (tools/gen_zstack_catalog.py from
// shared/api/zstack-api.json).
Json catalog() {
  std::ifstream in(STRATO_ZSTACK_CATALOG);
  std::stringstream text;
  text << in.rdbuf();
  std::string json;
  std::regex chunk(R"zz(R"zjson\(([\s\S]*?)\)zjson")zz");
  std::string all = text.str();
  for (std::sregex_iterator it(all.begin(), all.end(), chunk), end; it != end; ++it)
    json += (*it)[1];
  return Json::parse(json);
}

TEST_F(RestSystemTest, EveryCatalogRouteIsServed) {
  Json apis = catalog();
  ASSERT_EQ(apis.size(), 591u);
  std::regex variable(R"(\{[^}]+\})");
  int implemented = 0;
  for (const auto& api : apis) {
    std::string path = std::regex_replace(api["path"].get<std::string>(), variable,
                                          "0123456789abcdef0123456789abcdef");
    Json body = nullptr;
    if (api.contains("actionKey")) body = {{api["actionKey"].get<std::string>(), Json::object()}};
    auto reply = client().send(api["method"], path, body);
    SCOPED_TRACE(api["name"].get<std::string>() + " " + api["method"].get<std::string>() + " " +
                 path);
    EXPECT_NE(reply.status, 0) << reply.error;
    EXPECT_NE(reply.status, 404) << reply.body;
    EXPECT_NE(reply.status, 405) << reply.body;
    EXPECT_NE(reply.status, 500) << reply.body;
    if (reply.status == 501) {
      EXPECT_EQ(parse(reply)["error"]["code"], "SYS.1010");
    } else {
      ++implemented;
    }
  }
  EXPECT_GT(implemented, 25);
  EXPECT_EQ(client().send("GET", "/zstack/v1/zones").status, 200) << "server survived the walk";
}

}  // namespace
}  // namespace strato::test
