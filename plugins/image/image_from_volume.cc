// Templates from volumes and snapshots (3.3.10 CreateRootVolumeTemplateFromRootVolume, 3.3.11
// CreateRootVolumeTemplateFromVolumeSnapshot, 3.3.12 CreateDataVolumeTemplateFromVolume) and the
// backup storage candidates for them (3.3.9). The file is read where it lies (the primary
// storage answers its sizes), then every chosen backup storage takes a copy, as AddImage's
// downloads do.
#include <strato/handler_util.h>

#include "image_rules.h"
#include "image_service.h"

namespace strato::image {
namespace {

struct SourceFile {
  std::string url;  // volume://<uuid> or volumeSnapshot://<uuid>: where the image came from
  std::string primaryStorageUuid, primaryStorageType, installPath, format, platform;
  std::string resourceUuid;  // the volume's or snapshot's
};

// A guest that runs keeps writing: the copy would not be consistent.
Status stoppedOrDetached(Database& db, const std::string& vmUuid) {
  if (vmUuid.empty()) return {};
  auto rows = db.query("SELECT state FROM vm_instance WHERE uuid = ?", {vmUuid});
  if (!rows) return rows.error();
  if (rows->rows.empty()) return {};
  std::string state = dbText(rows->rows[0][0]);
  if (state == "Stopped" || state == "Created") return {};
  return conflict("VM " + vmUuid + " is " + state + "; stop it before making an image of its disk");
}

Result<SourceFile> sourceOf(Database& db, ImageService::VolumeSource kind, const Json& p) {
  SourceFile f;
  std::string type;
  if (kind == ImageService::VolumeSource::kSnapshot) {
    std::string uuid = textParam(p, "snapshotUuid");
    auto rows = db.query(
        "SELECT primaryStorageUuid, primaryStorageInstallPath, format, status FROM "
        "volume_snapshot WHERE uuid = ?",
        {uuid});
    if (!rows) return rows.error();
    if (rows->rows.empty()) return invalidArgument("snapshotUuid names no volume snapshot", uuid);
    const auto& r = rows->rows[0];
    if (dbText(r[3]) != "Ready") return conflict("snapshot " + uuid + " is " + dbText(r[3]));
    f = {"volumeSnapshot://" + uuid, dbText(r[0]), "", dbText(r[1]), dbText(r[2]), "", uuid};
  } else {
    const char* param = kind == ImageService::VolumeSource::kRootVolume ? "rootVolumeUuid" : "volumeUuid";
    std::string uuid = textParam(p, param);
    auto rows = db.query(
        "SELECT v.primaryStorageUuid, v.installPath, v.format, v.status, v.type, v.vmInstanceUuid, "
        "vm.platform FROM volume v LEFT JOIN vm_instance vm ON vm.uuid = v.vmInstanceUuid WHERE "
        "v.uuid = ?",
        {uuid});
    if (!rows) return rows.error();
    if (rows->rows.empty()) return invalidArgument(std::string(param) + " names no volume", uuid);
    const auto& r = rows->rows[0];
    if (kind == ImageService::VolumeSource::kRootVolume && dbText(r[4]) != "Root")
      return invalidArgument("volume " + uuid + " is not a root volume", std::string(param) + " " + uuid);
    if (dbText(r[3]) != "Ready" || dbText(r[1]).empty())
      return conflict("volume " + uuid + " is " + dbText(r[3]) + "; it must be Ready");
    if (auto ok = stoppedOrDetached(db, dbText(r[5])); !ok) return ok.error();
    // A shareable volume is written by each VM it is attached to.
    auto sharers = db.query(
        "SELECT vmInstanceUuid FROM shareable_volume_vm_instance_ref WHERE volumeUuid = ?", {uuid});
    if (!sharers) return sharers.error();
    for (const auto& vm : sharers->rows)
      if (auto ok = stoppedOrDetached(db, dbText(vm[0])); !ok) return ok.error();
    f = {"volume://" + uuid, dbText(r[0]), "", dbText(r[1]), dbText(r[2]), dbText(r[6]), uuid};
  }
  auto ps = db.query("SELECT type FROM primary_storage WHERE uuid = ?", {f.primaryStorageUuid});
  if (!ps) return ps.error();
  if (ps->rows.empty()) return conflict("primary storage " + f.primaryStorageUuid + " is gone");
  f.primaryStorageType = dbText(ps->rows[0][0]);
  return f;
}

}  // namespace

void ImageService::createFromVolume(const Message& m, VolumeSource kind, Replier replier) {
  auto reply = std::make_shared<Replier>(std::move(replier));
  auto self = shared_from_this();
  Json p = m.body["params"];
  std::string jobUuid = m.body.value("jobUuid", "");
  bus_.postBlocking([self, reply, p, kind, jobUuid]() mutable {
    auto source = sourceOf(self->db_, kind, p);
    if (!source) return (*reply)(source.error());
    auto d = std::make_shared<Download>();
    d->uuid = textParam(p, "resourceUuid", newUuid());
    if (!isUuid(d->uuid)) return (*reply)(invalidArgument("resourceUuid must be 32 hex digits", d->uuid));
    d->url = source->url;
    d->format = source->format;
    d->jobUuid = jobUuid;
    std::string platform = textParam(p, "platform", source->platform.empty() ? "Linux" : source->platform);
    if (auto s = oneOf(kPlatforms, platform, "platform"); !s) return (*reply)(s.error());
    // None named: the roomiest backup storage of the zone, as ZStack picks one.
    if (stringListParam(p, "backupStorageUuids").empty()) {
      const std::string& uuid = source->resourceUuid;
      auto found = self->candidateStorages(kind == VolumeSource::kSnapshot
                                               ? Json{{"volumeSnapshotUuid", uuid}}
                                               : Json{{"volumeUuid", uuid}});
      if (!found) return (*reply)(found.error());
      if ((*found)["uuids"].empty())
        return (*reply)(conflict("no Enabled, Connected backup storage in the zone of " + source->url));
      p["backupStorageUuids"] = Json::array({(*found)["uuids"][0]});
    }
    auto storages = self->storagesParam(p);
    if (!storages) return (*reply)(storages.error());
    d->storages = std::move(*storages);
    std::string media = kind == VolumeSource::kDataVolume ? "DataVolumeTemplate" : "RootVolumeTemplate";
    if (auto s = self->insertImage(*d, p, media, platform); !s) return (*reply)(s.error());
    // The storage answers the file's sizes now (and that it still has it).
    self->bus_.request(
        {std::string(kVolumeSizeMessage),
         "",
         {{"primaryStorageUuid", source->primaryStorageUuid},
          {"resourceUuid", source->resourceUuid},
          {"installPath", source->installPath}}},
        [self, reply, d, source = *source](Reply sizes) {
          if (!sizes) {
            return self->bus_.postBlocking([self, reply, d, error = sizes.error()] {
              (void)self->dropRefs(d->uuid, d->storages);
              (*reply)(error);
            });
          }
          d->requestType = std::string(kImportVolumeMessage);
          d->requestBody = {{"format", d->format},
                            {"primaryStorageUuid", source.primaryStorageUuid},
                            {"primaryStorageType", source.primaryStorageType},
                            {"resourceUuid", source.resourceUuid},
                            {"installPath", source.installPath},
                            {"size", sizes->value("size", std::int64_t{0})},
                            {"actualSize", sizes->value("actualSize", std::int64_t{0})}};
          self->fetch(d, reply);
        });
  });
}

// Enabled, Connected backup storages of the zone the volume's (or snapshot's) storage is in.
Reply ImageService::candidateStorages(const Json& p) {
  std::string volume = textParam(p, "volumeUuid"), snapshot = textParam(p, "volumeSnapshotUuid");
  std::string sql = volume.empty()
                        ? "SELECT primaryStorageUuid FROM volume_snapshot WHERE uuid = ?"
                        : "SELECT primaryStorageUuid FROM volume WHERE uuid = ?";
  auto ps = db_.query(sql, {volume.empty() ? snapshot : volume});
  if (!ps) return ps.error();
  if (ps->rows.empty() || dbText(ps->rows[0][0]).empty())
    return invalidArgument("volumeUuid or volumeSnapshotUuid must name a volume or snapshot that has a file");
  auto rows = db_.query(
      "SELECT b.uuid FROM backup_storage b JOIN backup_storage_zone_ref z ON z.backupStorageUuid = "
      "b.uuid JOIN primary_storage p ON p.zoneUuid = z.zoneUuid WHERE p.uuid = ? AND b.state = "
      "'Enabled' AND b.status = 'Connected' ORDER BY b.availableCapacity DESC",
      {dbText(ps->rows[0][0])});
  if (!rows) return rows.error();
  Json uuids = Json::array();
  for (const auto& r : rows->rows) uuids.push_back(dbText(r[0]));
  return Json{{"uuids", uuids}};
}

}  // namespace strato::image
