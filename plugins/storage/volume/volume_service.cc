#include "volume_service.h"

#include "snapshot_service.h"

#include <algorithm>

namespace strato::volume {
namespace {

DbValue optional(const Json& j, const char* key) {
  if (j.contains(key) && j[key].is_string()) return j[key].get<std::string>();
  return DbValue{};
}

// The primary storage a volume may be created on: it exists (else the parameter is wrong).
Status checkStorage(Database& db, const std::string& uuid) {
  auto found = db.query("SELECT 1 FROM primary_storage WHERE uuid = ?", {uuid});
  if (!found) return found.error();
  if (found->rows.empty())
    return invalidArgument("primaryStorageUuid names no primary storage", uuid);
  return {};
}

// Why a new volume's INSERT failed: its resourceUuid is taken, or the database's own error.
Error insertFailure(Database& db, Error error, const std::string& uuid) {
  auto existing = db.query("SELECT 1 FROM volume WHERE uuid = ?", {uuid});
  if (existing && !existing->rows.empty())
    return makeError(ErrorCode::kAlreadyExists, "a resource with uuid " + uuid + " exists");
  return error;
}

// The host whose disk a volume on a LocalStorage goes to: the hostUuid parameter
// (CreateDataVolumeFromVolumeTemplate has one) or ZStack's system tag
// localStorage::hostUuid::<uuid>; with neither, the storage picks the roomiest.
Json onLocalHost(const Json& params) {
  if (std::string host = textParam(params, "hostUuid"); !host.empty())
    return Json{{"hostUuid", host}};
  constexpr std::string_view kTag = "localStorage::hostUuid::";
  for (const auto& tag : stringListParam(params, "systemTags")) {
    if (tag.starts_with(kTag)) return Json{{"hostUuid", tag.substr(kTag.size())}};
  }
  return Json::object();
}

// ZStack's tag for a volume several VMs attach at once. Its file is raw: a qcow2 file's metadata
// would be rewritten by each guest's QEMU unknown to the others.
constexpr std::string_view kShareableTag = "ephemeral::shareable";

bool asksShareable(const Json& params) {
  auto tags = stringListParam(params, "systemTags");
  return std::find(tags.begin(), tags.end(), kShareableTag) != tags.end();
}

}  // namespace

Reply VolumeService::callStorage(std::string_view type, Json body,
                                 std::chrono::milliseconds timeout) {
  return call(bus_, Message{std::string(type), "", std::move(body)}, timeout);
}

Status VolumeService::checkQuota(const std::string& accountUuid, std::int64_t size) {
  for (const auto& guard : extensions_.all<QuotaGuard>()) {
    auto s = guard->check(accountUuid, {{"volume.data.num", 1}, {"volume.capacity", size}});
    if (!s) return s;
  }
  return {};
}

// Without primaryStorageUuid the volume stays NotInstantiated: ZStack creates its file when it
// is first attached to a VM (which the VM plugin will do).
Reply VolumeService::create(const Json& p, const std::string& accountUuid) {
  std::string uuid = textParam(p, "resourceUuid", newUuid());
  if (!isUuid(uuid)) return invalidArgument("resourceUuid must be 32 hex digits", uuid);
  std::string offering = textParam(p, "diskOfferingUuid");
  auto found = db_.query("SELECT diskSize, state FROM disk_offering WHERE uuid = ?", {offering});
  if (!found) return found.error();
  if (found->rows.empty())
    return invalidArgument("diskOfferingUuid names no disk offering", offering);
  if (dbText(found->rows[0][1]) != "Enabled") {
    return makeError(ErrorCode::kConflict, "disk offering " + offering + " is disabled",
                     "diskOfferingUuid " + offering);
  }
  std::int64_t size = dbInt(found->rows[0][0]);
  if (auto s = checkQuota(accountUuid, size); !s) return s.error();
  std::string ps = textParam(p, "primaryStorageUuid");
  if (!ps.empty()) {
    if (auto s = checkStorage(db_, ps); !s) return s.error();
  }
  bool shareable = asksShareable(p);
  std::string format = shareable ? "raw" : "qcow2";
  auto now = nowMillis();
  auto inserted = db_.execute(
      "INSERT INTO volume (uuid, name, description, diskOfferingUuid, type, format, size, state, "
      "status, isShareable, createDate, lastOpDate) VALUES (?, ?, ?, ?, 'Data', ?, ?, "
      "'Enabled', ?, ?, ?, ?)",
      {uuid, textParam(p, "name"), optional(p, "description"), offering, format, size,
       ps.empty() ? "NotInstantiated" : "Creating", shareable ? 1 : 0, now, now});
  if (!inserted) return insertFailure(db_, inserted.error(), uuid);
  if (ps.empty()) return inventoryReply(db_, uuid);
  Json source = onLocalHost(p);
  if (shareable) source["shareable"] = true;
  return instantiate(uuid, ps, size, format, source);
}

// The template's copy on a backup storage becomes the volume's first bytes; the volume has the
// template's size and format, and names it as its rootImageUuid (as ZStack does).
Reply VolumeService::createFromTemplate(const Json& p, const std::string& accountUuid) {
  std::string uuid = textParam(p, "resourceUuid", newUuid());
  if (!isUuid(uuid)) return invalidArgument("resourceUuid must be 32 hex digits", uuid);
  std::string image = textParam(p, "imageUuid");
  auto rows =
      db_.query("SELECT mediaType, state, status, size, format FROM image WHERE uuid = ?", {image});
  if (!rows) return rows.error();
  if (rows->rows.empty()) return invalidArgument("imageUuid names no image", image);
  const auto& r = rows->rows.front();
  if (dbText(r[0]) != "DataVolumeTemplate") {
    return invalidArgument(
        "image " + image + " is a " + dbText(r[0]) + ", not a DataVolumeTemplate",
        "imageUuid " + image);
  }
  if (dbText(r[1]) != "Enabled" || dbText(r[2]) != "Ready") {
    return makeError(ErrorCode::kConflict, "image " + image + " is " + dbText(r[1]) + " and " +
                                               dbText(r[2]) + "; it must be Enabled and Ready");
  }
  std::int64_t size = dbInt(r[3]);
  std::string format = dbText(r[4]);
  if (auto s = checkQuota(accountUuid, size); !s) return s.error();
  auto refs = db_.query(
      "SELECT backupStorageUuid, installPath FROM image_backup_storage_ref WHERE imageUuid = ? "
      "AND status = 'Ready' ORDER BY createDate",
      {image});
  if (!refs) return refs.error();
  if (refs->rows.empty())
    return makeError(ErrorCode::kConflict, "image " + image + " has no ready copy");
  std::string ps = textParam(p, "primaryStorageUuid");
  if (auto s = checkStorage(db_, ps); !s) return s.error();
  auto now = nowMillis();
  auto inserted = db_.execute(
      "INSERT INTO volume (uuid, name, description, rootImageUuid, type, format, size, state, "
      "status, isShareable, createDate, lastOpDate) VALUES (?, ?, ?, ?, 'Data', ?, ?, "
      "'Enabled', 'Creating', 0, ?, ?)",
      {uuid, textParam(p, "name"), optional(p, "description"), image, format, size, now, now});
  if (!inserted) return insertFailure(db_, inserted.error(), uuid);
  Json source = onLocalHost(p);
  source.update({{"imageUuid", image},
                 {"backupStorageUuid", dbText(refs->rows[0][0])},
                 {"imageInstallPath", dbText(refs->rows[0][1])}});
  return instantiate(uuid, ps, size, format, source);
}

Reply VolumeService::createFromSnapshot(const Json& p, const std::string& accountUuid) {
  std::string uuid = textParam(p, "resourceUuid", newUuid());
  if (!isUuid(uuid)) return invalidArgument("resourceUuid must be 32 hex digits", uuid);
  std::string snapshot = textParam(p, "volumeSnapshotUuid");
  auto rows = db_.query(
      "SELECT primaryStorageUuid, primaryStorageInstallPath, size, format, status FROM "
      "volume_snapshot WHERE uuid = ?",
      {snapshot});
  if (!rows) return rows.error();
  if (rows->rows.empty()) return invalidArgument("volumeSnapshotUuid names no snapshot", snapshot);
  const auto& r = rows->rows.front();
  std::string ps = dbText(r[0]);
  if (dbText(r[4]) != "Ready")
    return makeError(ErrorCode::kConflict, "snapshot " + snapshot + " is " + dbText(r[4]));
  // The copy is made beside the snapshot; moving it elsewhere is a volume migration.
  if (std::string asked = textParam(p, "primaryStorageUuid"); !asked.empty() && asked != ps) {
    return invalidArgument("the volume is made on the snapshot's primary storage " + ps,
                           "primaryStorageUuid " + asked);
  }
  std::int64_t size = dbInt(r[2]);
  std::string format = dbText(r[3]);
  if (auto s = checkQuota(accountUuid, size); !s) return s.error();
  auto now = nowMillis();
  auto inserted = db_.execute(
      "INSERT INTO volume (uuid, name, description, type, format, size, state, status, "
      "isShareable, createDate, lastOpDate) VALUES (?, ?, ?, 'Data', ?, ?, 'Enabled', "
      "'Creating', 0, ?, ?)",
      {uuid, textParam(p, "name"), optional(p, "description"), format, size, now, now});
  if (!inserted) return insertFailure(db_, inserted.error(), uuid);
  // On a LocalStorage, the copy is made on the disk holding the snapshot.
  Json source{{"snapshotInstallPath", dbText(r[1])}};
  auto holder = db_.query(
      "SELECT hostUuid FROM local_storage_resource_ref WHERE resourceUuid = ? AND "
      "primaryStorageUuid = ?",
      {snapshot, ps});
  if (!holder) return holder.error();
  if (!holder->rows.empty()) source["hostUuid"] = dbText(holder->rows[0][0]);
  return instantiate(uuid, ps, size, format, source);
}

Reply VolumeService::instantiate(const std::string& uuid, const std::string& ps, std::int64_t size,
                                 const std::string& format, const Json& source) {
  Json body{{"primaryStorageUuid", ps}, {"volumeUuid", uuid}, {"size", size}, {"format", format}};
  body.update(source);
  auto file = callStorage(kCreateVolumeMessage, body, std::chrono::minutes(30));
  return recordCreatedFile(db_, logger_, uuid, ps, size, file);
}

// volume.deletionPolicy: Direct expunges at once; Delay marks the volume Deleted
// (RecoverDataVolume brings it back) and expungeDue() expunges it after volume.expungePeriod;
// Never only marks. A deleted volume keeps its file and its capacity until it is expunged.
Reply VolumeService::remove(const Json& p) {
  auto volume = loadVolume(db_, textParam(p, "uuid"));
  if (!volume) {
    // Deleting what does not exist succeeds: the caller wanted it gone, and it is.
    if (volume.error().code == ErrorCode::kNotFound) return Json::object();
    return volume.error();
  }
  if (volume->type != "Data") {
    return invalidArgument("volume " + volume->uuid + " is a root volume; it goes with its VM");
  }
  if (volume->status == "Deleted") return Json::object();
  // A VM still lists the disk: its file must not go under it.
  auto vms = vmsOf(db_, *volume);
  if (!vms) return vms.error();
  if (!vms->empty()) {
    std::string names;
    for (const auto& vm : *vms) names += (names.empty() ? "" : ", ") + vm;
    return makeError(
        ErrorCode::kConflict,
        "volume " + volume->uuid + " is attached to VM" + (vms->size() > 1 ? "s " : " ") + names,
        "detach it first (DetachDataVolumeFromVm)");
  }
  std::string policy = config_.get("volume", "deletionPolicy").value_or("Delay");
  if (policy == "Direct") {
    if (auto s = expungeVolume(*volume); !s) return s.error();
    return Json::object();
  }
  auto changed = db_.execute("UPDATE volume SET status = 'Deleted', lastOpDate = ? WHERE uuid = ?",
                             {nowMillis(), volume->uuid});
  if (!changed) return changed.error();
  return Json::object();
}

Reply VolumeService::recover(const Json& p) {
  auto volume = loadVolume(db_, textParam(p, "uuid"));
  if (!volume) return volume.error();
  if (volume->status != "Deleted") {
    return makeError(ErrorCode::kConflict, "volume " + volume->uuid + " is not deleted",
                     "status " + volume->status);
  }
  auto changed = db_.execute(
      "UPDATE volume SET status = ?, lastOpDate = ? WHERE uuid = ?",
      {volume->installPath.empty() ? "NotInstantiated" : "Ready", nowMillis(), volume->uuid});
  if (!changed) return changed.error();
  return inventoryReply(db_, volume->uuid);
}

// Only deleted volumes are expunged (DeleteDataVolume first), as in ZStack.
Reply VolumeService::expunge(const Json& p) {
  auto volume = loadVolume(db_, textParam(p, "uuid"));
  if (!volume) return volume.error();
  if (volume->status != "Deleted") {
    return makeError(ErrorCode::kConflict,
                     "volume " + volume->uuid + " is not deleted; DeleteDataVolume it first",
                     "status " + volume->status);
  }
  if (auto s = expungeVolume(*volume); !s) return s.error();
  return Json::object();
}

Status VolumeService::expungeVolume(const VolumeRecord& v) {
  // Its snapshots first: their files are of no use without it.
  auto snapshots = snapshotFileDeletions(db_, v.uuid);
  if (!snapshots) return snapshots.error();
  for (auto& m : *snapshots) {
    auto deleted = callStorage(m.type, m.body, std::chrono::minutes(5));
    if (!deleted && deleted.error().code != ErrorCode::kNotFound) return deleted.error();
  }
  auto dropped = dropSnapshotRows(db_, v.uuid);
  if (!dropped) return dropped.error();
  std::vector<std::string> forget = *dropped;
  forget.push_back(v.uuid);
  if (!v.installPath.empty()) {
    auto deleted = callStorage(kDeleteVolumeMessage,
                               {{"primaryStorageUuid", v.primaryStorageUuid},
                                {"resourceUuid", v.uuid},
                                {"installPath", v.installPath},
                                {"size", v.size}},
                               std::chrono::minutes(5));
    // A storage that is gone took the file with it; anything else keeps the row for a retry.
    if (!deleted && deleted.error().code != ErrorCode::kNotFound) return deleted.error();
  }
  if (auto removed = dropRow(db_, v.uuid); !removed) return removed;
  logger_.info("volume.expunged uuid=" + v.uuid);
  // The kernel forgets a DELETE API's resource only when its row is gone at once; an expunged
  // volume's owner, shares and tags go here.
  auto forgotten = call(bus_, {std::string(kForgetResourcesMessage), "", {{"uuids", forget}}},
                        std::chrono::minutes(1));
  if (!forgotten) return forgotten.error();
  return {};
}

Status VolumeService::removeOnStorage(const std::vector<std::string>& uuids) {
  for (const auto& uuid : uuids) {
    auto volume = loadVolume(db_, uuid);
    if (!volume) {
      if (volume.error().code == ErrorCode::kNotFound) continue;
      return volume.error();
    }
    if (!volume->installPath.empty()) {
      auto deleted = callStorage(kDeleteVolumeMessage,
                                 {{"primaryStorageUuid", volume->primaryStorageUuid},
                                  {"resourceUuid", uuid},
                                  {"installPath", volume->installPath},
                                  {"size", volume->size}},
                                 std::chrono::minutes(5));
      // The storage is going too: a file it could not delete is logged, not fatal.
      if (!deleted)
        logger_.warn("volume.cascade.deleteFile.failed uuid=" + uuid +
                     " error=" + deleted.error().describe());
    }
    // Snapshot files go with the storage; their rows and owners go here.
    auto snapshots = dropSnapshotRows(db_, uuid);
    if (!snapshots) return snapshots.error();
    if (!snapshots->empty()) {
      auto forgotten = call(bus_, {std::string(kForgetResourcesMessage), "", {{"uuids", *snapshots}}},
                            std::chrono::minutes(1));
      if (!forgotten) return forgotten.error();
    }
    if (auto s = dropRow(db_, uuid); !s) return s;
  }
  return {};
}

void VolumeService::expungeDue() {
  if (config_.get("volume", "deletionPolicy").value_or("Delay") != "Delay") return;
  auto period = config_.getInt("volume", "expungePeriod", 86400);
  auto due = db_.query("SELECT uuid FROM volume WHERE status = 'Deleted' AND lastOpDate < ?",
                       {nowMillis() - period * 1000});
  if (!due) {
    logger_.warn("volume.expunge.sweep.failed error=" + due.error().describe());
    return;
  }
  for (const auto& r : due->rows) {
    std::string uuid = dbText(r[0]);
    // One volume at a time, in the volume's queue, like an ExpungeDataVolume call.
    auto done = call(bus_, {"volume.ExpungeDue", uuid, {{"uuid", uuid}}}, std::chrono::minutes(10));
    if (!done)
      logger_.warn("volume.expunge.failed uuid=" + uuid + " error=" + done.error().describe());
  }
}

}  // namespace strato::volume
