#include "host_store.h"

#include <algorithm>

namespace strato::host {
namespace {

constexpr const char* kInventoryColumns =
    "uuid, name, description, zoneUuid, clusterUuid, managementIp, hypervisorType, state, status, "
    "totalCpu, availableCpu, cpuSockets, totalMemory, availableMemory, cpuNum, createDate, "
    "lastOpDate";

}  // namespace

std::string text(const DbValue& v) {
  return std::holds_alternative<std::string>(v) ? std::get<std::string>(v) : std::string();
}

std::int64_t number(const DbValue& v) {
  if (std::holds_alternative<std::int64_t>(v)) return std::get<std::int64_t>(v);
  if (std::holds_alternative<double>(v)) return static_cast<std::int64_t>(std::get<double>(v));
  // MySQL's SUM() of a BIGINT is a DECIMAL, which may arrive as text.
  if (std::holds_alternative<std::string>(v)) {
    try {
      return static_cast<std::int64_t>(std::stod(std::get<std::string>(v)));
    } catch (...) {
    }
  }
  return 0;
}

std::string placeholders(std::size_t n) {
  std::string out;
  for (std::size_t i = 0; i < n; ++i) out += i ? ", ?" : "?";
  return out;
}

Result<Json> loadHost(Database& db, const std::string& uuid) {
  auto rows =
      db.query(std::string("SELECT ") + kInventoryColumns + " FROM host WHERE uuid = ?", {uuid});
  if (!rows) return rows.error();
  if (rows->rows.empty()) return makeError(ErrorCode::kNotFound, "no host " + uuid);
  const auto& r = rows->rows.front();
  Json host{{"uuid", text(r[0])},
            {"name", text(r[1])},
            {"zoneUuid", text(r[3])},
            {"clusterUuid", text(r[4])},
            {"managementIp", text(r[5])},
            {"hypervisorType", text(r[6])},
            {"state", text(r[7])},
            {"status", text(r[8])},
            {"totalCpuCapacity", number(r[9])},
            {"availableCpuCapacity", number(r[10])},
            {"cpuSockets", number(r[11])},
            {"totalMemoryCapacity", number(r[12])},
            {"availableMemoryCapacity", number(r[13])},
            {"cpuNum", number(r[14])},
            {"createDate", formatGsonDate(number(r[15]))},
            {"lastOpDate", formatGsonDate(number(r[16]))}};
  if (!std::holds_alternative<std::monostate>(r[2])) host["description"] = text(r[2]);
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
  record.spec.name = text(r[0]);
  record.spec.managementIp = text(r[1]);
  record.spec.clusterUuid = text(r[2]);
  record.spec.zoneUuid = text(r[3]);
  record.spec.hypervisorType = text(r[4]);
  record.spec.extra = Json::parse(text(r[5]), nullptr, false);
  if (record.spec.extra.is_discarded()) record.spec.extra = Json::object();
  record.status = text(r[6]);
  record.state = text(r[7]);
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

// ZStack counts CPU capacity in cores (the manual's examples: totalCpuCapacity 4 next to
// managedCpuNum 4), not in MHz; what VMs hold (total - available) carries over a reconnect.
Status applyFacts(Database& db, const std::string& uuid, const HostFacts& facts) {
  return db.transaction([&](Database& tx) -> Status {
    auto rows = tx.query(
        "SELECT totalCpu, availableCpu, totalMemory, availableMemory FROM host WHERE uuid = ?",
        {uuid});
    if (!rows) return rows.error();
    if (rows->rows.empty()) return makeError(ErrorCode::kNotFound, "no host " + uuid);
    const auto& r = rows->rows.front();
    std::int64_t usedCpu = std::max<std::int64_t>(0, number(r[0]) - number(r[1]));
    std::int64_t usedMemory = std::max<std::int64_t>(0, number(r[2]) - number(r[3]));
    auto done = tx.execute(
        "UPDATE host SET totalCpu = ?, availableCpu = ?, cpuNum = ?, cpuSockets = ?, totalMemory = "
        "?, "
        "availableMemory = ?, totalPhysicalMemory = ?, availablePhysicalMemory = ?, architecture = "
        "?, "
        "lastOpDate = ? WHERE uuid = ?",
        {facts.cpuNum, facts.cpuNum - usedCpu, facts.cpuNum, facts.cpuSockets,
         facts.totalMemoryBytes, facts.totalMemoryBytes - usedMemory, facts.totalMemoryBytes,
         facts.totalMemoryBytes, facts.architecture, nowMillis(), uuid});
    if (!done) return done.error();
    return {};
  });
}

Status removeHosts(Database& db, MessageBus& bus, const std::vector<std::string>& uuids) {
  for (std::size_t i = 0; i < uuids.size(); i += kSlice) {
    std::vector<DbValue> slice(
        uuids.begin() + static_cast<long>(i),
        uuids.begin() + static_cast<long>(std::min(uuids.size(), i + kSlice)));
    std::string in = "(" + placeholders(slice.size()) + ")";
    auto rows = db.query("SELECT uuid, hypervisorType FROM host WHERE uuid IN " + in, slice);
    if (!rows) return rows.error();
    auto done = db.execute("DELETE FROM host WHERE uuid IN " + in, slice);
    if (!done) return done.error();
    for (const auto& r : rows->rows) {
      bus.publish({std::string(kHostDeletedEvent),
                   text(r[0]),
                   {{"uuid", text(r[0])}, {"hypervisorType", text(r[1])}}});
    }
  }
  return {};
}

Result<std::vector<std::string>> trackedHosts(Database& db) {
  auto rows = db.query("SELECT uuid FROM host WHERE status IN ('Connected', 'Disconnected')");
  if (!rows) return rows.error();
  std::vector<std::string> out;
  out.reserve(rows->rows.size());
  for (const auto& r : rows->rows) out.push_back(text(r[0]));
  return out;
}

}  // namespace strato::host
