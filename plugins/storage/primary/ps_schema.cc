#include "ps_schema.h"

namespace strato::primary {
namespace {

// Capacities in bytes, as ZStack keeps them.
constexpr const char* kCapacityColumns =
    "totalCapacity BIGINT NOT NULL DEFAULT 0, availableCapacity BIGINT NOT NULL DEFAULT 0, "
    "totalPhysicalCapacity BIGINT NOT NULL DEFAULT 0, "
    "availablePhysicalCapacity BIGINT NOT NULL DEFAULT 0, "
    "systemUsedCapacity BIGINT NOT NULL DEFAULT 0, ";

Migration tables() {
  std::string capacity = kCapacityColumns;
  return {1,
          "primary storage, cluster attachments, local storage refs",
          {"CREATE TABLE primary_storage (uuid VARCHAR(32) PRIMARY KEY, "
           "name VARCHAR(255) NOT NULL, description TEXT, url VARCHAR(2048) NOT NULL, "
           "type VARCHAR(64) NOT NULL, zoneUuid VARCHAR(32) NOT NULL, state VARCHAR(32) NOT NULL, "
           "status VARCHAR(32) NOT NULL, mountPath VARCHAR(2048), " +
               capacity +
               "attachedClusterUuids TEXT NOT NULL, extra TEXT, createDate BIGINT NOT NULL, "
               "lastOpDate BIGINT NOT NULL)",
           "CREATE INDEX primary_storage_zone ON primary_storage (zoneUuid)",
           "CREATE INDEX primary_storage_name ON primary_storage (name)",
           "CREATE TABLE primary_storage_cluster_ref (primaryStorageUuid VARCHAR(32) NOT NULL, "
           "clusterUuid VARCHAR(32) NOT NULL, createDate BIGINT NOT NULL, "
           "lastOpDate BIGINT NOT NULL, PRIMARY KEY (primaryStorageUuid, clusterUuid))",
           "CREATE INDEX primary_storage_cluster_ref_cluster ON primary_storage_cluster_ref "
           "(clusterUuid)",
           "CREATE TABLE local_storage_host_ref (primaryStorageUuid VARCHAR(32) NOT NULL, "
           "hostUuid VARCHAR(32) NOT NULL, " +
               capacity +
               "createDate BIGINT NOT NULL, lastOpDate BIGINT NOT NULL, "
               "PRIMARY KEY (primaryStorageUuid, hostUuid))",
           "CREATE INDEX local_storage_host_ref_host ON local_storage_host_ref (hostUuid)",
           // Which host's disk holds a volume or image of a LocalStorage: written by the volume
           // and image plugins once they exist; QueryLocalStorageResourceRef reads it.
           "CREATE TABLE local_storage_resource_ref (resourceUuid VARCHAR(32) NOT NULL, "
           "primaryStorageUuid VARCHAR(32) NOT NULL, hostUuid VARCHAR(32) NOT NULL, "
           "size BIGINT NOT NULL DEFAULT 0, resourceType VARCHAR(64) NOT NULL, "
           "createDate BIGINT NOT NULL, lastOpDate BIGINT NOT NULL, "
           "PRIMARY KEY (resourceUuid, primaryStorageUuid))",
           "CREATE INDEX local_storage_resource_ref_host ON local_storage_resource_ref "
           "(hostUuid)"}};
}

}  // namespace

void addSchema(Registrar& r) {
  r.addMigrations({tables()});
  using F = FieldType;
  r.addInventory({"PrimaryStorage",
                  "primary_storage",
                  "org.zstack.header.storage.primary.PrimaryStorageInventory",
                  {{"uuid"},
                   {"zoneUuid"},
                   {"name"},
                   {"url"},
                   {"description"},
                   {"totalCapacity", F::kInteger},
                   {"availableCapacity", F::kInteger},
                   {"totalPhysicalCapacity", F::kInteger},
                   {"availablePhysicalCapacity", F::kInteger},
                   {"systemUsedCapacity", F::kInteger},
                   {"type"},
                   {"state"},
                   {"status"},
                   {"mountPath"},
                   {"createDate", F::kDate},
                   {"lastOpDate", F::kDate},
                   // Kept as a JSON list next to the attachment rows, so the query engine
                   // renders the seed's list; q=clusterRefs.clusterUuid=... queries it exactly.
                   {"attachedClusterUuids", F::kJson}},
                  {{"zone", "Zone", "zoneUuid", "uuid"},
                   {"clusterRefs", "PrimaryStorageClusterRef", "uuid", "primaryStorageUuid"}}});
  r.addInventory({"PrimaryStorageClusterRef",
                  "primary_storage_cluster_ref",
                  "org.zstack.header.storage.primary.PrimaryStorageClusterRefInventory",
                  {{"primaryStorageUuid"},
                   {"clusterUuid"},
                   {"createDate", F::kDate},
                   {"lastOpDate", F::kDate}},
                  {{"cluster", "Cluster", "clusterUuid", "uuid"},
                   {"primaryStorage", "PrimaryStorage", "primaryStorageUuid", "uuid"}}});
  r.addInventory({"LocalStorageResourceRef",
                  "local_storage_resource_ref",
                  "org.zstack.storage.primary.local.LocalStorageResourceRefInventory",
                  {{"resourceUuid"},
                   {"primaryStorageUuid"},
                   {"hostUuid"},
                   {"size", F::kInteger},
                   {"resourceType"},
                   {"createDate", F::kDate},
                   {"lastOpDate", F::kDate}},
                  {{"primaryStorage", "PrimaryStorage", "primaryStorageUuid", "uuid"},
                   {"host", "Host", "hostUuid", "uuid"}}});
}

}  // namespace strato::primary
