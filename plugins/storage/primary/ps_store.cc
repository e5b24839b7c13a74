#include "ps_store.h"

#include <algorithm>

namespace strato::primary {
namespace {

constexpr const char* kColumns =
    "uuid, zoneUuid, name, url, description, totalCapacity, availableCapacity, "
    "totalPhysicalCapacity, availablePhysicalCapacity, systemUsedCapacity, type, state, status, "
    "mountPath, createDate, lastOpDate";

}  // namespace

Result<PrimaryStorageRecord> loadRecord(Database& db, const std::string& uuid) {
  auto rows = db.query(
      "SELECT name, type, url, zoneUuid, extra, state, status FROM primary_storage WHERE uuid = ?",
      {uuid});
  if (!rows) return rows.error();
  if (rows->rows.empty()) return makeError(ErrorCode::kNotFound, "no primary storage " + uuid);
  const auto& r = rows->rows.front();
  PrimaryStorageRecord record;
  record.spec.uuid = uuid;
  record.spec.name = dbText(r[0]);
  record.spec.type = dbText(r[1]);
  record.spec.url = dbText(r[2]);
  record.spec.zoneUuid = dbText(r[3]);
  record.spec.extra = Json::parse(dbText(r[4]), nullptr, false);
  if (!record.spec.extra.is_object()) record.spec.extra = Json::object();
  record.state = dbText(r[5]);
  record.status = dbText(r[6]);
  return record;
}

Result<std::vector<std::string>> attachedClusters(Database& db, const std::string& uuid) {
  return textColumn(
      db,
      "SELECT clusterUuid FROM primary_storage_cluster_ref WHERE primaryStorageUuid = ? "
      "ORDER BY createDate, clusterUuid",
      {uuid});
}

Result<Json> loadInventory(Database& db, const std::string& uuid) {
  auto rows =
      db.query(std::string("SELECT ") + kColumns + " FROM primary_storage WHERE uuid = ?", {uuid});
  if (!rows) return rows.error();
  if (rows->rows.empty()) return makeError(ErrorCode::kNotFound, "no primary storage " + uuid);
  auto clusters = attachedClusters(db, uuid);
  if (!clusters) return clusters.error();
  const auto& r = rows->rows.front();
  Json ps{{"uuid", dbText(r[0])},
          {"zoneUuid", dbText(r[1])},
          {"name", dbText(r[2])},
          {"url", dbText(r[3])},
          {"totalCapacity", dbInt(r[5])},
          {"availableCapacity", dbInt(r[6])},
          {"totalPhysicalCapacity", dbInt(r[7])},
          {"availablePhysicalCapacity", dbInt(r[8])},
          {"systemUsedCapacity", dbInt(r[9])},
          {"type", dbText(r[10])},
          {"state", dbText(r[11])},
          {"status", dbText(r[12])},
          {"createDate", formatGsonDate(dbInt(r[14]))},
          {"lastOpDate", formatGsonDate(dbInt(r[15]))},
          {"attachedClusterUuids", Json(*clusters)}};
  // Absent values are left out, as the query engine does (and Gson does for nulls).
  if (!std::holds_alternative<std::monostate>(r[4])) ps["description"] = dbText(r[4]);
  if (!std::holds_alternative<std::monostate>(r[13])) ps["mountPath"] = dbText(r[13]);
  return ps;
}

Result<std::vector<StorageHost>> clusterHosts(Database& db, const std::string& clusterUuid,
                                              bool connectedOnly) {
  std::string sql =
      "SELECT uuid, managementIp, hypervisorType, extra FROM host WHERE clusterUuid = ?";
  if (connectedOnly) sql += " AND status = 'Connected'";
  auto rows = db.query(sql + " ORDER BY uuid", {clusterUuid});
  if (!rows) return rows.error();
  std::vector<StorageHost> out;
  for (const auto& r : rows->rows) {
    // The KVM plugin records its agent's port in the host's extra.
    Json extra = Json::parse(dbText(r[3]), nullptr, false);
    int agentPort = extra.is_object() ? extra.value("agentPort", 0) : 0;
    out.push_back({dbText(r[0]), dbText(r[1]), dbText(r[2]), clusterUuid, agentPort});
  }
  return out;
}

Result<std::vector<StorageHost>> attachedHosts(Database& db, const std::string& uuid) {
  auto clusters = attachedClusters(db, uuid);
  if (!clusters) return clusters.error();
  std::vector<StorageHost> out;
  for (const auto& cluster : *clusters) {
    auto hosts = clusterHosts(db, cluster, true);
    if (!hosts) return hosts.error();
    out.insert(out.end(), hosts->begin(), hosts->end());
  }
  return out;
}

Status refreshAttachedColumn(Database& db, const std::string& uuid) {
  auto clusters = attachedClusters(db, uuid);
  if (!clusters) return clusters.error();
  return statusOf(db.execute(
      "UPDATE primary_storage SET attachedClusterUuids = ?, lastOpDate = ? WHERE uuid = ?",
      {Json(*clusters).dump(), nowMillis(), uuid}));
}

Status applyCapacity(Database& db, const std::string& uuid, const StorageCapacity& capacity) {
  if (!capacity.known) return {};
  return db.transaction([&](Database& tx) -> Status {
    auto rows = tx.query(
        "SELECT totalCapacity, availableCapacity, systemUsedCapacity FROM primary_storage "
        "WHERE uuid = ?",
        {uuid});
    if (!rows) return rows.error();
    if (rows->rows.empty()) return makeError(ErrorCode::kNotFound, "no primary storage " + uuid);
    const auto& r = rows->rows.front();
    std::int64_t held = std::max<std::int64_t>(0, dbInt(r[0]) - dbInt(r[1]) - dbInt(r[2]));
    std::int64_t total = std::max<std::int64_t>(0, capacity.totalPhysical);
    std::int64_t physicalFree = std::clamp<std::int64_t>(capacity.availablePhysical, 0, total);
    std::int64_t systemUsed = std::max<std::int64_t>(0, total - physicalFree - held);
    std::int64_t available = std::max<std::int64_t>(0, total - systemUsed - held);
    return statusOf(tx.execute(
        "UPDATE primary_storage SET totalCapacity = ?, availableCapacity = ?, "
        "totalPhysicalCapacity = ?, availablePhysicalCapacity = ?, systemUsedCapacity = ?, "
        "lastOpDate = ? WHERE uuid = ?",
        {total, available, total, physicalFree, systemUsed, nowMillis(), uuid}));
  });
}

Status transition(Database& db, MessageBus& bus, const std::string& uuid, const std::string& from,
                  const std::string& to) {
  if (from == to) return {};
  auto changed = db.execute(
      "UPDATE primary_storage SET status = ?, lastOpDate = ? WHERE uuid = ? AND status = ?",
      {to, nowMillis(), uuid, from});
  if (!changed) return changed.error();
  if (*changed > 0) {
    bus.publish({std::string(kStatusChangedEvent),
                 uuid,
                 {{"uuid", uuid}, {"oldStatus", from}, {"newStatus", to}}});
  }
  return {};
}

Status removeStorages(Database& db, const std::vector<std::string>& uuids) {
  return forEachSlice(uuids, [&](const std::vector<DbValue>& slice) -> Status {
    std::string in = " IN (" + sqlPlaceholders(slice.size()) + ")";
    return db.transaction([&](Database& tx) -> Status {
      for (const char* sql : {"DELETE FROM primary_storage_cluster_ref WHERE primaryStorageUuid",
                              "DELETE FROM local_storage_host_ref WHERE primaryStorageUuid",
                              "DELETE FROM local_storage_resource_ref WHERE primaryStorageUuid",
                              "DELETE FROM primary_storage WHERE uuid"}) {
        if (auto s = statusOf(tx.execute(sql + in, slice)); !s) return s;
      }
      return {};
    });
  });
}

}  // namespace strato::primary
