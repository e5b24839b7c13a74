#include "l3_store.h"

namespace strato::l3 {
namespace {

bool isNull(const DbValue& v) { return std::holds_alternative<std::monostate>(v); }

Json parseJson(const DbValue& v, Json fallback) {
  Json j = Json::parse(dbText(v), nullptr, false);
  return j.is_discarded() ? fallback : j;
}

constexpr const char* kRangeColumns =
    "uuid, l3NetworkUuid, name, description, startIp, endIp, netmask, gateway, networkCidr, "
    "ipVersion, prefixLen, createDate, lastOpDate, startKey, endKey";

Json renderRange(const std::vector<DbValue>& r) {
  Json range{{"uuid", dbText(r[0])},
             {"l3NetworkUuid", dbText(r[1])},
             {"name", dbText(r[2])},
             {"startIp", dbText(r[4])},
             {"endIp", dbText(r[5])},
             {"netmask", dbText(r[6])},
             {"gateway", dbText(r[7])},
             {"networkCidr", dbText(r[8])},
             {"ipVersion", dbInt(r[9])},
             {"prefixLen", dbInt(r[10])},
             {"createDate", formatGsonDate(dbInt(r[11]))},
             {"lastOpDate", formatGsonDate(dbInt(r[12]))}};
  if (!isNull(r[3])) range["description"] = dbText(r[3]);
  return range;
}

RangeRecord rangeRecord(const std::vector<DbValue>& r) {
  RangeRecord out;
  out.uuid = dbText(r[0]);
  out.l3NetworkUuid = dbText(r[1]);
  out.name = dbText(r[2]);
  out.netmask = dbText(r[6]);
  out.gateway = dbText(r[7]);
  out.networkCidr = dbText(r[8]);
  out.prefixLen = static_cast<int>(dbInt(r[10]));
  out.startKey = dbInt(r[13]);
  out.endKey = dbInt(r[14]);
  return out;
}

}  // namespace

Result<L3Record> loadL3(Database& db, const std::string& uuid) {
  auto rows = db.query(
      "SELECT name, zoneUuid, l2NetworkUuid, state, isSystem, mtu, routerInterfaceIp, dns, "
      "hostRoute FROM l3_network WHERE uuid = ?",
      {uuid});
  if (!rows) return rows.error();
  if (rows->rows.empty()) return makeError(ErrorCode::kNotFound, "no L3 network " + uuid);
  const auto& r = rows->rows.front();
  L3Record l3;
  l3.uuid = uuid;
  l3.name = dbText(r[0]);
  l3.zoneUuid = dbText(r[1]);
  l3.l2NetworkUuid = dbText(r[2]);
  l3.state = dbText(r[3]);
  l3.system = dbInt(r[4]) != 0;
  if (!isNull(r[5])) l3.mtu = dbInt(r[5]);
  l3.routerInterfaceIp = dbText(r[6]);
  l3.dns = parseJson(r[7], Json::array());
  l3.hostRoute = parseJson(r[8], Json::array());
  return l3;
}

Result<std::vector<RangeRecord>> loadRanges(Database& db, const std::string& l3Uuid) {
  auto rows = db.query(std::string("SELECT ") + kRangeColumns +
                           " FROM ip_range WHERE l3NetworkUuid = ? ORDER BY startKey",
                       {l3Uuid});
  if (!rows) return rows.error();
  std::vector<RangeRecord> out;
  for (const auto& r : rows->rows) out.push_back(rangeRecord(r));
  return out;
}

Result<RangeRecord> loadRange(Database& db, const std::string& uuid) {
  auto rows =
      db.query(std::string("SELECT ") + kRangeColumns + " FROM ip_range WHERE uuid = ?", {uuid});
  if (!rows) return rows.error();
  if (rows->rows.empty()) return makeError(ErrorCode::kNotFound, "no IP range " + uuid);
  return rangeRecord(rows->rows.front());
}

Result<Json> loadInventory(Database& db, const std::string& uuid) {
  auto rows = db.query(
      "SELECT uuid, name, description, type, zoneUuid, l2NetworkUuid, state, dnsDomain, "
      "isSystem, category, createDate, lastOpDate, dns, ipRanges, networkServices, hostRoute "
      "FROM l3_network WHERE uuid = ?",
      {uuid});
  if (!rows) return rows.error();
  if (rows->rows.empty()) return makeError(ErrorCode::kNotFound, "no L3 network " + uuid);
  const auto& r = rows->rows.front();
  Json l3{{"uuid", dbText(r[0])},
          {"name", dbText(r[1])},
          {"type", dbText(r[3])},
          {"zoneUuid", dbText(r[4])},
          {"l2NetworkUuid", dbText(r[5])},
          {"state", dbText(r[6])},
          {"system", dbInt(r[8]) != 0},
          {"category", dbText(r[9])},
          {"createDate", formatGsonDate(dbInt(r[10]))},
          {"lastOpDate", formatGsonDate(dbInt(r[11]))},
          {"dns", parseJson(r[12], Json::array())},
          {"ipRanges", parseJson(r[13], Json::array())},
          {"networkServices", parseJson(r[14], Json::array())},
          {"hostRoute", parseJson(r[15], Json::array())}};
  if (!isNull(r[2])) l3["description"] = dbText(r[2]);
  if (!isNull(r[7])) l3["dnsDomain"] = dbText(r[7]);
  return l3;
}

Result<Json> loadRangeInventory(Database& db, const std::string& uuid) {
  auto rows =
      db.query(std::string("SELECT ") + kRangeColumns + " FROM ip_range WHERE uuid = ?", {uuid});
  if (!rows) return rows.error();
  if (rows->rows.empty()) return makeError(ErrorCode::kNotFound, "no IP range " + uuid);
  return renderRange(rows->rows.front());
}

Status refreshRanges(Database& db, const std::string& l3Uuid) {
  auto rows = db.query(std::string("SELECT ") + kRangeColumns +
                           " FROM ip_range WHERE l3NetworkUuid = ? ORDER BY startKey",
                       {l3Uuid});
  if (!rows) return rows.error();
  Json ranges = Json::array();
  for (const auto& r : rows->rows) ranges.push_back(renderRange(r));
  return statusOf(db.execute("UPDATE l3_network SET ipRanges = ?, lastOpDate = ? WHERE uuid = ?",
                             {ranges.dump(), nowMillis(), l3Uuid}));
}

Status refreshServices(Database& db, const std::string& l3Uuid) {
  auto rows = db.query(
      "SELECT networkServiceProviderUuid, networkServiceType FROM network_service_l3_ref "
      "WHERE l3NetworkUuid = ? ORDER BY networkServiceType",
      {l3Uuid});
  if (!rows) return rows.error();
  Json refs = Json::array();
  for (const auto& r : rows->rows) {
    refs.push_back({{"l3NetworkUuid", l3Uuid},
                    {"networkServiceProviderUuid", dbText(r[0])},
                    {"networkServiceType", dbText(r[1])}});
  }
  return statusOf(
      db.execute("UPDATE l3_network SET networkServices = ?, lastOpDate = ? WHERE uuid = ?",
                 {refs.dump(), nowMillis(), l3Uuid}));
}

Result<L2Facts> loadL2(Database& db, const std::string& uuid) {
  auto rows = db.query("SELECT zoneUuid, type, mtu FROM l2_network WHERE uuid = ?", {uuid});
  if (!rows) return rows.error();
  if (rows->rows.empty()) return makeError(ErrorCode::kNotFound, "no L2 network " + uuid);
  const auto& r = rows->rows.front();
  return L2Facts{dbText(r[0]), dbText(r[1]), dbInt(r[2])};
}

}  // namespace strato::l3
