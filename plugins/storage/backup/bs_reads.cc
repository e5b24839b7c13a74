// Read-only backup storage APIs: capacities and image migration candidates.
#include <strato/handler_util.h>

#include "bs_service.h"

namespace strato::backup {

Reply BackupStorageService::capacity(const Json& params) {
  auto chosen = selectedRows(
      params, {{"zoneUuids",
                "uuid IN (SELECT backupStorageUuid FROM backup_storage_zone_ref WHERE zoneUuid IN "
                "(%))"},
               {"backupStorageUuids", "uuid IN (%)"}});
  if (!chosen) return chosen.error();
  auto& [where, binds] = *chosen;
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
