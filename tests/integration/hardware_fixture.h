// A strato-server with the in-tree plugins and helpers that build hardware through the API:
// zones, clusters and simulator hosts.
#pragma once

#include <chrono>
#include <functional>
#include <thread>

#include "integration/rest_fixture.h"

namespace strato::test {

class HardwareTest : public RestTest {
 protected:
  Json createCluster(const std::string& zoneUuid, const std::string& name,
                     const std::string& hypervisorType = "Simulator") {
    auto reply = client().call(
        "POST", "/zstack/v1/clusters",
        {{"params", {{"zoneUuid", zoneUuid}, {"name", name}, {"hypervisorType", hypervisorType}}},
         {"systemTags", Json::array()},
         {"userTags", Json::array()}});
    EXPECT_EQ(reply.status, 200) << reply.body;
    return parse(reply)["inventory"];
  }

  HttpReply addHostReply(const std::string& clusterUuid, const std::string& ip,
                         const Json& systemTags = Json::array()) {
    return client().call("POST", "/zstack/v1/hosts/simulators",
                         {{"params",
                           {{"name", "host-" + ip},
                            {"managementIp", ip},
                            {"clusterUuid", clusterUuid},
                            {"cpuCapacity", 16},
                            {"memoryCapacity", 32LL << 30}}},
                          {"systemTags", systemTags}});
  }

  Json addHost(const std::string& clusterUuid, const std::string& ip) {
    auto reply = addHostReply(clusterUuid, ip);
    EXPECT_EQ(reply.status, 200) << reply.body;
    return parse(reply)["inventory"];
  }

  Json query(const std::string& path) {
    auto reply = client().send("GET", path);
    EXPECT_EQ(reply.status, 200) << reply.body;
    return parse(reply)["inventories"];
  }

  Json host(const std::string& uuid) { return query("/zstack/v1/hosts/" + uuid)[0]; }

  HttpReply hostAction(const std::string& uuid, const Json& body) {
    return client().call("PUT", "/zstack/v1/hosts/" + uuid + "/actions", body);
  }

  Json createSystemTag(const std::string& resourceType, const std::string& uuid,
                       const std::string& tag) {
    auto reply = client().call(
        "POST", "/zstack/v1/system-tags",
        {{"params", {{"resourceType", resourceType}, {"resourceUuid", uuid}, {"tag", tag}}}});
    EXPECT_EQ(reply.status, 200) << reply.body;
    return parse(reply)["inventory"];
  }

  void setGlobalConfig(const std::string& category, const std::string& name,
                       const std::string& value) {
    auto reply = client().call(
        "PUT", "/zstack/v1/global-configurations/" + category + "/" + name + "/actions",
        {{"updateGlobalConfig", {{"value", value}}}});
    ASSERT_EQ(reply.status, 200) << reply.body;
  }

  // Polls `done` every 100 ms for up to `seconds`.
  static bool eventually(const std::function<bool()>& done, int seconds = 15) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
    while (std::chrono::steady_clock::now() < deadline) {
      if (done()) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return done();
  }

  static std::string errorOf(const HttpReply& reply) {
    Json body = parse(reply);
    return body.contains("error")
               ? body["error"].value("description", "") + " " + body["error"].value("details", "")
               : "";
  }
};

}  // namespace strato::test
