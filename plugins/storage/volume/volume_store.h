// The volume table's rows and inventories. Every function blocks on the database: call it from
// the bus's blocking pool.
#pragma once

#include <string>

#include <strato/handler_util.h>
#include <strato/sdk.h>

namespace strato::volume {

struct VolumeRecord {
  std::string uuid;
  std::string name;
  std::string primaryStorageUuid;  // empty while NotInstantiated
  std::string installPath;         // empty while NotInstantiated
  std::string type;                // Root, Data
  std::string format;
  std::string state;   // Enabled, Disabled
  std::string status;  // NotInstantiated, Creating, Ready, Deleted
  std::int64_t size = 0;
  std::int64_t actualSize = 0;
  std::string vmInstanceUuid;
};
// kNotFound when there is no such volume.
Result<VolumeRecord> loadVolume(Database& db, const std::string& uuid);

// The inventory of section 3.2.1 (null fields left out, as the query engine does).
Result<Json> loadInventory(Database& db, const std::string& uuid);
Reply inventoryReply(Database& db, const std::string& uuid);

}  // namespace strato::volume
