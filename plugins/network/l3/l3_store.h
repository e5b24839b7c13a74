// The l3_network, ip_range and network_service_l3_ref tables: rows and inventories. Every
// function blocks on the database: call it on the blocking pool.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <strato/handler_util.h>
#include <strato/sdk.h>

namespace strato::l3 {

inline constexpr std::string_view kBasicType = "L3BasicNetwork";

struct L3Record {
  std::string uuid;
  std::string name;
  std::string zoneUuid;
  std::string l2NetworkUuid;
  std::string state;
  bool system = false;
  std::optional<std::int64_t> mtu;  // nullopt: the L2's
  std::string routerInterfaceIp;
  Json dns;        // list of strings
  Json hostRoute;  // list of {id, l3NetworkUuid, prefix, nextHop, createDate, lastOpDate}
};
// kNotFound when there is no such L3 network.
Result<L3Record> loadL3(Database& db, const std::string& uuid);

struct RangeRecord {
  std::string uuid;
  std::string l3NetworkUuid;
  std::string name;
  std::int64_t startKey = 0;
  std::int64_t endKey = 0;
  std::string netmask;
  std::string gateway;
  std::string networkCidr;
  int prefixLen = 0;
};
Result<std::vector<RangeRecord>> loadRanges(Database& db, const std::string& l3Uuid);
Result<RangeRecord> loadRange(Database& db, const std::string& uuid);

// As the query engine renders them (NULLs left out).
Result<Json> loadInventory(Database& db, const std::string& uuid);
Result<Json> loadRangeInventory(Database& db, const std::string& uuid);
inline Reply inventoryReply(Database& db, const std::string& uuid) {
  auto inventory = loadInventory(db, uuid);
  if (!inventory) return inventory.error();
  return Json{{"inventory", *inventory}};
}

// Rewrite the L3's ipRanges / networkServices columns from the rows; call them in the
// transaction that changed those.
Status refreshRanges(Database& db, const std::string& l3Uuid);
Status refreshServices(Database& db, const std::string& l3Uuid);

// The L2 network an L3 may be created on: {zoneUuid, type, mtu}; kNotFound if none.
struct L2Facts {
  std::string zoneUuid;
  std::string type;
  std::int64_t mtu = 1500;
};
Result<L2Facts> loadL2(Database& db, const std::string& uuid);

}  // namespace strato::l3
