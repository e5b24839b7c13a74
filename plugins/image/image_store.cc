#include "image_store.h"

#include <strato/handler_util.h>

#include <variant>

namespace strato::image {
namespace {

bool isNull(const DbValue& v) { return std::holds_alternative<std::monostate>(v); }

constexpr const char* kRefColumns =
    "imageUuid, backupStorageUuid, installPath, exportUrl, exportMd5Sum, status, createDate, "
    "lastOpDate";

Json refJson(const std::vector<DbValue>& r) {
  Json ref{{"imageUuid", dbText(r[0])},
           {"backupStorageUuid", dbText(r[1])},
           {"status", dbText(r[5])},
           {"createDate", formatGsonDate(dbInt(r[6]))},
           {"lastOpDate", formatGsonDate(dbInt(r[7]))}};
  // Absent values are left out, as the query engine does.
  if (!isNull(r[2])) ref["installPath"] = dbText(r[2]);
  if (!isNull(r[3])) ref["exportUrl"] = dbText(r[3]);
  if (!isNull(r[4])) ref["exportMd5Sum"] = dbText(r[4]);
  return ref;
}

std::string inList(std::size_t n) { return "(" + sqlPlaceholders(n) + ")"; }

}  // namespace

Result<ImageRecord> loadImage(Database& db, const std::string& uuid) {
  auto rows =
      db.query("SELECT name, state, status, format, lastOpDate FROM image WHERE uuid = ?", {uuid});
  if (!rows) return rows.error();
  if (rows->rows.empty()) return makeError(ErrorCode::kNotFound, "no image " + uuid);
  const auto& r = rows->rows.front();
  return ImageRecord{uuid, dbText(r[0]), dbText(r[1]), dbText(r[2]), dbText(r[3]), dbInt(r[4])};
}

Result<std::vector<StorageRef>> refsOf(Database& db, const std::string& imageUuid) {
  auto rows = db.query(
      "SELECT backupStorageUuid, installPath, status, exportUrl FROM image_backup_storage_ref "
      "WHERE imageUuid = ? ORDER BY createDate, backupStorageUuid",
      {imageUuid});
  if (!rows) return rows.error();
  std::vector<StorageRef> out;
  for (const auto& r : rows->rows)
    out.push_back({dbText(r[0]), dbText(r[1]), dbText(r[2]), dbText(r[3])});
  return out;
}

Result<Json> loadInventory(Database& db, const std::string& uuid) {
  auto rows = db.query(
      "SELECT name, description, state, status, size, actualSize, md5Sum, url, mediaType, "
      "guestOsType, type, platform, format, isSystem, createDate, lastOpDate, backupStorageRefs "
      "FROM image WHERE uuid = ?",
      {uuid});
  if (!rows) return rows.error();
  if (rows->rows.empty()) return makeError(ErrorCode::kNotFound, "no image " + uuid);
  const auto& r = rows->rows.front();
  Json image{{"uuid", uuid},
             {"name", dbText(r[0])},
             {"state", dbText(r[2])},
             {"status", dbText(r[3])},
             {"size", dbInt(r[4])},
             {"actualSize", dbInt(r[5])},
             {"url", dbText(r[7])},
             {"mediaType", dbText(r[8])},
             {"type", dbText(r[10])},
             {"platform", dbText(r[11])},
             {"format", dbText(r[12])},
             {"system", dbInt(r[13]) != 0},
             {"createDate", formatGsonDate(dbInt(r[14]))},
             {"lastOpDate", formatGsonDate(dbInt(r[15]))},
             {"backupStorageRefs", Json::parse(dbText(r[16]), nullptr, false)}};
  for (auto [i, key] : {std::pair{1, "description"}, {6, "md5Sum"}, {9, "guestOsType"}}) {
    if (!isNull(r[i])) image[key] = dbText(r[i]);
  }
  return image;
}

Reply inventoryReply(Database& db, const std::string& uuid) {
  auto inventory = loadInventory(db, uuid);
  if (!inventory) return inventory.error();
  return Json{{"inventory", *inventory}};
}

Status refreshImage(Database& tx, const std::string& uuid) {
  auto rows = tx.query(std::string("SELECT ") + kRefColumns +
                           " FROM image_backup_storage_ref WHERE imageUuid = ? "
                           "ORDER BY createDate, backupStorageUuid",
                       {uuid});
  if (!rows) return rows.error();
  Json refs = Json::array();
  bool ready = false, allDeleted = !rows->rows.empty();
  for (const auto& r : rows->rows) {
    refs.push_back(refJson(r));
    ready = ready || dbText(r[5]) == "Ready";
    allDeleted = allDeleted && dbText(r[5]) == "Deleted";
  }
  std::string status = ready ? "Ready" : allDeleted ? "Deleted" : "Downloading";
  return statusOf(tx.execute(
      "UPDATE image SET backupStorageRefs = ?, status = ?, lastOpDate = ? WHERE uuid = ?",
      {refs.dump(), status, nowMillis(), uuid}));
}

Status setRefStatus(Database& db, const std::string& uuid, const std::vector<std::string>& storages,
                    const std::string& status) {
  return db.transaction([&](Database& tx) -> Status {
    std::string sql =
        "UPDATE image_backup_storage_ref SET status = ?, lastOpDate = ? WHERE imageUuid = ?";
    std::vector<DbValue> binds{status, nowMillis(), uuid};
    if (!storages.empty()) {
      sql += " AND backupStorageUuid IN " + inList(storages.size());
      binds.insert(binds.end(), storages.begin(), storages.end());
    }
    if (auto s = statusOf(tx.execute(sql, binds)); !s) return s;
    return refreshImage(tx, uuid);
  });
}

Result<bool> removeRefs(Database& db, const std::string& uuid,
                        const std::vector<std::string>& storages) {
  bool imageGone = false;
  Status removed = db.transaction([&](Database& tx) -> Status {
    std::vector<DbValue> binds{uuid};
    binds.insert(binds.end(), storages.begin(), storages.end());
    auto s =
        statusOf(tx.execute("DELETE FROM image_backup_storage_ref WHERE imageUuid = ? AND "
                            "backupStorageUuid IN " +
                                inList(storages.size()),
                            binds));
    if (!s) return s;
    auto left = tx.query("SELECT 1 FROM image_backup_storage_ref WHERE imageUuid = ?", {uuid});
    if (!left) return left.error();
    if (!left->rows.empty()) return refreshImage(tx, uuid);
    imageGone = true;
    return statusOf(tx.execute("DELETE FROM image WHERE uuid = ?", {uuid}));
  });
  if (!removed) return removed.error();
  return imageGone;
}

}  // namespace strato::image
