// LocalStorageMigrateVolume (4.4.15.3) and LocalStorageGetVolumeMigratableHosts (4.4.15.5): a
// volume on a LocalStorage lives on one host's disk; it moves, with its snapshots, to another
// host of the same storage (primaryStorage.MoveVolumeToHost). Its VM must be stopped; the vm
// plugin's allocator binds a VM to the host whose disk holds its volumes, so a VM whose volumes
// all moved starts on the new host next time.
#include "volume_service.h"

namespace strato::volume {
namespace {

struct LocalVolume {
  VolumeRecord volume;
  std::string hostUuid;    // whose disk holds it
  std::int64_t bytes = 0;  // with its snapshots
};

Result<LocalVolume> localVolume(Database& db, const std::string& uuid) {
  auto volume = loadVolume(db, uuid);
  if (!volume) {
    if (volume.error().code == ErrorCode::kNotFound)
      return invalidArgument("volumeUuid names no volume", uuid);
    return volume.error();
  }
  auto rows = db.query(
      "SELECT l.hostUuid, (SELECT COALESCE(SUM(a.size), 0) FROM local_storage_resource_ref a "
      "WHERE a.primaryStorageUuid = l.primaryStorageUuid AND (a.resourceUuid = l.resourceUuid "
      "OR a.resourceUuid IN (SELECT s.uuid FROM volume_snapshot s WHERE s.volumeUuid = ?))) "
      "FROM local_storage_resource_ref l WHERE l.resourceUuid = ? AND l.primaryStorageUuid = ?",
      {uuid, uuid, volume->primaryStorageUuid});
  if (!rows) return rows.error();
  if (rows->rows.empty()) {
    return invalidArgument("volume " + uuid + " is not on a host's local storage",
                           volume->installPath.empty()
                               ? "it has no file yet"
                               : "it is on primary storage " + volume->primaryStorageUuid);
  }
  return LocalVolume{*volume, dbText(rows->rows[0][0]), dbInt(rows->rows[0][1])};
}

}  // namespace

// Enabled, Connected hosts using the same storage, of the holder's hypervisor type, whose disk
// has room for the volume and its snapshots.
Reply VolumeService::hostCandidates(const Json& p) {
  auto local = localVolume(db_, textParam(p, "volumeUuid"));
  if (!local) return local.error();
  auto rows = db_.query(
      "SELECT h.uuid FROM host h JOIN local_storage_host_ref r ON r.hostUuid = h.uuid JOIN host "
      "holder ON holder.uuid = ? WHERE r.primaryStorageUuid = ? AND h.uuid <> holder.uuid AND "
      "h.hypervisorType = holder.hypervisorType AND h.state = 'Enabled' AND h.status = "
      "'Connected' AND r.availableCapacity >= ? ORDER BY r.availableCapacity DESC, h.uuid",
      {local->hostUuid, local->volume.primaryStorageUuid, local->bytes});
  if (!rows) return rows.error();
  Json uuids = Json::array();
  for (const auto& r : rows->rows) uuids.push_back(dbText(r[0]));
  return Json{{"uuids", uuids}};
}

Reply VolumeService::migrateToHost(const Json& p) {
  auto local = localVolume(db_, textParam(p, "volumeUuid"));
  if (!local) return local.error();
  const VolumeRecord& v = local->volume;
  std::string dest = textParam(p, "destHostUuid");
  if (dest.empty()) return invalidArgument("destHostUuid is required");
  if (dest == local->hostUuid)
    return invalidArgument("volume " + v.uuid + " is on host " + dest + " already");
  // Checked once the volume is fenced: a VM start from here on sees it Migrating and waits.
  auto moved = whileMigrating(v, [&]() -> Status {
    if (auto ok = vmAllows(db_, v, {"Stopped", "Created"}, "move a volume"); !ok) return ok;
    Json resources = Json::array({{{"resourceUuid", v.uuid}, {"installPath", v.installPath}}});
    auto snapshots = db_.query(
        "SELECT uuid, primaryStorageInstallPath FROM volume_snapshot WHERE volumeUuid = ? AND "
        "primaryStorageUuid = ?",
        {v.uuid, v.primaryStorageUuid});
    if (!snapshots) return snapshots.error();
    for (const auto& r : snapshots->rows)
      resources.push_back({{"resourceUuid", dbText(r[0])}, {"installPath", dbText(r[1])}});
    auto done = callStorage(kMoveVolumeToHostMessage,
                            {{"primaryStorageUuid", v.primaryStorageUuid},
                             {"destHostUuid", dest},
                             {"resources", resources}},
                            std::chrono::hours(6));
    return done ? Status{} : Status{done.error()};
  });
  if (!moved) return moved.error();
  logger_.info("volume.localMigrated uuid=" + v.uuid + " from=" + local->hostUuid + " to=" + dest);
  return Json{{"uuid", v.uuid}, {"primaryStorageUuid", v.primaryStorageUuid}};
}

}  // namespace strato::volume
