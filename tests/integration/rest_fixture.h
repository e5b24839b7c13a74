// A strato-server with every in-tree plugin, on a free port, with a logged-in admin client.
#pragma once

#include <gtest/gtest.h>

#include "support/node_launch.h"
#include "support/temp_dir.h"
#include "support/zstack_client.h"

namespace strato::test {

class RestTest : public ::testing::Test {
 protected:
  void SetUp() override { startServer(); }

  void startServer(const std::vector<std::string>& extra = {}) {
    std::vector<std::string> args{"--set", std::string("plugins.dirs=") + STRATO_PLUGIN_DIR};
    args.insert(args.end(), extra.begin(), extra.end());
    server_ = launchNode(STRATO_SERVER_BIN, dir_.path(), args);
    std::string why;
    int port = waitUntilServing(*server_, dir_.path(), &why);
    ASSERT_GT(port, 0) << why;
    client_ = std::make_unique<ZStackClient>(port);
    ASSERT_FALSE(client_->login().empty()) << "admin login failed";
  }

  void restartServer() {
    ASSERT_EQ(server_->stop(), 0);
    startServer();
  }

  // Creates a zone through the API and returns its inventory.
  Json createZone(const std::string& name, const Json& extra = Json::object()) {
    Json params = extra;
    params["name"] = name;
    auto reply = client_->call("POST", "/zstack/v1/zones", {{"params", params}});
    EXPECT_EQ(reply.status, 200) << reply.body;
    return parse(reply)["inventory"];
  }

  ZStackClient& client() { return *client_; }

  TempDir dir_{"rest-test"};
  std::unique_ptr<Process> server_;
  std::unique_ptr<ZStackClient> client_;
};

}  // namespace strato::test
