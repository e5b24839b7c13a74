// The image APIs that change one image, and the image APIs of backup storage.
#include <strato/handler_util.h>

#include "image_rules.h"
#include "image_service.h"

namespace strato::image {
namespace {

// The image's uuid: `uuid` in most APIs, `imageUuid` in recover and expunge.
std::string imageOf(const Json& p) {
  return textParam(p, "imageUuid").empty() ? textParam(p, "uuid") : textParam(p, "imageUuid");
}

std::vector<std::string> storagesOf(const std::vector<StorageRef>& refs) {
  std::vector<std::string> out;
  for (const auto& r : refs) out.push_back(r.backupStorageUuid);
  return out;
}

}  // namespace

// image.deletionPolicy: Direct expunges at once; Delay marks the copies Deleted (RecoverImage
// brings them back) and expungeDue() expunges them after image.expungePeriod; Never only marks.
Reply ImageService::remove(const Json& p) {
  std::string uuid = imageOf(p);
  auto image = loadImage(db_, uuid);
  if (!image) {
    // Deleting what does not exist succeeds: the caller wanted it gone, and it is.
    if (image.error().code == ErrorCode::kNotFound) return Json::object();
    return image.error();
  }
  if (image->status == "Downloading") {
    return makeError(ErrorCode::kConflict, "image " + image->name + " is still downloading");
  }
  auto refs = chosenRefs(uuid, p);
  if (!refs) return refs.error();
  std::string policy = config_.get("image", "deletionPolicy").value_or("Delay");
  Status done = policy == "Direct" ? expungeRefs(uuid, *refs)
                                   : setRefStatus(db_, uuid, storagesOf(*refs), "Deleted");
  if (!done) return done.error();
  return Json::object();
}

Reply ImageService::recover(const Json& p) {
  std::string uuid = imageOf(p);
  if (auto image = loadImage(db_, uuid); !image) return image.error();
  auto refs = chosenRefs(uuid, p);
  if (!refs) return refs.error();
  std::vector<std::string> deleted;
  for (const auto& r : *refs)
    if (r.status == "Deleted") deleted.push_back(r.backupStorageUuid);
  if (deleted.empty()) return makeError(ErrorCode::kConflict, "image " + uuid + " is not deleted");
  if (auto s = setRefStatus(db_, uuid, deleted, "Ready"); !s) return s.error();
  return inventoryReply(db_, uuid);
}

// Only deleted copies are expunged (DeleteImage first), as in ZStack.
Reply ImageService::expunge(const Json& p) {
  std::string uuid = imageOf(p);
  if (auto image = loadImage(db_, uuid); !image) return image.error();
  auto refs = chosenRefs(uuid, p);
  if (!refs) return refs.error();
  std::vector<StorageRef> deleted;
  for (const auto& r : *refs)
    if (r.status == "Deleted") deleted.push_back(r);
  if (deleted.empty()) {
    return makeError(ErrorCode::kConflict, "image " + uuid + " has no deleted copy to expunge");
  }
  if (auto s = expungeRefs(uuid, deleted); !s) return s.error();
  return Json::object();
}

Reply ImageService::changeState(const Json& p) {
  std::string uuid = imageOf(p);
  if (auto image = loadImage(db_, uuid); !image) return image.error();
  std::string event = textParam(p, "stateEvent");
  if (event != "enable" && event != "disable") {
    return invalidArgument("stateEvent must be enable or disable", event);
  }
  auto changed = db_.execute("UPDATE image SET state = ?, lastOpDate = ? WHERE uuid = ?",
                             {event == "enable" ? "Enabled" : "Disabled", nowMillis(), uuid});
  if (!changed) return changed.error();
  return inventoryReply(db_, uuid);
}

Reply ImageService::update(const Json& p) {
  std::string uuid = imageOf(p);
  auto image = loadImage(db_, uuid);
  if (!image) return image.error();
  auto current = loadInventory(db_, uuid);
  if (!current) return current.error();
  std::string format = p.contains("format") ? textParam(p, "format") : image->format;
  std::string mediaType =
      p.contains("mediaType") ? textParam(p, "mediaType") : textParam(*current, "mediaType");
  if (p.contains("format") || p.contains("mediaType")) {
    if (auto s = checkMedia(format, mediaType); !s) return s.error();
  }
  if (p.contains("platform")) {
    if (auto s = oneOf(kPlatforms, textParam(p, "platform"), "platform"); !s) return s.error();
  }
  if (p.contains("name") && textParam(p, "name").empty())
    return invalidArgument("name may not be empty");
  Status written = db_.transaction([&](Database& tx) -> Status {
    for (const char* field :
         {"name", "description", "guestOsType", "mediaType", "format", "platform"}) {
      if (!p.contains(field) || !p[field].is_string()) continue;
      auto s = statusOf(tx.execute(
          std::string("UPDATE image SET ") + field + " = ?, lastOpDate = ? WHERE uuid = ?",
          {textParam(p, field), nowMillis(), uuid}));
      if (!s) return s;
    }
    if (p.contains("system") && p["system"].is_boolean()) {
      return statusOf(
          tx.execute("UPDATE image SET isSystem = ?, lastOpDate = ? WHERE uuid = ?",
                     {std::int64_t{p["system"].get<bool>() ? 1 : 0}, nowMillis(), uuid}));
    }
    return {};
  });
  if (!written) return written.error();
  return inventoryReply(db_, uuid);
}

// Asks a storage holding a ready copy for the file's sizes again.
Reply ImageService::syncSize(const Json& p) {
  std::string uuid = imageOf(p);
  if (auto image = loadImage(db_, uuid); !image) return image.error();
  auto refs = refsOf(db_, uuid);
  if (!refs) return refs.error();
  Error last = makeError(ErrorCode::kConflict, "image " + uuid + " has no ready copy");
  for (const auto& ref : *refs) {
    if (ref.status != "Ready") continue;
    auto file =
        ask(kStatImageMessage,
            {{"backupStorageUuid", ref.backupStorageUuid}, {"installPath", ref.installPath}},
            std::chrono::minutes(5));
    if (!file) {
      last = file.error();
      continue;
    }
    auto changed =
        db_.execute("UPDATE image SET size = ?, actualSize = ?, lastOpDate = ? WHERE uuid = ?",
                    {file->value("size", std::int64_t{0}),
                     file->value("actualSize", std::int64_t{0}), nowMillis(), uuid});
    if (!changed) return changed.error();
    return inventoryReply(db_, uuid);
  }
  return last;
}

Reply ImageService::qga(const Json& p) {
  auto rows = db_.query("SELECT qga FROM image WHERE uuid = ?", {imageOf(p)});
  if (!rows) return rows.error();
  if (rows->rows.empty()) return makeError(ErrorCode::kNotFound, "no image " + imageOf(p));
  return Json{{"enable", dbInt(rows->rows[0][0]) != 0}};
}

Reply ImageService::setQga(const Json& p) {
  std::string uuid = imageOf(p);
  if (auto image = loadImage(db_, uuid); !image) return image.error();
  if (!p.contains("enable") || !p["enable"].is_boolean())
    return invalidArgument("enable must be true or false");
  auto changed = db_.execute("UPDATE image SET qga = ?, lastOpDate = ? WHERE uuid = ?",
                             {std::int64_t{p["enable"].get<bool>() ? 1 : 0}, nowMillis(), uuid});
  if (!changed) return changed.error();
  return Json::object();
}

Reply ImageService::exportImage(const Json& p) {
  std::string uuid = imageOf(p), bs = textParam(p, "backupStorageUuid");
  if (auto image = loadImage(db_, uuid); !image) return image.error();
  auto refs = chosenRefs(uuid, Json{{"backupStorageUuids", {bs}}});
  if (!refs) return refs.error();
  if (refs->front().status != "Ready") {
    return makeError(ErrorCode::kConflict, "the copy of image " + uuid + " on " + bs + " is " +
                                               refs->front().status + ", not Ready");
  }
  auto exported = ask(kExportImageMessage,
                      {{"backupStorageUuid", bs}, {"installPath", refs->front().installPath}},
                      std::chrono::minutes(5));
  if (!exported) return exported.error();
  std::string url = textParam(*exported, "exportUrl");
  Status saved = db_.transaction([&](Database& tx) -> Status {
    auto s = statusOf(tx.execute(
        "UPDATE image_backup_storage_ref SET exportUrl = ?, lastOpDate = ? WHERE imageUuid = ? "
        "AND backupStorageUuid = ?",
        {url, nowMillis(), uuid, bs}));
    return s ? refreshImage(tx, uuid) : s;
  });
  if (!saved) return saved.error();
  return Json{{"imageUrl", url}};
}

// Exports are URLs onto the storage's own file: forgetting the URL is all there is to delete.
Reply ImageService::deleteExported(const Json& p) {
  std::string uuid = imageOf(p), bs = textParam(p, "backupStorageUuid");
  auto refs = chosenRefs(uuid, Json{{"backupStorageUuids", {bs}}});
  if (!refs) return refs.error();
  Status saved = db_.transaction([&](Database& tx) -> Status {
    auto s = statusOf(
        tx.execute("UPDATE image_backup_storage_ref SET exportUrl = NULL, exportMd5Sum = NULL, "
                   "lastOpDate = ? WHERE imageUuid = ? AND backupStorageUuid = ?",
                   {nowMillis(), uuid, bs}));
    return s ? refreshImage(tx, uuid) : s;
  });
  if (!saved) return saved.error();
  return Json::object();
}

// Files of the image store that no image copy names (failed downloads, images expunged while
// the store was unreachable) are deleted.
Reply ImageService::reclaim(const Json& p) {
  std::string bs = textParam(p, "uuid");
  auto type = db_.query("SELECT type FROM backup_storage WHERE uuid = ?", {bs});
  if (!type) return type.error();
  if (type->rows.empty()) return makeError(ErrorCode::kNotFound, "no backup storage " + bs);
  if (dbText(type->rows[0][0]) != "ImageStoreBackupStorage") {
    return invalidArgument("backup storage " + bs + " is " + dbText(type->rows[0][0]) +
                           ", not ImageStoreBackupStorage");
  }
  auto paths = db_.query(
      "SELECT installPath FROM image_backup_storage_ref WHERE backupStorageUuid = ? AND "
      "installPath IS NOT NULL",
      {bs});
  if (!paths) return paths.error();
  Json keep = Json::array();
  for (const auto& r : paths->rows) keep.push_back(dbText(r[0]));
  auto reclaimed = ask(kReclaimImagesMessage, {{"backupStorageUuid", bs}, {"keep", keep}},
                       std::chrono::minutes(30));
  if (!reclaimed) return reclaimed.error();
  return Json::object();
}

Reply ImageService::migrate(const Json& p) {
  std::string uuid = imageOf(p), src = textParam(p, "srcBackupStorageUuid"),
              dst = textParam(p, "dstBackupStorageUuid");
  auto image = loadImage(db_, uuid);
  if (!image) return image.error();
  if (src == dst)
    return invalidArgument("srcBackupStorageUuid and dstBackupStorageUuid are the same", src);
  auto from = chosenRefs(uuid, Json{{"backupStorageUuids", {src}}});
  if (!from) return from.error();
  if (from->front().status != "Ready") {
    return makeError(ErrorCode::kConflict, "the copy of image " + uuid + " on " + src + " is " +
                                               from->front().status + ", not Ready");
  }
  auto refs = refsOf(db_, uuid);
  if (!refs) return refs.error();
  for (const auto& r : *refs) {
    if (r.backupStorageUuid == dst)
      return makeError(ErrorCode::kAlreadyExists, "image " + uuid + " is already on " + dst);
  }
  auto now = nowMillis();
  Status started = db_.transaction([&](Database& tx) -> Status {
    auto s = statusOf(tx.execute(
        "INSERT INTO image_backup_storage_ref (imageUuid, backupStorageUuid, status, createDate, "
        "lastOpDate) VALUES (?, ?, 'Downloading', ?, ?)",
        {uuid, dst, now, now}));
    return s ? refreshImage(tx, uuid) : s;
  });
  if (!started) return started.error();
  auto copied = ask(kCopyImageMessage,
                    {{"backupStorageUuid", dst},
                     {"imageUuid", uuid},
                     {"format", image->format},
                     {"srcBackupStorageUuid", src},
                     {"srcInstallPath", from->front().installPath}},
                    std::chrono::seconds(config_.getInt("image", "download.timeout", 10800)));
  if (!copied) {
    (void)removeRefs(db_, uuid, {dst});  // the source's copy stays: the image does not go
    return copied.error();
  }
  Status recorded = db_.transaction([&](Database& tx) -> Status {
    auto s = statusOf(tx.execute(
        "UPDATE image_backup_storage_ref SET installPath = ?, status = 'Ready', lastOpDate = ? "
        "WHERE imageUuid = ? AND backupStorageUuid = ?",
        {textParam(*copied, "installPath"), nowMillis(), uuid, dst}));
    return s ? refreshImage(tx, uuid) : s;
  });
  if (!recorded) return recorded.error();
  return inventoryReply(db_, uuid);
}

void ImageService::expungeDue() {
  if (config_.get("image", "deletionPolicy").value_or("Delay") != "Delay") return;
  auto period = config_.getInt("image", "expungePeriod", 86400);
  auto due = db_.query("SELECT uuid FROM image WHERE status = 'Deleted' AND lastOpDate < ?",
                       {nowMillis() - period * 1000});
  if (!due) {
    logger_.warn("image.expunge.sweep.failed error=" + due.error().describe());
    return;
  }
  for (const auto& r : due->rows) {
    std::string uuid = dbText(r[0]);
    // One image at a time, in the image's queue, like an ExpungeImage call.
    auto done =
        call(bus_, {"image.ExpungeDue", uuid, {{"imageUuid", uuid}}}, std::chrono::minutes(10));
    if (!done)
      logger_.warn("image.expunge.failed uuid=" + uuid + " error=" + done.error().describe());
  }
}

}  // namespace strato::image
