#include "l2_schema.h"

namespace strato::l2 {
namespace {

// Columns every L2 inventory shows, in the manual's order.
constexpr const char* kBaseColumns =
    "uuid, name, description, zoneUuid, physicalInterface, type, createDate, lastOpDate, "
    "attachedClusterUuids";

std::string view(const char* name, const std::string& columns, const char* type) {
  return std::string("CREATE VIEW ") + name + " AS SELECT " + columns +
         " FROM l2_network WHERE type = '" + type + "'";
}

Migration tables() {
  std::string base = kBaseColumns;
  return {
      1,
      "L2 networks, cluster attachments, VNI ranges",
      {// One table for every type: type-specific columns are NULL elsewhere, and the query
       // engine leaves NULLs out, so QueryL2Network shows each network with its own fields.
       // The pool's lists are JSON columns kept next to the rows they summarise (the query
       // engine renders only native columns), rewritten in the transactions that change them.
       "CREATE TABLE l2_network (uuid VARCHAR(32) PRIMARY KEY, name VARCHAR(255) NOT NULL, "
       "description TEXT, zoneUuid VARCHAR(32) NOT NULL, physicalInterface VARCHAR(255), "
       "type VARCHAR(64) NOT NULL, vlan INTEGER, vni INTEGER, poolUuid VARCHAR(32), "
       "mtu INTEGER NOT NULL, attachedClusterUuids TEXT NOT NULL, attachedVniRanges TEXT, "
       "attachedVxlanNetworkRefs TEXT, attachedCidrs TEXT, attachedVtepRefs TEXT, "
       "createDate BIGINT NOT NULL, lastOpDate BIGINT NOT NULL)",
       "CREATE INDEX l2_network_zone ON l2_network (zoneUuid)",
       "CREATE INDEX l2_network_name ON l2_network (name)",
       // One VLAN per physical interface and zone; one VNI per pool. NULLs never clash, so
       // the other types are not constrained.
       "CREATE UNIQUE INDEX l2_network_vlan ON l2_network (zoneUuid, physicalInterface, vlan)",
       "CREATE UNIQUE INDEX l2_network_vni ON l2_network (poolUuid, vni)",
       "CREATE TABLE l2_network_cluster_ref (l2NetworkUuid VARCHAR(32) NOT NULL, "
       "clusterUuid VARCHAR(32) NOT NULL, createDate BIGINT NOT NULL, "
       "lastOpDate BIGINT NOT NULL, PRIMARY KEY (l2NetworkUuid, clusterUuid))",
       "CREATE INDEX l2_network_cluster_ref_cluster ON l2_network_cluster_ref (clusterUuid)",
       "CREATE TABLE vni_range (uuid VARCHAR(32) PRIMARY KEY, name VARCHAR(255) NOT NULL, "
       "description TEXT, l2NetworkUuid VARCHAR(32) NOT NULL, startVni INTEGER NOT NULL, "
       "endVni INTEGER NOT NULL, createDate BIGINT NOT NULL, lastOpDate BIGINT NOT NULL)",
       "CREATE INDEX vni_range_pool ON vni_range (l2NetworkUuid)",
       // The typed query APIs read views, so each shows only its type.
       view("l2_vlan_network", base + ", vlan", "L2VlanNetwork"),
       view("l2_vxlan_network", base + ", vni, poolUuid", "L2VxlanNetwork"),
       view("l2_vxlan_network_pool",
            base + ", attachedVniRanges, attachedVxlanNetworkRefs, attachedCidrs, attachedVtepRefs",
            "L2VxlanNetworkPool")}};
}

std::vector<InventoryField> baseFields() {
  using F = FieldType;
  return {{"uuid"},
          {"name"},
          {"description"},
          {"zoneUuid"},
          {"physicalInterface"},
          {"type"},
          {"createDate", F::kDate},
          {"lastOpDate", F::kDate},
          {"attachedClusterUuids", F::kJson}};
}

InventorySchema l2Inventory(const char* name, const char* table, const char* className,
                            std::vector<InventoryField> extra) {
  auto fields = baseFields();
  fields.insert(fields.end(), extra.begin(), extra.end());
  return {name,
          table,
          className,
          fields,
          {{"zone", "Zone", "zoneUuid", "uuid"},
           {"clusterRefs", "L2NetworkClusterRef", "uuid", "l2NetworkUuid"}}};
}

}  // namespace

void addSchema(Registrar& r) {
  r.addMigrations({tables()});
  using F = FieldType;
  r.addInventory(l2Inventory("L2Network", "l2_network",
                             "org.zstack.header.network.l2.L2NetworkInventory",
                             {{"vlan", F::kInteger}, {"vni", F::kInteger}, {"poolUuid"}}));
  r.addInventory(l2Inventory("L2VlanNetwork", "l2_vlan_network",
                             "org.zstack.header.network.l2.L2VlanNetworkInventory",
                             {{"vlan", F::kInteger}}));
  r.addInventory(l2Inventory("L2VxlanNetwork", "l2_vxlan_network",
                             "org.zstack.network.l2.vxlan.vxlanNetwork.L2VxlanNetworkInventory",
                             {{"vni", F::kInteger}, {"poolUuid"}}));
  r.addInventory(
      l2Inventory("L2VxlanNetworkPool", "l2_vxlan_network_pool",
                  "org.zstack.network.l2.vxlan.vxlanNetworkPool.L2VxlanNetworkPoolInventory",
                  {{"attachedVniRanges", F::kJson},
                   {"attachedVxlanNetworkRefs", F::kJson},
                   {"attachedCidrs", F::kJson},
                   {"attachedVtepRefs", F::kJson}}));
  r.addInventory(
      {"L2NetworkClusterRef",
       "l2_network_cluster_ref",
       "org.zstack.header.network.l2.L2NetworkClusterRefInventory",
       {{"l2NetworkUuid"}, {"clusterUuid"}, {"createDate", F::kDate}, {"lastOpDate", F::kDate}},
       {{"cluster", "Cluster", "clusterUuid", "uuid"},
        {"l2Network", "L2Network", "l2NetworkUuid", "uuid"}}});
  r.addInventory({"VniRange",
                  "vni_range",
                  "org.zstack.network.l2.vxlan.vxlanNetworkPool.VniRangeInventory",
                  {{"uuid"},
                   {"name"},
                   {"description"},
                   {"startVni", F::kInteger},
                   {"endVni", F::kInteger},
                   {"l2NetworkUuid"},
                   {"createDate", F::kDate},
                   {"lastOpDate", F::kDate}},
                  {{"l2Network", "L2Network", "l2NetworkUuid", "uuid"}}});
}

}  // namespace strato::l2
