// strato-server and strato-agent as real processes on loopback: started with a free port,
// probed over HTTP, stopped by PID.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <thread>

#include "support/http_client.h"
#include "support/mariadb_server.h"
#include "support/node_launch.h"
#include "support/process.h"
#include "support/temp_dir.h"

namespace strato::test {
namespace {

using namespace std::chrono_literals;
using Json = nlohmann::json;

std::string fixture(const std::string& name) {
  return std::string(STRATO_TEST_PLUGIN_DIR) + "/libstrato_test_" + name + ".so";
}

class NodeProcessTest : public ::testing::Test {
 protected:
  // Starts a node with its state in the test's temp dir. Empty plugin settings unless given.
  std::unique_ptr<Process> launch(const std::string& binary, std::vector<std::string> args) {
    return launchNode(binary, dir_.path(), args);
  }

  // Waits until the node wrote its port and answers /health; returns the port.
  int waitReady(Process& node) {
    std::string why;
    int port = waitUntilServing(node, dir_.path(), &why);
    if (port == 0) ADD_FAILURE() << why;
    return port;
  }

  Json health(int port) {
    auto reply = httpGet("127.0.0.1", port, "/health");
    EXPECT_EQ(reply.status, 200) << reply.error;
    return Json::parse(reply.body);
  }

  static std::vector<std::string> pluginNames(const Json& health) {
    std::vector<std::string> names;
    for (const auto& p : health["plugins"]) names.push_back(p["name"]);
    return names;
  }

