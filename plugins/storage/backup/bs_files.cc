// Image files on backup storage, for the image plugin (<strato/backup_storage.h>).
#include <strato/handler_util.h>
#include <strato/primary_storage.h>

#include "bs_service.h"

namespace strato::backup {
namespace {

Json fileJson(const ImageFile& f) {
  return Json{{"installPath", f.installPath},
              {"size", f.size},
              {"actualSize", f.actualSize},
              {"md5Sum", f.md5Sum}};
}

// {"host", "port", "user", "password", "hostKey"}, as the kvm plugin gives a host's.
ssh::Target sshTargetOf(const Json& j) {
  ssh::Target target;
  target.host = textParam(j, "host");
  target.port = static_cast<int>(j.value("port", std::int64_t{22}));
  target.user = textParam(j, "user");
  target.password = textParam(j, "password");
  target.knownHostKey = textParam(j, "hostKey");
  return target;
}

}  // namespace

Result<BackupStorageService::Record> BackupStorageService::usable(const std::string& uuid) {
  auto record = load(uuid);
  if (!record) return record.error();
  if (record->state != "Enabled" || record->status != "Connected") {
    return makeError(ErrorCode::kConflict, "backup storage " + record->spec.name + " is " +
                                               record->state + " and " + record->status +
                                               ", not Enabled and Connected");
  }
  return record;
}

Status BackupStorageService::applyCapacity(const std::string& uuid,
                                           const std::optional<BackupStorageCapacity>& read,
                                           std::int64_t delta) {
  // Relative updates, so that downloads finishing together all count.
  auto changed = read ? db_.execute(
                            "UPDATE backup_storage SET totalCapacity = ?, availableCapacity = ?, "
                            "lastOpDate = ? WHERE uuid = ?",
                            {read->total, read->available, nowMillis(), uuid})
                      : db_.execute(
                            "UPDATE backup_storage SET availableCapacity = CASE "
                            "WHEN availableCapacity + ? < 0 THEN 0 "
                            "WHEN availableCapacity + ? > totalCapacity THEN totalCapacity "
                            "ELSE availableCapacity + ? END, lastOpDate = ? WHERE uuid = ?",
                            {delta, delta, delta, nowMillis(), uuid});
  if (!changed) return changed.error();
  return {};
}

Reply BackupStorageService::downloadImage(const Json& body) {
  auto record = usable(textParam(body, "backupStorageUuid"));
  if (!record) return record.error();
  auto d = driver(record->spec.type);
  if (!d) return d.error();
  auto change = (*d)->download(record->spec, textParam(body, "imageUuid"), textParam(body, "url"),
                               textParam(body, "format"));
  if (!change) return change.error();
  return acceptFile(*record, **d, *change);
}

Reply BackupStorageService::copyImage(const Json& body) {
  auto record = usable(textParam(body, "backupStorageUuid"));
  if (!record) return record.error();
  auto src = load(textParam(body, "srcBackupStorageUuid"));
  if (!src) return src.error();
  if (src->status != "Connected") {
    return makeError(ErrorCode::kConflict,
                     "backup storage " + src->spec.name + " is " + src->status + ", not Connected");
  }
  auto d = driver(record->spec.type);
  if (!d) return d.error();
  auto change = (*d)->copyIn(record->spec, src->spec, textParam(body, "srcInstallPath"),
                             textParam(body, "imageUuid"), textParam(body, "format"));
  if (!change) return change.error();
  return acceptFile(*record, **d, *change);
}

Reply BackupStorageService::importVolume(const Json& body) {
  auto record = usable(textParam(body, "backupStorageUuid"));
  if (!record) return record.error();
  auto d = driver(record->spec.type);
  if (!d) return d.error();
  BackupStorageDriver::PrimaryFile file{textParam(body, "primaryStorageUuid"),
                                        textParam(body, "primaryStorageType"),
                                        textParam(body, "installPath"),
                                        body.value("size", std::int64_t{0}),
                                        body.value("actualSize", std::int64_t{0}),
                                        std::nullopt};
  // Files of storages on hosts come from a host that reads them; the simulator's need none.
  bool temporary = false;
  if (file.primaryStorageType != "Simulator") {
    auto source = call(bus_,
                       {std::string(kFileSourceMessage),
                        "",
                        {{"primaryStorageUuid", file.primaryStorageUuid},
                         {"resourceUuid", textParam(body, "resourceUuid")},
                         {"installPath", file.installPath}}},
                       std::chrono::minutes(1));
    if (!source)
      return failedWhile(source.error(), "finding a host that reads " + file.installPath);
    file.host = sshTargetOf(source->value("ssh", Json::object()));
    file.installPath = source->value("path", file.installPath);
    temporary = source->value("temporary", false);
  }
  auto change = (*d)->importVolume(record->spec, textParam(body, "imageUuid"),
                                   textParam(body, "format"), file);
  // A leftover copy costs the host disk space, not correctness: a failed delete is only logged.
  if (temporary) {
    if (auto removed = ssh::runChecked(*file.host, "rm -f " + ssh::shellQuote(file.installPath));
        !removed) {
      logger_.warn("cannot delete " + file.installPath +
                   " on the host: " + removed.error().describe());
    }
  }
  if (!change) return change.error();
  return acceptFile(*record, **d, *change);
}

Reply BackupStorageService::acceptFile(const Record& record, BackupStorageDriver& driver,
                                       const FileChange& change) {
  if (!change.capacity) {
    // A simulated storage cannot run out by itself: it is full when its figures say so.
    auto available = db_.query("SELECT availableCapacity FROM backup_storage WHERE uuid = ?",
                               {record.spec.uuid});
    if (!available) return available.error();
    if (!available->rows.empty() && dbInt(available->rows[0][0]) < change.file.actualSize) {
      (void)driver.remove(record.spec, change.file.installPath);
      return makeError(ErrorCode::kConflict, "backup storage " + record.spec.name +
                                                 " has no room for " +
                                                 std::to_string(change.file.actualSize) + " bytes");
    }
  }
  auto applied = applyCapacity(record.spec.uuid, change.capacity, -change.file.actualSize);
  if (!applied) return applied.error();
  return fileJson(change.file);
}

Reply BackupStorageService::statImage(const Json& body) {
  auto record = load(textParam(body, "backupStorageUuid"));
  if (!record) return record.error();
  auto d = driver(record->spec.type);
  if (!d) return d.error();
  auto file = (*d)->stat(record->spec, textParam(body, "installPath"));
  if (!file) return file.error();
  return fileJson(*file);
}

Reply BackupStorageService::deleteImage(const Json& body) {
  auto record = load(textParam(body, "backupStorageUuid"));
  if (!record) return record.error();
  auto d = driver(record->spec.type);
  if (!d) return d.error();
  auto change = (*d)->remove(record->spec, textParam(body, "installPath"));
  if (!change) return change.error();
  if (auto s = applyCapacity(record->spec.uuid, change->capacity, change->file.actualSize); !s)
    return s.error();
  return Json::object();
}

Reply BackupStorageService::exportImage(const Json& body) {
  auto record = usable(textParam(body, "backupStorageUuid"));
  if (!record) return record.error();
  auto d = driver(record->spec.type);
  if (!d) return d.error();
  auto url = (*d)->exportUrl(record->spec, textParam(body, "installPath"));
  if (!url) return url.error();
  return Json{{"exportUrl", *url}};
}

Reply BackupStorageService::sendImage(const Json& body) {
  auto record = usable(textParam(body, "backupStorageUuid"));
  if (!record) return record.error();
  auto d = driver(record->spec.type);
  if (!d) return d.error();
  ssh::Target target = sshTargetOf(body.value("ssh", Json::object()));
  std::string path = textParam(body, "path");
  if (target.host.empty() || path.empty() || path.front() != '/') {
    return invalidArgument("sending an image needs an SSH host and an absolute path", path);
  }
  auto sent = (*d)->sendTo(record->spec, textParam(body, "installPath"), target, path);
  if (!sent) return sent.error();
  return Json::object();
}

Reply BackupStorageService::reclaimImages(const Json& body) {
  auto record = usable(textParam(body, "backupStorageUuid"));
  if (!record) return record.error();
  auto d = driver(record->spec.type);
  if (!d) return d.error();
  std::vector<std::string> keep;
  if (body.contains("keep") && body["keep"].is_array()) {
    for (const auto& path : body["keep"])
      if (path.is_string()) keep.push_back(path.get<std::string>());
  }
  auto reclaimed = (*d)->reclaim(record->spec, keep);
  if (!reclaimed) return reclaimed.error();
  if (auto s = applyCapacity(record->spec.uuid, reclaimed->capacity, reclaimed->freed); !s)
    return s.error();
  logger_.info("backupStorage.reclaimed uuid=" + record->spec.uuid +
               " bytes=" + std::to_string(reclaimed->freed));
  return Json{{"freed", reclaimed->freed}};
}

}  // namespace strato::backup
