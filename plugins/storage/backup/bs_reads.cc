// Read-only backup storage APIs: capacities and image migration candidates.
#include <tuple>

#include <strato/handler_util.h>

#include "bs_service.h"

namespace strato::backup {
namespace {

constexpr std::size_t kMaxUuids = 500;  // bound values per statement, at most

}  // namespace

Reply BackupStorageService::capacity(const Json& params) {
  std::string where = "1 = 1";
  std::vector<DbValue> binds;
  // `all` arrives as a boolean; a string "true" is taken too, whatever the client sent.
  bool all = params.contains("all") &&
             (params["all"] == true || (params["all"].is_string() && params["all"] == "true"));
  if (!all) {
    std::string any;
    for (auto [name, condition] :
         {std::tuple{"backupStorageUuids", "uuid IN (%)"},
          std::tuple{"zoneUuids",
                     "uuid IN (SELECT backupStorageUuid FROM backup_storage_zone_ref "
                     "WHERE zoneUuid IN (%))"}}) {
      auto uuids = stringListParam(params, name);
      if (uuids.empty()) continue;
      if (uuids.size() > kMaxUuids)
        return makeError(ErrorCode::kInvalidArgument, std::string("too many ") + name,
                         "at most 500");
      std::string sql = condition;
      sql.replace(sql.find('%'), 1, sqlPlaceholders(uuids.size()));
      any += (any.empty() ? "" : " OR ") + sql;
      binds.insert(binds.end(), uuids.begin(), uuids.end());
    }
    if (any.empty()) {
      return makeError(ErrorCode::kInvalidArgument,
                       "give zoneUuids or backupStorageUuids, or all=true");
    }
    where = any;
  }
  auto rows = db_.query(
      "SELECT COALESCE(SUM(totalCapacity), 0), COALESCE(SUM(availableCapacity), 0) "
      "FROM backup_storage WHERE " +
          where,
      binds);
  if (!rows) return rows.error();
  const auto& r = rows->rows.front();
  return Json{{"totalCapacity", dbInt(r[0])}, {"availableCapacity", dbInt(r[1])}};
}

// Where an image of `src` can move: another storage of the same type (the data moves between
// like stores), Enabled and Connected.
Reply BackupStorageService::migrationCandidates(const std::string& srcUuid) {
  auto src = load(srcUuid);
  if (!src) return src.error();
  auto rows = db_.query(
      "SELECT uuid FROM backup_storage WHERE uuid <> ? AND type = ? AND state = 'Enabled' AND "
      "status = 'Connected' ORDER BY createDate, uuid",
      {srcUuid, src->spec.type});
  if (!rows) return rows.error();
  Json inventories = Json::array();
  for (const auto& r : rows->rows) {
    auto inv = inventory(dbText(r[0]));
    if (!inv) return inv.error();
    inventories.push_back(*inv);
  }
  return Json{{"inventories", inventories}};
}

}  // namespace strato::backup
