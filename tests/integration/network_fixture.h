// L2 and L3 networks over HTTP: a strato-server with the in-tree plugins, simulator hosts, and
// helpers for the APIs of sections 5.1, 5.2 and 6.1.1-6.1.5. Derives from the primary storage
// fixture for its table counts (rowsIn), totals and reply helpers.
#pragma once

#include <fstream>
#include <sstream>

#include "integration/primary_storage_fixture.h"

namespace strato::test {

class NetworkTest : public PrimaryStorageTest {
 protected:
  // Only the plugins the network APIs need (STRATO_NETWORK_TEST_PLUGINS, comma-separated), so
  // these tests do not depend on unrelated plugins being loadable.
  void SetUp() override {
    startServer({"--set", "plugins.dirs=", "--set",
                 std::string("plugins.files=") + STRATO_NETWORK_TEST_PLUGINS});
  }

  HttpReply post(const std::string& path, const Json& params,
                 const Json& systemTags = Json::array()) {
    return client().call(
        "POST", "/zstack/v1/" + path,
        {{"params", params}, {"systemTags", systemTags}, {"userTags", Json::array()}});
  }
  Json created(const HttpReply& reply) {
    EXPECT_EQ(reply.status, 200) << reply.body;
    return parse(reply)["inventory"];
  }
  HttpReply get(const std::string& path) { return client().send("GET", "/zstack/v1/" + path); }
  Json getOk(const std::string& path) {
    auto reply = get(path);
    EXPECT_EQ(reply.status, 200) << reply.body;
    return parse(reply);
  }

  Json noVlan(const std::string& zone, const std::string& name = "l2",
              const std::string& nic = "eth0") {
    return created(post("l2-networks/no-vlan",
                        {{"name", name}, {"zoneUuid", zone}, {"physicalInterface", nic}}));
  }
  Json vlan(const std::string& zone, int id, const std::string& nic = "eth0") {
    return created(post("l2-networks/vlan", {{"name", "vlan" + std::to_string(id)},
                                             {"zoneUuid", zone},
                                             {"physicalInterface", nic},
                                             {"vlan", id}}));
  }
  Json pool(const std::string& zone, const std::string& name = "pool") {
    return created(post("l2-networks/vxlan-pool",
                        {{"name", name}, {"zoneUuid", zone}, {"physicalInterface", "eth1"}}));
  }
  HttpReply vniRangeReply(const std::string& pool, std::int64_t start, std::int64_t end) {
    return post("l2-networks/vxlan-pool/" + pool + "/vni-ranges",
                {{"name", "vni"}, {"startVni", start}, {"endVni", end}});
  }
  HttpReply vxlanReply(const std::string& zone, const std::string& pool, const Json& extra = {}) {
    Json params{
        {"name", "vx"}, {"zoneUuid", zone}, {"poolUuid", pool}, {"physicalInterface", "eth1"}};
    if (extra.is_object()) params.update(extra);
    return post("l2-networks/vxlan", params);
  }
  HttpReply attachL2Reply(const std::string& l2, const std::string& cluster) {
    return client().call("POST", "/zstack/v1/l2-networks/" + l2 + "/clusters/" + cluster,
                         Json::object());
  }
  HttpReply detachL2Reply(const std::string& l2, const std::string& cluster) {
    return client().call("DELETE", "/zstack/v1/l2-networks/" + l2 + "/clusters/" + cluster);
  }

  Json l3(const std::string& l2, const std::string& name = "l3") {
    return created(post("l3-networks", {{"name", name}, {"l2NetworkUuid", l2}}));
  }
  HttpReply rangeReply(const std::string& l3, const std::string& start, const std::string& end,
                       const std::string& gateway, const std::string& netmask = "255.255.255.0") {
    return post("l3-networks/" + l3 + "/ip-ranges", {{"name", "range"},
                                                     {"startIp", start},
                                                     {"endIp", end},
                                                     {"netmask", netmask},
                                                     {"gateway", gateway}});
  }
  Json range(const std::string& l3, const std::string& start, const std::string& end,
             const std::string& gateway) {
    return created(rangeReply(l3, start, end, gateway));
  }
  HttpReply cidrReply(const std::string& l3, const std::string& cidr) {
    return post("l3-networks/" + l3 + "/ip-ranges/by-cidr",
                {{"name", "cidr"}, {"networkCidr", cidr}});
  }
  HttpReply l3Action(const std::string& l3, const Json& body) {
    return client().call("PUT", "/zstack/v1/l3-networks/" + l3 + "/actions", body);
  }
  Json l3Of(const std::string& uuid) { return query("/zstack/v1/l3-networks/" + uuid)[0]; }
  Json l2Of(const std::string& uuid) { return query("/zstack/v1/l2-networks/" + uuid)[0]; }

  std::string flatProvider() {
    return query("/zstack/v1/network-services/providers?q=type=Flat")[0]["uuid"];
  }
  HttpReply attachServices(const std::string& l3, const Json& services) {
    return post("l3-networks/" + l3 + "/network-services", {{"networkServices", services}});
  }

  // The server's log (its stdout): the simulator realizer writes a line per realization.
  std::string serverLog() {
    std::ifstream in(dir_.path() / "node.log");
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
  }
  int logCount(const std::string& needle) {
    std::string log = serverLog();
    int n = 0;
    for (auto at = log.find(needle); at != std::string::npos; at = log.find(needle, at + 1)) ++n;
    return n;
  }
  // Lines like "l2Network.realized uuid=<l2> ... host=<host>".
  bool hasLine(const std::string& event, const std::string& l2, const std::string& host) {
    std::string log = serverLog();
    std::istringstream lines(log);
    for (std::string line; std::getline(lines, line);) {
      if (line.find(event + " uuid=" + l2) != std::string::npos &&
          line.find("host=" + host) != std::string::npos)
        return true;
    }
    return false;
  }
};

}  // namespace strato::test
