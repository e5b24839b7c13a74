#include "ps_volumes.h"

#include "ps_store.h"

namespace strato::primary {
namespace {

std::int64_t bytes(const Json& j, const char* key) {
  return j.contains(key) && j[key].is_number() ? j[key].get<std::int64_t>() : -1;
}

Json fileJson(const VolumeFile& file) {
  return {{"installPath", file.installPath}, {"size", file.size}, {"actualSize", file.actualSize}};
}

// Takes `amount` off availableCapacity if the storage is usable and has it, in one statement so
// two creations cannot both take the last bytes. Says why when nothing was reserved.
Status reserve(Database& db, const PrimaryStorageRecord& record, std::int64_t amount) {
  const std::string& uuid = record.spec.uuid;
  auto changed = db.execute(
      "UPDATE primary_storage SET availableCapacity = availableCapacity - ?, lastOpDate = ? "
      "WHERE uuid = ? AND state = 'Enabled' AND status = 'Connected' AND availableCapacity >= ?",
      {amount, nowMillis(), uuid, amount});
  if (!changed) return changed.error();
  if (*changed > 0) return {};
  auto now = loadRecord(db, uuid);
  if (!now) return now.error();
  if (now->state != "Enabled" || now->status != "Connected") {
    return makeError(ErrorCode::kConflict,
                     "primary storage " + record.spec.name + " is " + now->state + " and " +
                         now->status + "; volumes need it Enabled and Connected",
                     uuid);
  }
  auto left = db.query("SELECT availableCapacity FROM primary_storage WHERE uuid = ?", {uuid});
  if (!left) return left.error();
  std::int64_t available = left->rows.empty() ? 0 : dbInt(left->rows[0][0]);
  return makeError(
      ErrorCode::kConflict, "primary storage " + record.spec.name + " has not enough capacity",
      std::to_string(amount) + " bytes wanted, " + std::to_string(available) + " available");
}

// Gives capacity back (a failed create or resize, a deleted file). Never above the total.
Status release(Database& db, const std::string& uuid, std::int64_t amount) {
  if (amount <= 0) return {};
  return statusOf(
      db.execute("UPDATE primary_storage SET availableCapacity = CASE WHEN availableCapacity + ? > "
                 "totalCapacity - systemUsedCapacity THEN totalCapacity - systemUsedCapacity ELSE "
                 "availableCapacity + ? END, lastOpDate = ? WHERE uuid = ?",
                 {amount, amount, nowMillis(), uuid}));
}

struct Target {
  PrimaryStorageRecord record;
  std::shared_ptr<PrimaryStorageDriver> driver;
  std::vector<StorageHost> hosts;
};

Result<Target> target(PrimaryStorageService& service, Database& db, const Json& body) {
  auto record = loadRecord(db, textParam(body, "primaryStorageUuid"));
  if (!record) return record.error();
  auto driver = service.driver(record->spec.type);
  if (!driver) return driver.error();
  auto hosts = attachedHosts(db, record->spec.uuid);
  if (!hosts) return hosts.error();
  return Target{std::move(*record), std::move(*driver), std::move(*hosts)};
}

}  // namespace

Reply createVolume(PrimaryStorageService& service, Database& db, const Json& body) {
  std::int64_t size = bytes(body, "size");
  if (size < 0) {
    return makeError(ErrorCode::kInvalidArgument, "size must be a number of bytes, at least 0");
  }
  auto t = target(service, db, body);
  if (!t) return t.error();
  if (auto reserved = reserve(db, t->record, size); !reserved) return reserved.error();
  VolumeSource source{textParam(body, "imageUuid"), textParam(body, "backupStorageUuid"),
                      textParam(body, "imageInstallPath"), textParam(body, "snapshotInstallPath"),
                      textParam(body, "srcPrimaryStorageUuid"), textParam(body, "srcInstallPath")};
  auto file = t->driver->createVolume(t->record.spec, t->hosts, textParam(body, "volumeUuid"), size,
                                      textParam(body, "format"), source);
  if (!file) {
    (void)release(db, t->record.spec.uuid, size);
    return file.error();
  }
  return fileJson(*file);
}

Reply deleteVolume(PrimaryStorageService& service, Database& db, const Json& body) {
  auto t = target(service, db, body);
  if (!t) return t.error();
  if (auto deleted =
          t->driver->deleteVolume(t->record.spec, t->hosts, textParam(body, "installPath"));
      !deleted) {
    return deleted.error();
  }
  if (auto released = release(db, t->record.spec.uuid, bytes(body, "size")); !released)
    return released.error();
  return Json::object();
}

Reply resizeVolume(PrimaryStorageService& service, Database& db, const Json& body) {
  std::int64_t size = bytes(body, "size"), newSize = bytes(body, "newSize");
  if (size < 0 || newSize <= size) {
    return makeError(ErrorCode::kInvalidArgument, "newSize must be larger than size",
                     std::to_string(newSize) + " <= " + std::to_string(size));
  }
  auto t = target(service, db, body);
  if (!t) return t.error();
  if (auto reserved = reserve(db, t->record, newSize - size); !reserved) return reserved.error();
  auto file =
      t->driver->resizeVolume(t->record.spec, t->hosts, textParam(body, "installPath"), newSize);
  if (!file) {
    (void)release(db, t->record.spec.uuid, newSize - size);
    return file.error();
  }
  return fileJson(*file);
}

Reply createSnapshot(PrimaryStorageService& service, Database& db, const Json& body) {
  std::int64_t size = bytes(body, "size");
  if (size < 0) return invalidArgument("size must be a number of bytes, at least 0");
  auto t = target(service, db, body);
  if (!t) return t.error();
  if (auto reserved = reserve(db, t->record, size); !reserved) return reserved.error();
  auto file = t->driver->createSnapshot(t->record.spec, t->hosts, textParam(body, "installPath"),
                                        textParam(body, "snapshotUuid"), size);
  if (!file) {
    (void)release(db, t->record.spec.uuid, size);
    return file.error();
  }
  return fileJson(*file);
}

Reply revertVolume(PrimaryStorageService& service, Database& db, const Json& body) {
  auto t = target(service, db, body);
  if (!t) return t.error();
  auto file = t->driver->revertVolume(t->record.spec, t->hosts, textParam(body, "installPath"),
                                      textParam(body, "snapshotInstallPath"));
  if (!file) return file.error();
  return fileJson(*file);
}

Reply volumeSize(PrimaryStorageService& service, Database& db, const Json& body) {
  auto t = target(service, db, body);
  if (!t) return t.error();
  auto file = t->driver->volumeSize(t->record.spec, t->hosts, textParam(body, "installPath"));
  if (!file) return file.error();
  return Json{{"size", file->size}, {"actualSize", file->actualSize}};
}

}  // namespace strato::primary
