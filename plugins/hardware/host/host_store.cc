#include "host_store.h"

#include <algorithm>

namespace strato::host {
namespace {

constexpr const char* kInventoryColumns =
    "uuid, name, description, zoneUuid, clusterUuid, managementIp, hypervisorType, state, status, "
    "totalCpu, availableCpu, cpuSockets, totalMemory, availableMemory, cpuNum, createDate, "
    "lastOpDate";

}  // namespace

Result<Json> loadHost(Database& db, const std::string& uuid) {
  auto rows =
      db.query(std::string("SELECT ") + kInventoryColumns + " FROM host WHERE uuid = ?", {uuid});
  if (!rows) return rows.error();
  if (rows->rows.empty()) return makeError(ErrorCode::kNotFound, "no host " + uuid);
  const auto& r = rows->rows.front();
  Json host{{"uuid", dbText(r[0])},
            {"name", dbText(r[1])},
            {"zoneUuid", dbText(r[3])},
            {"clusterUuid", dbText(r[4])},
            {"managementIp", dbText(r[5])},
            {"hypervisorType", dbText(r[6])},
            {"state", dbText(r[7])},
            {"status", dbText(r[8])},
            {"totalCpuCapacity", dbInt(r[9])},
            {"availableCpuCapacity", dbInt(r[10])},
            {"cpuSockets", dbInt(r[11])},
            {"totalMemoryCapacity", dbInt(r[12])},
            {"availableMemoryCapacity", dbInt(r[13])},
            {"cpuNum", dbInt(r[14])},
            {"createDate", formatGsonDate(dbInt(r[15]))},
            {"lastOpDate", formatGsonDate(dbInt(r[16]))}};
  if (!std::holds_alternative<std::monostate>(r[2])) host["description"] = dbText(r[2]);
  return host;
}

Result<HostRecord> loadRecord(Database& db, const std::string& uuid) {
  auto rows = db.query(
      "SELECT name, managementIp, clusterUuid, zoneUuid, hypervisorType, extra, status, state "
      "FROM host WHERE uuid = ?",
      {uuid});
  if (!rows) return rows.error();
  if (rows->rows.empty()) return makeError(ErrorCode::kNotFound, "no host " + uuid);
  const auto& r = rows->rows.front();
  HostRecord record;
  record.spec.uuid = uuid;
  record.spec.name = dbText(r[0]);
  record.spec.managementIp = dbText(r[1]);
  record.spec.clusterUuid = dbText(r[2]);
  record.spec.zoneUuid = dbText(r[3]);
  record.spec.hypervisorType = dbText(r[4]);
  record.spec.extra = Json::parse(dbText(r[5]), nullptr, false);
  if (record.spec.extra.is_discarded()) record.spec.extra = Json::object();
  record.status = dbText(r[6]);
  record.state = dbText(r[7]);
  return record;
}

Result<bool> transition(Database& db, MessageBus& bus, const std::string& uuid,
                        const std::string& from, const std::string& to) {
  if (from == to) return false;
  auto changed =
      db.execute("UPDATE host SET status = ?, lastOpDate = ? WHERE uuid = ? AND status = ?",
                 {to, nowMillis(), uuid, from});
  if (!changed) return changed.error();
  if (*changed == 0) return false;
  bus.publish({std::string(kStatusChangedEvent),
               uuid,
               {{"uuid", uuid}, {"oldStatus", from}, {"newStatus", to}}});
  return true;
}

Status removeHosts(Database& db, MessageBus& bus, const std::vector<std::string>& uuids) {
  return forEachSlice(uuids, [&](const std::vector<DbValue>& slice) -> Status {
    std::string in = "(" + sqlPlaceholders(slice.size()) + ")";
    auto rows =
        db.query("SELECT uuid, hypervisorType, clusterUuid FROM host WHERE uuid IN " + in, slice);
    if (!rows) return rows.error();
    auto done = db.execute("DELETE FROM host WHERE uuid IN " + in, slice);
    if (!done) return done.error();
    for (const auto& r : rows->rows) {
      bus.publish({std::string(kHostDeletedEvent),
                   dbText(r[0]),
                   {{"uuid", dbText(r[0])},
                    {"hypervisorType", dbText(r[1])},
                    {"clusterUuid", dbText(r[2])}}});
    }
    return {};
  });
}

Result<std::vector<std::string>> trackedHosts(Database& db) {
  auto rows = db.query("SELECT uuid FROM host WHERE status IN ('Connected', 'Disconnected')");
  if (!rows) return rows.error();
  std::vector<std::string> out;
  out.reserve(rows->rows.size());
  for (const auto& r : rows->rows) out.push_back(dbText(r[0]));
  return out;
}

}  // namespace strato::host
