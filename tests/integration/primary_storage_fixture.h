// Primary storage over HTTP: a strato-server with the in-tree plugins, simulator hosts, and
// helpers for the primary storage APIs of section 4.4 (and AddSimulatorPrimaryStorage).
#pragma once

#include <sqlite3.h>

#include <set>
#include <string>

#include "integration/hardware_fixture.h"

namespace strato::test {

inline constexpr std::int64_t kTiB = 1LL << 40;
inline constexpr std::int64_t kGiB = 1LL << 30;

inline std::string codeOf(const HttpReply& reply) {
  Json body = parse(reply);
  return body.contains("error") ? body["error"].value("code", "") : "";
}

// Attachments made within one millisecond may list in either order.
inline std::set<std::string> setOf(const Json& list) {
  std::set<std::string> out;
  for (const auto& v : list) out.insert(v.get<std::string>());
  return out;
}

inline std::set<std::string> keysOf(const Json& object) {
  std::set<std::string> keys;
  for (const auto& [key, value] : object.items()) keys.insert(key);
  return keys;
}

class PrimaryStorageTest : public HardwareTest {
 protected:
  HttpReply addReply(const std::string& path, const Json& params,
                     const Json& systemTags = Json::array()) {
    return client().call(
        "POST", "/zstack/v1/primary-storage/" + path,
        {{"params", params}, {"systemTags", systemTags}, {"userTags", Json::array()}});
  }

  Json add(const std::string& path, const Json& params) {
    auto reply = addReply(path, params);
    EXPECT_EQ(reply.status, 200) << reply.body;
    return parse(reply)["inventory"];
  }

  Json addLocal(const std::string& zoneUuid, const std::string& name = "local") {
    return add("local-storage", {{"url", "/zstack_ps"}, {"name", name}, {"zoneUuid", zoneUuid}});
  }

  Json addSimulator(const std::string& zoneUuid, std::int64_t total, std::int64_t available) {
    return add("simulators", {{"url", "/sim"},
                              {"name", "sim"},
                              {"zoneUuid", zoneUuid},
                              {"totalCapacity", total},
                              {"availableCapacity", available}});
  }

  HttpReply attachReply(const std::string& ps, const std::string& cluster) {
    return client().call("POST", "/zstack/v1/clusters/" + cluster + "/primary-storage/" + ps,
                         Json::object());
  }
  Json attach(const std::string& ps, const std::string& cluster) {
    auto reply = attachReply(ps, cluster);
    EXPECT_EQ(reply.status, 200) << reply.body;
    return parse(reply)["inventory"];
  }
  HttpReply detachReply(const std::string& ps, const std::string& cluster) {
    return client().call("DELETE", "/zstack/v1/clusters/" + cluster + "/primary-storage/" + ps);
  }

  HttpReply action(const std::string& ps, const Json& body) {
    return client().call("PUT", "/zstack/v1/primary-storage/" + ps + "/actions", body);
  }

  Json ps(const std::string& uuid) {
    Json found = query("/zstack/v1/primary-storage/" + uuid);
    return found.empty() ? Json() : found[0];
  }

  Json capacity(const std::string& queryString) {
    auto reply = client().send("GET", "/zstack/v1/primary-storage/capacities?" + queryString);
    EXPECT_EQ(reply.status, 200) << reply.body;
    return parse(reply);
  }

  Json hostDisks(const std::string& ps, const std::string& queryString = "") {
    auto reply = client().send(
        "GET", "/zstack/v1/primary-storage/local-storage/" + ps + "/capacities?" + queryString);
    EXPECT_EQ(reply.status, 200) << reply.body;
    return parse(reply)["inventories"];
  }
  // LocalStorage: what a host's disk has free, the ref naming the host whose disk holds a volume
  // or snapshot file (null: none), and LocalStorageMigrateVolume.
  std::int64_t localDiskAvailable(const std::string& ps, const std::string& host) {
    return hostDisks(ps, "hostUuid=" + host)[0]["availableCapacity"].get<std::int64_t>();
  }
  Json localRef(const std::string& resource) {
    Json found =
        query("/zstack/v1/primary-storage/local-storage/resource-refs?q=resourceUuid=" + resource);
    return found.empty() ? Json() : found[0];
  }
  HttpReply localMigrate(const std::string& volume, const std::string& host) {
    return client().call("PUT",
                         "/zstack/v1/primary-storage/local-storage/volumes/" + volume + "/actions",
                         {{"localStorageMigrateVolume", {{"destHostUuid", host}}}});
  }

  // The total of a query API, via count=true.
  std::int64_t total(const std::string& path) {
    auto reply = client().send(
        "GET", path + (path.find('?') == std::string::npos ? "?" : "&") + "count=true");
    EXPECT_EQ(reply.status, 200) << reply.body;
    return parse(reply).value("total", std::int64_t{-1});
  }

  // Rows of a table, read straight from the server's SQLite file: the attachment and host-ref
  // tables have no query API of their own.
  std::int64_t rowsIn(const std::string& table) {
    sqlite3* db = nullptr;
    std::string file = (dir_.path() / "node.db").string();
    std::int64_t count = -1;
    if (sqlite3_open_v2(file.c_str(), &db, SQLITE_OPEN_READWRITE, nullptr) == SQLITE_OK) {
      sqlite3_busy_timeout(db, 5000);
      sqlite3_stmt* stmt = nullptr;
      std::string sql = "SELECT COUNT(*) FROM " + table;
      if (sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr) == SQLITE_OK &&
          sqlite3_step(stmt) == SQLITE_ROW) {
        count = sqlite3_column_int64(stmt, 0);
      }
      sqlite3_finalize(stmt);
    }
    sqlite3_close(db);
    return count;
  }
};

}  // namespace strato::test
