// strato-metadata, the flat Userdata service's server, as a guest meets it: over HTTP, each
// client gets the tree of its own address and nothing else. (On hosts it listens on
// 169.254.169.254 inside a DHCP namespace: flat_dhcp_vxlan_test.cc.)
#include <gtest/gtest.h>
#include <signal.h>

#include <fstream>
#include <thread>

#include "support/free_port.h"
#include "support/http_client.h"
#include "support/process.h"
#include "support/temp_dir.h"

namespace strato::test {
namespace {

namespace fs = std::filesystem;

void write(const fs::path& file, const std::string& text) {
  fs::create_directories(file.parent_path());
  std::ofstream(file) << text;
}

class MetadataServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = dir_.path() / "metadata";
    write(root_ / "127.0.0.1/meta-data/instance-id", "vm-a");
    write(root_ / "127.0.0.1/meta-data/public-keys/0/openssh-key", "ssh-ed25519 AAAA a\n");
    write(root_ / "127.0.0.1/user-data", "#cloud-config\nhostname: a\n");
    write(root_ / "127.0.0.2/user-data", "another guest's secret");
    write(dir_.path() / "outside", "not the guests'");
    port_ = freeTcpPort();
    server_ =
        Process::start(STRATO_METADATA_BIN,
                       {"--root", root_.string(), "--listen", "127.0.0.1:" + std::to_string(port_)},
                       {}, dir_.path() / "server.log");
    for (int i = 0; i < 200 && get("/").status == 0; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  }

  HttpReply get(const std::string& path) { return httpGet("127.0.0.1", port_, path); }

  TempDir dir_{"metadata"};
  fs::path root_;
  int port_ = 0;
  std::unique_ptr<Process> server_;
};

TEST_F(MetadataServerTest, AGuestReadsItsOwnUserdataAndMetadataUnderAnyVersion) {
  EXPECT_EQ(get("/latest/meta-data/instance-id").body, "vm-a");
  EXPECT_EQ(get("/2009-04-04/meta-data/instance-id").body, "vm-a");
  EXPECT_EQ(get("/latest/user-data").body, "#cloud-config\nhostname: a\n");
  EXPECT_EQ(get("/latest/meta-data/public-keys/0/openssh-key").body, "ssh-ed25519 AAAA a\n");
  // Listings as EC2's: one name a line, directories with a slash.
  EXPECT_EQ(get("/latest/meta-data/").body, "instance-id\npublic-keys/");
  EXPECT_EQ(get("/latest").body, "meta-data/\nuser-data");
  EXPECT_EQ(get("/").body, "latest");
  EXPECT_EQ(get("/latest/meta-data/no-such-key").status, 404);
}

TEST_F(MetadataServerTest, NothingOutsideTheGuestsOwnTreeIsReachable) {
  fs::create_symlink(dir_.path() / "outside", root_ / "127.0.0.1/meta-data/link");
  for (const char* path :
       {"/latest/../../outside", "/latest/meta-data/../../../outside", "/latest/%2e%2e/outside",
        "/latest/meta-data/link", "/../127.0.0.2/user-data", "/latest//..//127.0.0.2/user-data"}) {
    auto reply = get(path);
    EXPECT_EQ(reply.status, 404) << path << ": " << reply.body;
  }
  EXPECT_EQ(httpRequest("POST", "127.0.0.1", port_, "/latest/user-data", "x").status, 405);
}

TEST(MetadataServerDaemon, GoesToTheBackgroundOnlyOnceItListens) {
  TempDir dir("metadata-daemon");
  int port = freeTcpPort();
  auto pidFile = dir.path() / "metadata.pid";
  std::vector<std::string> args{
      "--root",     dir.path().string(), "--listen", "127.0.0.1:" + std::to_string(port),
      "--pid-file", pidFile.string(),    "--daemon"};
  auto first = Process::start(STRATO_METADATA_BIN, args, {}, dir.path() / "first.log");
  ASSERT_EQ(first->waitExit(std::chrono::seconds(10)), 0) << first->readOutput();
  pid_t daemon = 0;
  ASSERT_TRUE(std::ifstream(pidFile) >> daemon) << "the pid file is written before it returns";
  // It serves: nothing, to a client without a tree.
  EXPECT_EQ(httpGet("127.0.0.1", port, "/latest/user-data").status, 404);
  // The port is taken now: a second one says so in its exit status.
  auto second = Process::start(STRATO_METADATA_BIN, args, {}, dir.path() / "second.log");
  EXPECT_EQ(second->waitExit(std::chrono::seconds(10)), 1);
  EXPECT_NE(second->readOutput().find("cannot listen"), std::string::npos) << second->readOutput();
  ::kill(daemon, SIGTERM);
}

}  // namespace
}  // namespace strato::test
