// Cluster handlers (section 4.2 of the ZStack manual). Every function blocks on the database:
// run them on the bus's blocking pool.
#pragma once

#include <string>
#include <vector>

#include <strato/sdk.h>

namespace strato::cluster {

// {"inventory": cluster}, or kNotFound.
Reply loadCluster(Database& db, const std::string& uuid);

// params: zoneUuid, name, description?, hypervisorType, type?, resourceUuid?. The hypervisor
// type must be one a loaded plugin drives (looked up now, so a vendor build's set counts).
Reply createCluster(Database& db, const ExtensionLookup& extensions, const Json& params);
Reply updateCluster(Database& db, const Json& params);
Reply changeClusterState(Database& db, const Json& params);
Reply updateClusterOs(Database& db, const Json& params);
// Deletes the row only; the caller ran the cascade first. Absent rows count as deleted.
Reply deleteClusterRow(Database& db, const std::string& uuid);

// The CascadeNode "ClusterVO" below "ZoneVO".
class ClusterCascade : public CascadeNode {
 public:
  explicit ClusterCascade(Database& db) : db_(db) {}
  std::string resourceType() const override { return "ClusterVO"; }
  std::vector<std::string> parentTypes() const override { return {"ZoneVO"}; }
  Result<std::vector<std::string>> below(const std::string& parentType,
                                         const std::vector<std::string>& parentUuids) override;
  Status remove(const std::vector<std::string>& uuids, DeleteMode mode) override;

 private:
  Database& db_;
};

}  // namespace strato::cluster
