// The l2_network, l2_network_cluster_ref and vni_range tables: rows, inventories, attachments and
// the pool's summary columns. Every function blocks on the database: call it on the blocking pool.
#pragma once

#include <string>
#include <vector>

#include <strato/handler_util.h>

#include "l2_types.h"

namespace strato::l2 {

// kNotFound when there is no such L2 network.
Result<L2NetworkSpec> loadSpec(Database& db, const std::string& uuid);

// The inventory as the query APIs render it (NULL columns left out), attachedClusterUuids read
// from the attachment rows.
Result<Json> loadInventory(Database& db, const std::string& uuid);
inline Reply inventoryReply(Database& db, const std::string& uuid) {
  auto inventory = loadInventory(db, uuid);
  if (!inventory) return inventory.error();
  return Json{{"inventory", *inventory}};
}
Result<Json> loadVniRange(Database& db, const std::string& uuid);

// Clusters the network is attached to, oldest attachment first.
Result<std::vector<std::string>> attachedClusters(Database& db, const std::string& uuid);
// Hosts of a cluster; only the Connected ones when `connectedOnly`.
Result<std::vector<HostSpec>> clusterHosts(Database& db, const std::string& clusterUuid,
                                           bool connectedOnly);

// Rewrites the attachedClusterUuids column from the attachment rows; for a VXLAN network also
// its pool's summary. Call it in the transaction that changed them.
Status refreshAttachedColumn(Database& db, const std::string& uuid);
// Rewrites a pool's attachedVniRanges and attachedVxlanNetworkRefs from the rows.
Status refreshPool(Database& db, const std::string& poolUuid);

// Deletes these networks' rows with their attachments and VNI ranges (no host is touched).
Status removeNetworks(Database& db, const std::vector<std::string>& uuids);

}  // namespace strato::l2
