// Jobs that take time: polling while they run, their task progress, and the API timeout.
#include <thread>

#include "integration/rest_fixture.h"

namespace strato::test {
namespace {

class RestJobTest : public RestTest {
 protected:
  void SetUp() override {
    startServer({"--set", std::string("plugins.files=") + STRATO_SLOW_JOB_PLUGIN});
  }

  HttpReply submit(int steps, int stepMs) {
    return client().send("POST", "/zstack/v1/test/slow-jobs",
                         {{"params", {{"steps", steps}, {"stepMs", stepMs}}}});
  }
};

TEST_F(RestJobTest, PollingShowsTheJobRunningThenItsResultAndProgress) {
  auto accepted = submit(5, 100);
  ASSERT_EQ(accepted.status, 202) << accepted.body;
  std::string location = parse(accepted)["location"];
  std::string job = location.substr(location.rfind('/') + 1);

  auto running = client().send("GET", "/zstack/v1/api-jobs/" + job);
  EXPECT_EQ(running.status, 202) << running.body;
  EXPECT_EQ(parse(running)["location"], location);

  auto done = client().poll(location);
  ASSERT_EQ(done.status, 200) << done.body;
  EXPECT_EQ(parse(done)["done"], 5);

  auto all = client().send("GET", "/zstack/v1/task-progresses/" + job + "?all=true");
  ASSERT_EQ(all.status, 200) << all.body;
  Json reports = parse(all)["inventories"];
  ASSERT_EQ(reports.size(), 5u) << all.body;
  EXPECT_EQ(reports[0]["content"], "step 1");
  EXPECT_EQ(reports[0]["taskUuid"], job);
  auto latest = client().send("GET", "/zstack/v1/task-progresses/" + job);
  EXPECT_EQ(parse(latest)["inventories"], Json::array({reports[4]})) << latest.body;
}

TEST_F(RestJobTest, AJobOverTheApiTimeoutFailsWithATimeout) {
  auto changed = client().call("PUT", "/zstack/v1/global-configurations/api/timeout/actions",
                               {{"updateGlobalConfig", {{"value", "1000"}}}});
  ASSERT_EQ(changed.status, 200) << changed.body;
  auto accepted = submit(40, 100);
  ASSERT_EQ(accepted.status, 202) << accepted.body;
  EXPECT_EQ(parse(accepted)["apiTimeout"], 1000);
  auto start = std::chrono::steady_clock::now();
  auto failed = client().poll(parse(accepted)["location"]);
  EXPECT_EQ(failed.status, 503) << failed.body;
  EXPECT_EQ(parse(failed)["error"]["code"], "SYS.1003");
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(3));
}

}  // namespace
}  // namespace strato::test