  TempDir dir_{"node-test"};
};

TEST_F(NodeProcessTest, ServerAnswersHealthWithItsPlugins) {
  // The kernel declares APIs of its own; the plugin adds one to them.
  auto bare = launch(STRATO_SERVER_BIN, {});
  int barePort = waitReady(*bare);
  ASSERT_GT(barePort, 0);
  int kernelApis = health(barePort)["apis"];
  EXPECT_GT(kernelApis, 0);
  EXPECT_EQ(bare->stop(), 0);

  auto server = launch(STRATO_SERVER_BIN, {"--set", "plugins.files=" + fixture("good")});
  int port = waitReady(*server);
  ASSERT_GT(port, 0);
  Json h = health(port);
  EXPECT_EQ(h["status"], "ok");
  EXPECT_EQ(h["role"], "server");
  EXPECT_EQ(pluginNames(h), std::vector<std::string>{"test-good"});
  // In-tree plugins carry the commit they were built from, like the server itself.
  EXPECT_EQ(h["plugins"][0]["buildId"], h["commit"]);
  EXPECT_EQ(h["apis"], kernelApis + 1);
  EXPECT_EQ(h["extensions"], 1);
  EXPECT_EQ(server->stop(), 0);
}

TEST_F(NodeProcessTest, BrokenPluginsAreRefusedWithTheirReasonAndTheServerStillStarts) {
  auto server =
      launch(STRATO_SERVER_BIN, {"--set", std::string("plugins.dirs=") + STRATO_TEST_PLUGIN_DIR});
  int port = waitReady(*server);
  ASSERT_GT(port, 0);
  EXPECT_EQ(pluginNames(health(port)), std::vector<std::string>{"test-good"});
  std::string log = server->readOutput();
  for (const char* expected : {"libstrato_test_init_throws.so cause=\"init failed\"",
                               "libstrato_test_init_fails.so cause=\"init failed\"",
                               "libstrato_test_abi_major.so cause=\"ABI mismatch\"",
                               "libstrato_test_abi_minor.so cause=\"ABI mismatch\"",
                               "libstrato_test_no_entry.so cause=\"no entry point\"",
                               "libstrato_test_registers_nothing.so cause=\"registered nothing\"",
                               "libstrato_test_shadowing.so cause=\"conflict\"",
                               "libstrato_test_unresolved_symbol.so cause=\"not loadable\""}) {
    EXPECT_NE(log.find(expected), std::string::npos) << "missing in log: " << expected << "\n"
                                                     << log;
  }
  EXPECT_EQ(server->stop(), 0);
}

TEST_F(NodeProcessTest, RequiredPluginThatFailsStopsTheStart) {
  auto server = launch(STRATO_SERVER_BIN, {"--set", "plugins.files=" + fixture("init_fails"),
                                           "--set", "plugins.required=test-init-fails"});
  auto code = server->waitExit(20s);
  ASSERT_TRUE(code.has_value()) << "server did not exit";
  EXPECT_EQ(*code, 1);
  std::string out = server->readOutput();
  EXPECT_NE(out.find("required plugin 'test-init-fails' is not loaded"), std::string::npos) << out;
  EXPECT_NE(out.find("libstrato_test_init_fails.so: init failed"), std::string::npos) << out;
}

TEST_F(NodeProcessTest, RequiredPluginThatLoadsLetsTheServerStart) {
  auto server = launch(STRATO_SERVER_BIN, {"--set", "plugins.files=" + fixture("good"), "--set",
                                           "plugins.required=test-good"});
  EXPECT_GT(waitReady(*server), 0);
}

TEST_F(NodeProcessTest, CorruptConfigExitsWithAClearMessage) {
  auto conf = dir_.path() / "broken.conf";
  std::ofstream(conf) << "http.port = 8080\nthis line is not a setting\n";
  auto server = launch(STRATO_SERVER_BIN, {"--config", conf.string()});
  auto code = server->waitExit(10s);
  ASSERT_TRUE(code.has_value());
  EXPECT_EQ(*code, 2);
  EXPECT_NE(server->readOutput().find("broken.conf:2"), std::string::npos) << server->readOutput();
}

TEST_F(NodeProcessTest, UnknownPathIs404AndWrongMethodIs405) {
  auto server = launch(STRATO_SERVER_BIN, {});
  int port = waitReady(*server);
  ASSERT_GT(port, 0);
  auto missing = httpGet("127.0.0.1", port, "/nothing/here");
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(Json::parse(missing.body)["error"]["code"], "SYS.1006");
  auto post = httpRequest("POST", "127.0.0.1", port, "/health", "{}");
  EXPECT_EQ(post.status, 405);
}

TEST_F(NodeProcessTest, SecondServerOnABusyPortFailsToStart) {
  auto first = launch(STRATO_SERVER_BIN, {});
  int port = waitReady(*first);
  ASSERT_GT(port, 0);
  auto second = Process::start(
      STRATO_SERVER_BIN,
      {"--set", "http.port=" + std::to_string(port), "--set",
       "database.url=sqlite:" + (dir_.path() / "second.db").string(), "--set", "plugins.dirs="},
      {}, dir_.path() / "second.log");
  auto code = second->waitExit(10s);
  ASSERT_TRUE(code.has_value());
  EXPECT_EQ(*code, 1);
  EXPECT_NE(second->readOutput().find("cannot listen"), std::string::npos);
  EXPECT_EQ(httpGet("127.0.0.1", port, "/health").status, 200);
}

TEST_F(NodeProcessTest, MigrationsRunOnceAndTheSchemaSurvivesARestart) {
  std::string log;
  for (int run = 0; run < 2; ++run) {
    auto server = launch(STRATO_SERVER_BIN, {"--set", "plugins.files=" + fixture("good")});
    ASSERT_GT(waitReady(*server), 0) << "run " << run;
    EXPECT_EQ(server->stop(), 0);
    log = server->readOutput();  // both runs append to the same file
  }
  const std::string migrated = "schema migrated component=test-good from=0 to=2";
  auto first = log.find(migrated);
  ASSERT_NE(first, std::string::npos) << log;
  EXPECT_EQ(log.find(migrated, first + 1), std::string::npos) << log;
}

TEST_F(NodeProcessTest, AgentServesHealthInItsRole) {
  auto agent = launch(STRATO_AGENT_BIN, {});
  int port = waitReady(*agent);
  ASSERT_GT(port, 0);
  EXPECT_EQ(health(port)["role"], "agent");
  EXPECT_EQ(agent->stop(), 0);
}

TEST_F(NodeProcessTest, ServerRunsItsPluginMigrationsOnMariaDb) {
  auto mariadb = MariaDbServer::start("strato_node");
  for (int run = 0; run < 2; ++run) {
    auto server = launch(STRATO_SERVER_BIN, {"--set", "plugins.files=" + fixture("good"), "--set",
                                             "database.url=" + mariadb->url()});
    // The good plugin's start hook reads the table its migrations create.
    ASSERT_GT(waitReady(*server), 0) << "run " << run;
    EXPECT_EQ(server->stop(), 0);
  }
}

}  // namespace
}  // namespace strato::test
