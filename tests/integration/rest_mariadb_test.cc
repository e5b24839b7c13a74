// The REST front end on MariaDB: the same flows as on SQLite against a real mariadbd, which
// this binary starts once and stops by its PID.
#include "integration/rest_fixture.h"
#include "support/mariadb_server.h"

namespace strato::test {
namespace {

MariaDbServer& sharedMariaDb() {
  static std::unique_ptr<MariaDbServer> server = MariaDbServer::start("strato_rest");
  return *server;
}

class RestMariaDbTest : public RestTest {
 protected:
  void SetUp() override { startServer({"--set", "database.url=" + sharedMariaDb().url()}); }
  void restart() {
    ASSERT_EQ(server_->stop(), 0);
    startServer({"--set", "database.url=" + sharedMariaDb().url()});
  }
};

TEST_F(RestMariaDbTest, ZonesJobsTagsAndConfigsSurviveARestart) {
  Json zone = createZone("maria", {{"userTags", {"on-maria"}}});
  ASSERT_TRUE(zone.contains("uuid"));
  const std::string job = "b0345d3ddcae485f8170572b15a2b581";
  auto accepted =
      client().send("PUT", "/zstack/v1/zones/" + zone["uuid"].get<std::string>() + "/actions",
                    {{"updateZone", {{"description", "on MariaDB"}}}}, {{"X-Job-UUID", job}});
  ASSERT_EQ(accepted.status, 202) << accepted.body;
  ASSERT_EQ(client().poll(parse(accepted)["location"]).status, 200);
  auto changed = client().call("PUT", "/zstack/v1/global-configurations/api/job.retention/actions",
                               {{"updateGlobalConfig", {{"value", "3600"}}}});
  ASSERT_EQ(changed.status, 200) << changed.body;

  restart();
  auto result = client().send("GET", "/zstack/v1/api-jobs/" + job);
  ASSERT_EQ(result.status, 200) << result.body;
  EXPECT_EQ(parse(result)["inventory"]["description"], "on MariaDB");
  auto tagged = client().send("GET", "/zstack/v1/zones?q=__userTag__=on-maria&q=name~=mar%25");
  ASSERT_EQ(tagged.status, 200) << tagged.body;
  EXPECT_EQ(parse(tagged)["inventories"].size(), 1u);
  auto config =
      client().send("GET", "/zstack/v1/global-configurations?q=name=job.retention&fields=value");
  EXPECT_EQ(parse(config)["inventories"], Json::parse(R"([{"value":"3600"}])")) << config.body;
  auto nodes = client().send("GET", "/zstack/v1/management-nodes?count=true");
  EXPECT_EQ(parse(nodes)["total"], 1) << "the stopped node left the table: " << nodes.body;
}

}  // namespace
}  // namespace strato::test
