// PrimaryStorageMigrateVolume (4.4.14) and GetPrimaryStorageCandidatesForVolumeMigration (4.4.13):
// a volume's file moves to another primary storage of its zone. The new storage copies it
// (primaryStorage.CreateVolume with the old file as source, its capacity reserved there), the
// volume points at the copy, then the old file goes (its capacity back).
#include "volume_service.h"

#include "snapshot_service.h"

namespace strato::volume {
namespace {

// Storages that can take the volume: of its zone and type (a copy between types needs a host
// agent), Enabled, Connected and roomy enough, and used by the cluster of each VM it has.
Result<std::vector<std::string>> destinations(Database& db, const VolumeRecord& v) {
  std::string sql =
      "SELECT d.uuid FROM primary_storage d JOIN primary_storage s ON s.uuid = ? WHERE d.uuid <> "
      "s.uuid AND d.zoneUuid = s.zoneUuid AND d.type = s.type AND d.state = 'Enabled' AND "
      "d.status = 'Connected' AND d.availableCapacity >= ?";
  std::vector<DbValue> binds{v.primaryStorageUuid, v.size};
  auto vms = vmsOf(db, v);
  if (!vms) return vms.error();
  for (const auto& vm : *vms) {
    sql += " AND d.uuid IN (SELECT c.primaryStorageUuid FROM primary_storage_cluster_ref c JOIN "
           "vm_instance vm ON vm.clusterUuid = c.clusterUuid WHERE vm.uuid = ?)";
    binds.emplace_back(vm);
  }
  // A LocalStorage file is on one host's disk: it moves between hosts (LocalStorageMigrateVolume).
  sql += " AND s.type <> 'LocalStorage'";
  auto rows = db.query(sql + " ORDER BY d.availableCapacity DESC", binds);
  if (!rows) return rows.error();
  std::vector<std::string> out;
  for (const auto& r : rows->rows) out.push_back(dbText(r[0]));
  return out;
}

}  // namespace

Reply VolumeService::migrationCandidates(const Json& p) {
  auto volume = loadVolume(db_, textParam(p, "volumeUuid"));
  if (!volume) return volume.error();
  Json uuids = Json::array();
  if (volume->installPath.empty()) return Json{{"uuids", uuids}};  // nothing to move yet
  auto found = destinations(db_, *volume);
  if (!found) return found.error();
  for (const auto& ps : *found) uuids.push_back(ps);
  return Json{{"uuids", uuids}};
}

// The volume is Migrating while its file is copied: attaching, snapshots and its VM's start
// refuse it until it is Ready again.
Status VolumeService::whileMigrating(const VolumeRecord& v, const std::function<Status()>& work) {
  if (v.status != "Ready" || v.installPath.empty())
    return conflict("volume " + v.uuid + " is " + v.status + "; it must be Ready");
  auto fenced = db_.execute(
      "UPDATE volume SET status = 'Migrating', lastOpDate = ? WHERE uuid = ? AND status = 'Ready'",
      {nowMillis(), v.uuid});
  if (!fenced) return fenced.error();
  if (*fenced == 0) return conflict("volume " + v.uuid + " changed meanwhile; try again");
  Status done = work();
  (void)db_.execute("UPDATE volume SET status = 'Ready' WHERE uuid = ?", {v.uuid});
  return done;
}

Reply VolumeService::migrate(const Json& p) {
  auto volume = loadVolume(db_, textParam(p, "volumeUuid"));
  if (!volume) return volume.error();
  auto moved = whileMigrating(
      *volume, [&] { return moveFile(*volume, textParam(p, "dstPrimaryStorageUuid")); });
  if (!moved) return moved.error();
  return inventoryReply(db_, volume->uuid);
}

Status VolumeService::moveFile(const VolumeRecord& v, const std::string& to) {
  // Checked once the volume is fenced: a VM that starts from here on sees it Migrating.
  if (auto ok = vmAllows(db_, v, {"Stopped", "Created"}, "move a volume"); !ok) return ok;
  // Snapshot files build on the volume's file where it is.
  auto snapshots = snapshotFileDeletions(db_, v.uuid);
  if (!snapshots) return snapshots.error();
  if (!snapshots->empty())
    return conflict("volume " + v.uuid + " has snapshots; delete them before moving it");
  auto fits = destinations(db_, v);
  if (!fits) return fits.error();
  if (std::find(fits->begin(), fits->end(), to) == fits->end()) {
    return conflict(
        "primary storage " + to + " cannot take volume " + v.uuid,
        "it must be another Enabled, Connected storage of the same zone and type with " +
            std::to_string(v.size) + " bytes free" +
            (v.vmInstanceUuid.empty() && !v.shareable ? "" : ", used by the clusters of its VMs"));
  }
  auto copy = callStorage(kCreateVolumeMessage,
                          {{"primaryStorageUuid", to},
                           {"volumeUuid", v.uuid},
                           {"size", v.size},
                           {"format", v.format},
                           {"shareable", v.shareable},
                           {"srcPrimaryStorageUuid", v.primaryStorageUuid},
                           {"srcInstallPath", v.installPath}},
                          std::chrono::minutes(30));
  if (!copy) return copy.error();
  auto pointed = db_.execute(
      "UPDATE volume SET primaryStorageUuid = ?, installPath = ?, actualSize = ?, lastOpDate = ? "
      "WHERE uuid = ?",
      {to, textParam(*copy, "installPath"), copy->value("actualSize", v.actualSize), nowMillis(),
       v.uuid});
  if (!pointed) {
    (void)callStorage(kDeleteVolumeMessage,
                      {{"primaryStorageUuid", to},
                       {"resourceUuid", v.uuid},
                       {"installPath", textParam(*copy, "installPath")},
                       {"size", v.size}},
                      std::chrono::minutes(5));
    return pointed.error();
  }
  // The volume lives on the copy now; an old file that stays is logged for the operator.
  auto gone = callStorage(kDeleteVolumeMessage,
                          {{"primaryStorageUuid", v.primaryStorageUuid},
                           {"resourceUuid", v.uuid},
                           {"installPath", v.installPath},
                           {"size", v.size}},
                          std::chrono::minutes(5));
  if (!gone)
    logger_.warn("volume.migrate.oldFile.left uuid=" + v.uuid + " path=" + v.installPath +
                 " error=" + gone.error().describe());
  logger_.info("volume.migrated uuid=" + v.uuid + " from=" + v.primaryStorageUuid + " to=" + to);
  return {};
}

}  // namespace strato::volume
