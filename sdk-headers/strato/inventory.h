// Inventory schemas: how a resource's table is queried and rendered. A plugin declares one per
// resource it stores; the kernel's query engine then answers every Query* API of it (conditions,
// cross-inventory paths, tags, fields, sort, paging, counting) with bound SQL only.
#pragma once

#include <string>
#include <vector>

namespace strato {

// Dates are stored as INTEGER milliseconds since the epoch and rendered in Gson's default US
// form ("Nov 14, 2017 10:20:57 PM"). kJson columns hold JSON text rendered as JSON.
enum class FieldType { kString, kInteger, kFloat, kBoolean, kDate, kJson };

struct InventoryField {
  std::string name;  // in the inventory JSON and in query conditions, e.g. "zoneUuid"
  FieldType type = FieldType::kString;
  std::string column;  // SQL column; empty = same as name
};

// A path step from one inventory to another: `q=clusters.name=c1` on Zone follows the relation
// "clusters" to inventory "Cluster" where Cluster.zoneUuid = Zone.uuid.
struct InventoryRelation {
  std::string name;         // path segment, e.g. "clusters"
  std::string inventory;    // target inventory name, e.g. "Cluster"
  std::string localField;   // field of this inventory, e.g. "uuid"
  std::string remoteField;  // field of the target, e.g. "zoneUuid"
};

// A list of another inventory's rows inside each row of this one, as ZStack renders a VM's
// "vmNics" and "allVolumes": the target's rows whose `remoteField` equals this row's
// `localField`, ordered by `orderField` (empty: the target's uuid). Filled by one extra SELECT
// per page of results, not one per row; an empty list is rendered as [].
struct InventoryList {
  std::string name;         // key in the rendered row, e.g. "vmNics"
  std::string inventory;    // target inventory, e.g. "VmNic"
  std::string localField;   // field of this inventory, e.g. "uuid"
  std::string remoteField;  // field of the target, e.g. "vmInstanceUuid"
  std::string orderField;   // field of the target, e.g. "deviceId"
};

struct InventorySchema {
  std::string name;       // e.g. "Zone"; its tags' resourceType is name + "VO" ("ZoneVO")
  std::string table;      // SQL table. Resources have a "uuid" field: tags and GET /x/{uuid} use it
  std::string className;  // for the reply's schema, e.g. "org.zstack.header.zone.ZoneInventory"
  std::vector<InventoryField> fields;
  std::vector<InventoryRelation> relations;
  // Who may see rows of it with a non-admin session (see ownership.h):
  //  - ownedByAccount: resources an account owns (VMs, volumes, images, L3 networks, ...). The
  //    kernel records the owner when a POST API creates one, and queries show a non-admin
  //    session only what its account owns or what is shared with it;
  //  - accountField: rows whose that field holds the session's account uuid (quotas, say);
  //  - neither: every session sees every row (zones, global configs).
  bool ownedByAccount = false;
  std::string accountField;
  std::vector<InventoryList> lists;
};

}  // namespace strato
