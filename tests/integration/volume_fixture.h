// Volumes over HTTP: a strato-server with the in-tree plugins, simulator primary and backup
// storage, and helpers for the volume APIs of section 3.2, disk offerings and accounts.
#pragma once

#include <memory>
#include <string>

#include "integration/backup_storage_fixture.h"

namespace strato::test {

class VolumeTest : public BackupStorageTest {
 protected:
  static constexpr const char* kVolumes = "/zstack/v1/volumes";

  void SetUp() override {
    BackupStorageTest::SetUp();
    zone_ = createZone("z1")["uuid"];
    ps_ = addSimulator(zone_, 10 * kGiB, 10 * kGiB)["uuid"];
    offering_ = diskOffering(client(), "1G", kGiB)["uuid"];
  }

  static Json diskOffering(const ZStackClient& c, const std::string& name, std::int64_t size) {
    auto reply = c.call("POST", "/zstack/v1/disk-offerings",
                        {{"params", {{"name", name}, {"diskSize", size}}}});
    EXPECT_EQ(reply.status, 200) << reply.body;
    return parse(reply)["inventory"];
  }

  static HttpReply createReply(const ZStackClient& c, const Json& params) {
    return c.call("POST", "/zstack/v1/volumes/data",
                  {{"params", params}, {"systemTags", Json::array()}, {"userTags", Json::array()}});
  }
  HttpReply createReply(const Json& params) { return createReply(client(), params); }
  Json create(const Json& params) {
    auto reply = createReply(params);
    EXPECT_EQ(reply.status, 200) << reply.body;
    return parse(reply)["inventory"];
  }
  // A data volume of the 1 GiB offering on the simulator storage.
  Json createOnPs(const std::string& name = "data") {
    return create({{"name", name}, {"diskOfferingUuid", offering_}, {"primaryStorageUuid", ps_}});
  }

  HttpReply volumeAction(const std::string& uuid, const Json& body) {
    return client().call("PUT", std::string(kVolumes) + "/" + uuid + "/actions", body);
  }
  HttpReply deleteVolume(const std::string& uuid, const std::string& mode = "Permissive") {
    return client().call("DELETE", std::string(kVolumes) + "/" + uuid + "?deleteMode=" + mode);
  }
  Json volume(const std::string& uuid) {
    Json found = query(std::string(kVolumes) + "/" + uuid);
    return found.empty() ? Json() : found[0];
  }
  std::int64_t available() { return ps(ps_)["availableCapacity"].get<std::int64_t>(); }

  Json createAccount(const std::string& name) {
    auto reply = client().call("POST", "/zstack/v1/accounts",
                               {{"params", {{"name", name}, {"password", sha512Hex("pw")}}}});
    EXPECT_EQ(reply.status, 200) << reply.body;
    return parse(reply)["inventory"];
  }
  std::unique_ptr<ZStackClient> loginAs(const std::string& name) {
    auto c = std::make_unique<ZStackClient>(client().port());
    EXPECT_FALSE(c->login(name, "pw").empty()) << "login of " << name << " failed";
    return c;
  }

  // Refused as invalid: 400 from the kernel's checks or a failed job (503), both SYS.1007, with
  // a message naming `param`.
  static void expectInvalid(const HttpReply& reply, const std::string& param) {
    EXPECT_TRUE(reply.status == 400 || reply.status == 503) << reply.status << " " << reply.body;
    EXPECT_EQ(codeOf(reply), "SYS.1007") << reply.body;
    EXPECT_NE(errorOf(reply).find(param), std::string::npos) << reply.body;
  }

  std::string zone_, ps_, offering_;
};

}  // namespace strato::test
