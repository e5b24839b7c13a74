#include "l2_store.h"

#include <algorithm>

namespace strato::l2 {
namespace {

constexpr const char* kColumns =
    "uuid, name, description, zoneUuid, physicalInterface, type, createDate, lastOpDate, vlan, "
    "vni, poolUuid, attachedVniRanges, attachedVxlanNetworkRefs, attachedCidrs, attachedVtepRefs";

bool isNull(const DbValue& v) { return std::holds_alternative<std::monostate>(v); }

Json parseJson(const DbValue& v) {
  Json j = Json::parse(dbText(v), nullptr, false);
  return j.is_discarded() ? Json() : j;
}

// One row of kColumns as the query engine renders it: absent values are left out.
Json render(const std::vector<DbValue>& r, const std::vector<std::string>& clusters) {
  Json l2{{"uuid", dbText(r[0])},
          {"name", dbText(r[1])},
          {"zoneUuid", dbText(r[3])},
          {"type", dbText(r[5])},
          {"createDate", formatGsonDate(dbInt(r[6]))},
          {"lastOpDate", formatGsonDate(dbInt(r[7]))},
          {"attachedClusterUuids", Json(clusters)}};
  if (!isNull(r[2])) l2["description"] = dbText(r[2]);
  if (!isNull(r[4])) l2["physicalInterface"] = dbText(r[4]);
  if (!isNull(r[8])) l2["vlan"] = dbInt(r[8]);
  if (!isNull(r[9])) l2["vni"] = dbInt(r[9]);
  if (!isNull(r[10])) l2["poolUuid"] = dbText(r[10]);
  const char* lists[] = {"attachedVniRanges", "attachedVxlanNetworkRefs", "attachedCidrs",
                         "attachedVtepRefs"};
  for (int i = 0; i < 4; ++i) {
    if (!isNull(r[11 + i])) l2[lists[i]] = parseJson(r[11 + i]);
  }
  return l2;
}

Json renderVniRange(const std::vector<DbValue>& r) {
  Json range{{"uuid", dbText(r[0])},
             {"name", dbText(r[1])},
             {"startVni", dbInt(r[3])},
             {"endVni", dbInt(r[4])},
             {"l2NetworkUuid", dbText(r[5])},
             {"createDate", formatGsonDate(dbInt(r[6]))},
             {"lastOpDate", formatGsonDate(dbInt(r[7]))}};
  if (!isNull(r[2])) range["description"] = dbText(r[2]);
  return range;
}

constexpr const char* kVniColumns =
    "uuid, name, description, startVni, endVni, l2NetworkUuid, createDate, lastOpDate";

}  // namespace

Result<L2NetworkSpec> loadSpec(Database& db, const std::string& uuid) {
  auto rows = db.query(
      "SELECT name, zoneUuid, physicalInterface, type, vlan, vni, poolUuid, mtu FROM l2_network "
      "WHERE uuid = ?",
      {uuid});
  if (!rows) return rows.error();
  if (rows->rows.empty()) return makeError(ErrorCode::kNotFound, "no L2 network " + uuid);
  const auto& r = rows->rows.front();
  L2NetworkSpec spec;
  spec.uuid = uuid;
  spec.name = dbText(r[0]);
  spec.zoneUuid = dbText(r[1]);
  spec.physicalInterface = dbText(r[2]);
  spec.type = dbText(r[3]);
  if (!isNull(r[4])) spec.vlan = dbInt(r[4]);
  if (!isNull(r[5])) spec.vni = dbInt(r[5]);
  spec.poolUuid = dbText(r[6]);
  spec.mtu = dbInt(r[7]);
  return spec;
}

Result<std::vector<std::string>> attachedClusters(Database& db, const std::string& uuid) {
  return textColumn(db,
                    "SELECT clusterUuid FROM l2_network_cluster_ref WHERE l2NetworkUuid = ? "
                    "ORDER BY createDate, clusterUuid",
                    {uuid});
}

Result<Json> loadInventory(Database& db, const std::string& uuid) {
  auto rows =
      db.query(std::string("SELECT ") + kColumns + " FROM l2_network WHERE uuid = ?", {uuid});
  if (!rows) return rows.error();
  if (rows->rows.empty()) return makeError(ErrorCode::kNotFound, "no L2 network " + uuid);
  auto clusters = attachedClusters(db, uuid);
  if (!clusters) return clusters.error();
  return render(rows->rows.front(), *clusters);
}

Result<Json> loadVniRange(Database& db, const std::string& uuid) {
  auto rows =
      db.query(std::string("SELECT ") + kVniColumns + " FROM vni_range WHERE uuid = ?", {uuid});
  if (!rows) return rows.error();
  if (rows->rows.empty()) return makeError(ErrorCode::kNotFound, "no VNI range " + uuid);
  return renderVniRange(rows->rows.front());
}

Result<std::vector<HostSpec>> clusterHosts(Database& db, const std::string& clusterUuid,
                                           bool connectedOnly) {
  std::string sql =
      "SELECT uuid, name, managementIp, zoneUuid, hypervisorType, extra FROM host "
      "WHERE clusterUuid = ?";
  if (connectedOnly) sql += " AND status = 'Connected'";
  auto rows = db.query(sql + " ORDER BY uuid", {clusterUuid});
  if (!rows) return rows.error();
  std::vector<HostSpec> out;
  for (const auto& r : rows->rows) {
    HostSpec host;
    host.uuid = dbText(r[0]);
    host.name = dbText(r[1]);
    host.managementIp = dbText(r[2]);
    host.clusterUuid = clusterUuid;
    host.zoneUuid = dbText(r[3]);
    host.hypervisorType = dbText(r[4]);
    // Where the KVM plugin says the host's agent listens, among other things.
    host.extra = Json::parse(dbText(r[5]), nullptr, false);
    if (!host.extra.is_object()) host.extra = Json::object();
    out.push_back(std::move(host));
  }
  return out;
}

Status refreshAttachedColumn(Database& db, const std::string& uuid) {
  auto clusters = attachedClusters(db, uuid);
  if (!clusters) return clusters.error();
  auto changed =
      db.execute("UPDATE l2_network SET attachedClusterUuids = ?, lastOpDate = ? WHERE uuid = ?",
                 {Json(*clusters).dump(), nowMillis(), uuid});
  if (!changed) return changed.error();
  auto pool = db.query("SELECT poolUuid FROM l2_network WHERE uuid = ?", {uuid});
  if (!pool) return pool.error();
  if (!pool->rows.empty() && !isNull(pool->rows[0][0])) {
    return refreshPool(db, dbText(pool->rows[0][0]));
  }
  return {};
}

Status refreshPool(Database& db, const std::string& poolUuid) {
  auto ranges = db.query(std::string("SELECT ") + kVniColumns +
                             " FROM vni_range WHERE l2NetworkUuid = ? ORDER BY startVni",
                         {poolUuid});
  if (!ranges) return ranges.error();
  Json rangeList = Json::array();
  for (const auto& r : ranges->rows) rangeList.push_back(renderVniRange(r));
  auto networks = db.query(
      std::string("SELECT ") + kColumns + " FROM l2_network WHERE poolUuid = ? ORDER BY vni",
      {poolUuid});
  if (!networks) return networks.error();
  Json networkList = Json::array();
  for (const auto& r : networks->rows) {
    auto clusters = attachedClusters(db, dbText(r[0]));
    if (!clusters) return clusters.error();
    networkList.push_back(render(r, *clusters));
  }
  return statusOf(db.execute(
      "UPDATE l2_network SET attachedVniRanges = ?, attachedVxlanNetworkRefs = ? WHERE uuid = ?",
      {rangeList.dump(), networkList.dump(), poolUuid}));
}

Status removeNetworks(Database& db, const std::vector<std::string>& uuids) {
  return forEachSlice(uuids, [&](const std::vector<DbValue>& slice) -> Status {
    std::string in = " IN (" + sqlPlaceholders(slice.size()) + ")";
    return db.transaction([&](Database& tx) -> Status {
      // Pools that lose VXLAN networks here but survive get their summary rewritten.
      auto pools = tx.query(
          "SELECT DISTINCT poolUuid FROM l2_network WHERE poolUuid IS NOT NULL "
          "AND uuid" +
              in,
          slice);
      if (!pools) return pools.error();
      for (const char* sql :
           {"DELETE FROM l2_network_cluster_ref WHERE l2NetworkUuid",
            "DELETE FROM vni_range WHERE l2NetworkUuid", "DELETE FROM l2_network WHERE uuid"}) {
        if (auto s = statusOf(tx.execute(sql + in, slice)); !s) return s;
      }
      for (const auto& p : pools->rows) {
        auto left = tx.query("SELECT 1 FROM l2_network WHERE uuid = ?", {dbText(p[0])});
        if (!left) return left.error();
        if (left->rows.empty()) continue;
        if (auto s = refreshPool(tx, dbText(p[0])); !s) return s;
      }
      return {};
    });
  });
}

}  // namespace strato::l2
