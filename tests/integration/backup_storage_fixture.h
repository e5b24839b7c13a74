// Backup storage over HTTP: a strato-server with the in-tree plugins and helpers for the backup
// storage APIs of section 4.5 (and ZStack's Sftp and Simulator forms).
#pragma once

#include <filesystem>
#include <memory>

#include "integration/primary_storage_fixture.h"
#include "support/ssh_server.h"

namespace strato::test {

class BackupStorageTest : public PrimaryStorageTest {
 protected:
  HttpReply addBsReply(const std::string& path, const Json& params,
                       const Json& systemTags = Json::array()) {
    return client().call(
        "POST", "/zstack/v1/backup-storage/" + path,
        {{"params", params}, {"systemTags", systemTags}, {"userTags", Json::array()}});
  }

  Json addBs(const std::string& path, const Json& params) {
    auto reply = addBsReply(path, params);
    EXPECT_EQ(reply.status, 200) << reply.body;
    return parse(reply)["inventory"];
  }

  Json addSimulatorBs(const std::string& name, std::int64_t total, std::int64_t available) {
    return addBs("simulators", {{"url", "/bs"},
                                {"name", name},
                                {"totalCapacity", total},
                                {"availableCapacity", available}});
  }

  HttpReply attachBsReply(const std::string& bs, const std::string& zone) {
    return client().call("POST", "/zstack/v1/zones/" + zone + "/backup-storage/" + bs,
                         Json::object());
  }
  HttpReply detachBsReply(const std::string& bs, const std::string& zone) {
    return client().call("DELETE", "/zstack/v1/zones/" + zone + "/backup-storage/" + bs);
  }

  HttpReply bsAction(const std::string& path, const Json& body) {
    return client().call("PUT", "/zstack/v1/backup-storage/" + path + "/actions", body);
  }

  Json bs(const std::string& uuid) {
    Json found = query("/zstack/v1/backup-storage/" + uuid);
    return found.empty() ? Json() : found[0];
  }

  Json bsCapacity(const std::string& queryString) {
    auto reply = client().send("GET", "/zstack/v1/backup-storage/capacities?" + queryString);
    EXPECT_EQ(reply.status, 200) << reply.body;
    return parse(reply);
  }
};

// `Base` with an sshd of its own on loopback, for the SSH storage types. Tests skip where sshd
// cannot run (without root the test user cannot be made).
template <class Base>
class WithSshd : public Base {
 protected:
  void SetUp() override {
    try {
      sshd_ = SshServer::start();
    } catch (const std::exception& e) {
      GTEST_SKIP() << e.what();
    }
    Base::SetUp();
  }

  // The add parameters of an SSH storage on this sshd, storing in `dir`. ZStack's clients send
  // numbers as floats ("sshPort": 22.0), and so does this.
  Json sshParams(const std::string& name, const std::filesystem::path& dir) {
    return {{"hostname", "127.0.0.1"},       {"username", sshd_->user()},
            {"password", sshd_->password()}, {"sshPort", static_cast<double>(sshd_->port())},
            {"url", dir.string()},           {"name", name}};
  }

  std::unique_ptr<SshServer> sshd_;
};

}  // namespace strato::test
