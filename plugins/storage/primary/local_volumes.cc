#include "local_volumes.h"

#include <strato/handler_util.h>

namespace strato::primary {
namespace {

Error noRoom(Database& db, const std::string& storageUuid, const std::string& hostUuid,
             std::int64_t size) {
  auto left = db.query(
      "SELECT availableCapacity FROM local_storage_host_ref WHERE primaryStorageUuid = ? AND "
      "hostUuid = ?",
      {storageUuid, hostUuid});
  if (!left) return left.error();
  if (left->rows.empty()) {
    return makeError(ErrorCode::kConflict,
                     "host " + hostUuid + " does not use local storage " + storageUuid,
                     "it is not a Connected host of a cluster the storage is attached to");
  }
  return makeError(ErrorCode::kConflict,
                   "the local disk of host " + hostUuid + " has not enough capacity",
                   std::to_string(size) + " bytes wanted, " +
                       std::to_string(dbInt(left->rows[0][0])) + " available");
}

}  // namespace

Result<std::string> holderOf(Database& db, const std::string& storageUuid,
                             const std::string& resourceUuid) {
  auto rows = db.query(
      "SELECT hostUuid FROM local_storage_resource_ref WHERE primaryStorageUuid = ? AND "
      "resourceUuid = ?",
      {storageUuid, resourceUuid});
  if (!rows) return rows.error();
  if (rows->rows.empty()) {
    return makeError(ErrorCode::kNotFound,
                     "no host of local storage " + storageUuid + " holds " + resourceUuid);
  }
  return dbText(rows->rows[0][0]);
}

bool holderLeft(Database& db, const std::string& storageUuid, const std::string& resourceUuid) {
  auto host = holderOf(db, storageUuid, resourceUuid);
  if (!host) return false;
  auto rows =
      db.query("SELECT 1 FROM local_storage_host_ref WHERE primaryStorageUuid = ? AND hostUuid = ?",
               {storageUuid, *host});
  return rows && rows->rows.empty();
}

Result<std::string> roomiestHost(Database& db, const std::string& storageUuid,
                                 const std::vector<StorageHost>& hosts, std::int64_t size) {
  if (hosts.empty()) {
    return makeError(ErrorCode::kConflict,
                     "local storage " + storageUuid + " has no Connected host to hold a file");
  }
  std::vector<DbValue> binds{storageUuid, size};
  for (const auto& h : hosts) binds.emplace_back(h.uuid);
  auto rows = db.query(
      "SELECT hostUuid FROM local_storage_host_ref WHERE primaryStorageUuid = ? AND "
      "availableCapacity >= ? AND hostUuid IN (" +
          sqlPlaceholders(hosts.size()) + ") ORDER BY availableCapacity DESC, hostUuid",
      binds);
  if (!rows) return rows.error();
  if (rows->rows.empty()) {
    return makeError(ErrorCode::kConflict, "no host of local storage " + storageUuid + " has " +
                                               std::to_string(size) + " bytes free on its disk");
  }
  return dbText(rows->rows[0][0]);
}

Status reserveOnHost(Database& db, const std::string& storageUuid, const std::string& hostUuid,
                     std::int64_t size) {
  // One statement, so two files cannot both take the disk's last bytes.
  auto taken = db.execute(
      "UPDATE local_storage_host_ref SET availableCapacity = availableCapacity - ?, lastOpDate = "
      "? WHERE primaryStorageUuid = ? AND hostUuid = ? AND availableCapacity >= ?",
      {size, nowMillis(), storageUuid, hostUuid, size});
  if (!taken) return taken.error();
  if (*taken == 0) return noRoom(db, storageUuid, hostUuid, size);
  return {};
}

Status placeOnHost(Database& db, const std::string& storageUuid, const std::string& hostUuid,
                   const std::string& resourceUuid, const std::string& resourceType,
                   std::int64_t size) {
  return db.transaction([&](Database& tx) -> Status {
    if (auto s = reserveOnHost(tx, storageUuid, hostUuid, size); !s) return s;
    auto now = nowMillis();
    return statusOf(tx.execute(
        "INSERT INTO local_storage_resource_ref (resourceUuid, primaryStorageUuid, hostUuid, "
        "size, resourceType, createDate, lastOpDate) VALUES (?, ?, ?, ?, ?, ?, ?)",
        {resourceUuid, storageUuid, hostUuid, size, resourceType, now, now}));
  });
}

Status releaseOnHost(Database& db, const std::string& storageUuid, const std::string& hostUuid,
                     std::int64_t size) {
  if (size <= 0) return {};
  return statusOf(db.execute(
      "UPDATE local_storage_host_ref SET availableCapacity = CASE WHEN availableCapacity + ? > "
      "totalCapacity - systemUsedCapacity THEN totalCapacity - systemUsedCapacity ELSE "
      "availableCapacity + ? END, lastOpDate = ? WHERE primaryStorageUuid = ? AND hostUuid = ?",
      {size, size, nowMillis(), storageUuid, hostUuid}));
}

Status resizeOnHost(Database& db, const std::string& storageUuid, const std::string& resourceUuid,
                    std::int64_t delta, Growth growth) {
  return db.transaction([&](Database& tx) -> Status {
    auto host = holderOf(tx, storageUuid, resourceUuid);
    if (!host) return host.error();
    Status taken;
    if (delta <= 0) {
      taken = releaseOnHost(tx, storageUuid, *host, -delta);
    } else if (growth == Growth::kIfRoom) {
      taken = reserveOnHost(tx, storageUuid, *host, delta);
    } else {
      taken = statusOf(
          tx.execute("UPDATE local_storage_host_ref SET availableCapacity = availableCapacity - ?, "
                     "lastOpDate = ? WHERE primaryStorageUuid = ? AND hostUuid = ?",
                     {delta, nowMillis(), storageUuid, *host}));
    }
    if (!taken) return taken;
    return statusOf(
        tx.execute("UPDATE local_storage_resource_ref SET size = size + ?, lastOpDate = ? WHERE "
                   "primaryStorageUuid = ? AND resourceUuid = ?",
                   {delta, nowMillis(), storageUuid, resourceUuid}));
  });
}

Status removeFromHost(Database& db, const std::string& storageUuid,
                      const std::string& resourceUuid) {
  return db.transaction([&](Database& tx) -> Status {
    auto rows = tx.query(
        "SELECT hostUuid, size FROM local_storage_resource_ref WHERE primaryStorageUuid = ? AND "
        "resourceUuid = ?",
        {storageUuid, resourceUuid});
    if (!rows) return rows.error();
    if (rows->rows.empty()) return {};
    const auto& r = rows->rows.front();
    if (auto s = releaseOnHost(tx, storageUuid, dbText(r[0]), dbInt(r[1])); !s) return s;
    return statusOf(tx.execute(
        "DELETE FROM local_storage_resource_ref WHERE primaryStorageUuid = ? AND resourceUuid = ?",
        {storageUuid, resourceUuid}));
  });
}

Result<std::int64_t> resourcesSize(Database& db, const std::string& storageUuid,
                                   const std::vector<std::string>& resourceUuids) {
  if (resourceUuids.empty()) return std::int64_t{0};
  std::vector<DbValue> binds{storageUuid};
  binds.insert(binds.end(), resourceUuids.begin(), resourceUuids.end());
  auto rows = db.query(
      "SELECT COALESCE(SUM(size), 0) FROM local_storage_resource_ref WHERE primaryStorageUuid = ? "
      "AND resourceUuid IN (" +
          sqlPlaceholders(resourceUuids.size()) + ")",
      binds);
  if (!rows) return rows.error();
  return dbInt(rows->rows[0][0]);
}

Status rehomeResources(Database& db, const std::string& storageUuid,
                       const std::vector<std::string>& resourceUuids, const std::string& from,
                       const std::string& to) {
  return db.transaction([&](Database& tx) -> Status {
    auto size = resourcesSize(tx, storageUuid, resourceUuids);
    if (!size) return size.error();
    if (auto s = releaseOnHost(tx, storageUuid, from, *size); !s) return s;
    std::vector<DbValue> binds{to, nowMillis(), storageUuid, from};
    binds.insert(binds.end(), resourceUuids.begin(), resourceUuids.end());
    return statusOf(
        tx.execute("UPDATE local_storage_resource_ref SET hostUuid = ?, lastOpDate = ? WHERE "
                   "primaryStorageUuid = ? AND hostUuid = ? AND resourceUuid IN (" +
                       sqlPlaceholders(resourceUuids.size()) + ")",
                   binds));
  });
}

}  // namespace strato::primary
