// VNI ranges of a VXLAN network pool (5.1.14-5.1.16): which VNIs CreateL2VxlanNetwork may hand out.
#include "l2_factories.h"
#include "l2_service.h"
#include "l2_store.h"

namespace strato::l2 {
namespace {

Result<std::int64_t> vniParam(const Json& p, const char* name) {
  if (!p.contains(name) || !p[name].is_number_integer()) {
    return invalidArgument(std::string("missing required parameter '") + name + "'");
  }
  std::int64_t v = p[name].get<std::int64_t>();
  if (v < kMinVni || v > kMaxVni) {
    return invalidArgument(std::string("parameter '") + name + "' must be between 1 and 16777214",
                           std::to_string(v));
  }
  return v;
}

}  // namespace

Reply createVniRange(Database& db, const Json& p) {
  std::string pool = p.value("l2NetworkUuid", "");
  auto spec = loadSpec(db, pool);
  if (!spec) {
    if (spec.error().code != ErrorCode::kNotFound) return spec.error();
    return invalidArgument("parameter 'l2NetworkUuid' names no L2 network", pool);
  }
  if (spec->type != kVxlanPoolType) {
    return invalidArgument("parameter 'l2NetworkUuid' names a " + spec->type +
                           ", not a VXLAN network pool");
  }
  auto start = vniParam(p, "startVni");
  if (!start) return start.error();
  auto end = vniParam(p, "endVni");
  if (!end) return end.error();
  if (*start > *end) {
    return invalidArgument("parameter 'startVni' must not be above 'endVni'",
                           std::to_string(*start) + " > " + std::to_string(*end));
  }
  std::string uuid = p.value("resourceUuid", "");
  if (uuid.empty()) uuid = newUuid();
  if (!isUuid(uuid)) return invalidArgument("parameter 'resourceUuid' must be 32 hex digits", uuid);
  DbValue description;
  if (p.contains("description") && p["description"].is_string())
    description = p["description"].get<std::string>();
  auto now = nowMillis();
  // The overlap check and the insert share a transaction (SQLite's is IMMEDIATE, so a second
  // writer waits), and requests on one pool are queued one after the other anyway.
  auto stored = db.transaction([&](Database& tx) -> Status {
    auto overlap = tx.query(
        "SELECT uuid, startVni, endVni FROM vni_range WHERE l2NetworkUuid = ? AND startVni <= ? "
        "AND endVni >= ?",
        {pool, *end, *start});
    if (!overlap) return overlap.error();
    if (!overlap->rows.empty()) {
      const auto& o = overlap->rows[0];
      return invalidArgument("VNI range " + std::to_string(*start) + "-" + std::to_string(*end) +
                             " overlaps range " + dbText(o[0]) + " (" +
                             std::to_string(dbInt(o[1])) + "-" + std::to_string(dbInt(o[2])) +
                             ") of the pool");
    }
    auto inserted = tx.execute(
        "INSERT INTO vni_range (uuid, name, description, l2NetworkUuid, startVni, endVni, "
        "createDate, lastOpDate) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        {uuid, p.value("name", ""), description, pool, *start, *end, now, now});
    if (!inserted) {
      return makeError(ErrorCode::kAlreadyExists, "a resource with uuid " + uuid + " exists",
                       inserted.error().details);
    }
    return refreshPool(tx, pool);
  });
  if (!stored) return stored.error();
  auto range = loadVniRange(db, uuid);
  if (!range) return range.error();
  return Json{{"inventory", *range}};
}

// A range whose VNIs VXLAN networks still use stays: deleting it would leave them outside every
// range. Deleting the pool removes both (the cascade).
Reply deleteVniRange(Database& db, const std::string& uuid) {
  auto rows =
      db.query("SELECT l2NetworkUuid, startVni, endVni FROM vni_range WHERE uuid = ?", {uuid});
  if (!rows) return rows.error();
  if (rows->rows.empty()) return Json::object();
  std::string pool = dbText(rows->rows[0][0]);
  auto used = db.query(
      "SELECT uuid, vni FROM l2_network WHERE poolUuid = ? AND vni BETWEEN ? AND ? ORDER BY vni",
      {pool, dbInt(rows->rows[0][1]), dbInt(rows->rows[0][2])});
  if (!used) return used.error();
  if (!used->rows.empty()) {
    return makeError(ErrorCode::kConflict,
                     "VNI range " + uuid + " is in use: VXLAN network " + dbText(used->rows[0][0]) +
                         " has VNI " + std::to_string(dbInt(used->rows[0][1])),
                     std::to_string(used->rows.size()) + " network(s) in it; delete them first");
  }
  auto done = db.transaction([&](Database& tx) -> Status {
    if (auto s = statusOf(tx.execute("DELETE FROM vni_range WHERE uuid = ?", {uuid})); !s) return s;
    return refreshPool(tx, pool);
  });
  if (!done) return done.error();
  return Json::object();
}

}  // namespace strato::l2
