// The primary_storage and primary_storage_cluster_ref tables: rows, inventories, statuses,
// attachments and capacities. Every function blocks on the database: call it from the bus's
// blocking pool.
#pragma once

#include <string>
#include <vector>

#include <strato/handler_util.h>

#include "ps_driver.h"

namespace strato::primary {

// Body {"uuid", "oldStatus", "newStatus"}, published on every status change.
inline constexpr std::string_view kStatusChangedEvent = "primaryStorage.StatusChanged";

struct PrimaryStorageRecord {
  PrimaryStorageSpec spec;
  std::string state;
  std::string status;
};
// kNotFound when there is no such primary storage.
Result<PrimaryStorageRecord> loadRecord(Database& db, const std::string& uuid);

// The inventory of section 4.4.2, attachedClusterUuids read from the attachment rows.
Result<Json> loadInventory(Database& db, const std::string& uuid);
inline Reply inventoryReply(Database& db, const std::string& uuid) {
  auto inventory = loadInventory(db, uuid);
  if (!inventory) return inventory.error();
  return Json{{"inventory", *inventory}};
}

// Clusters the storage is attached to, oldest attachment first.
Result<std::vector<std::string>> attachedClusters(Database& db, const std::string& uuid);
// Hosts of a cluster; only the Connected ones when `connectedOnly`.
Result<std::vector<StorageHost>> clusterHosts(Database& db, const std::string& clusterUuid,
                                              bool connectedOnly);
// Connected hosts of every attached cluster.
Result<std::vector<StorageHost>> attachedHosts(Database& db, const std::string& uuid);

// Rewrites the attachedClusterUuids column (a JSON list, so the query engine renders it as the
// seed's list) from the attachment rows. Call it in the transaction that changed them.
Status refreshAttachedColumn(Database& db, const std::string& uuid);

// Records what the driver reported. Volumes are not there yet, but what they will hold
// (total - available - systemUsed) carries over, like a host's used CPU does:
//   totalCapacity = totalPhysical, systemUsed = physically used beyond what volumes hold,
//   availableCapacity = total - systemUsed - held by volumes.
// Unknown capacities leave the row alone.
Status applyCapacity(Database& db, const std::string& uuid, const StorageCapacity& capacity);

// Moves status `from` -> `to` (only if it still is `from`) and publishes kStatusChangedEvent.
Status transition(Database& db, MessageBus& bus, const std::string& uuid, const std::string& from,
                  const std::string& to);

// Deletes the rows of these storages with their attachments and local-storage host refs.
Status removeStorages(Database& db, const std::vector<std::string>& uuids);

}  // namespace strato::primary
