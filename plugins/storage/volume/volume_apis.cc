// The volume APIs that change or read one volume's settings: state, name, sizes, QoS, formats
// and capabilities.
#include "volume_service.h"

namespace strato::volume {
namespace {

// Settings may change only on a volume that is not deleted (RecoverDataVolume first).
Result<VolumeRecord> liveVolume(Database& db, const std::string& uuid) {
  auto volume = loadVolume(db, uuid);
  if (!volume) return volume.error();
  if (volume->status == "Deleted") {
    return makeError(ErrorCode::kConflict,
                     "volume " + uuid + " is deleted; RecoverDataVolume it first");
  }
  return volume;
}

}  // namespace

Reply VolumeService::changeState(const Json& p) {
  auto volume = liveVolume(db_, textParam(p, "uuid"));
  if (!volume) return volume.error();
  std::string event = textParam(p, "stateEvent");
  if (event != "enable" && event != "disable") {
    return invalidArgument("stateEvent must be enable or disable", event);
  }
  auto changed =
      db_.execute("UPDATE volume SET state = ?, lastOpDate = ? WHERE uuid = ?",
                  {event == "enable" ? "Enabled" : "Disabled", nowMillis(), volume->uuid});
  if (!changed) return changed.error();
  return inventoryReply(db_, volume->uuid);
}

Reply VolumeService::update(const Json& p) {
  auto volume = loadVolume(db_, textParam(p, "uuid"));
  if (!volume) return volume.error();
  if (p.contains("name") && textParam(p, "name").empty())
    return invalidArgument("name may not be empty");
  Status written = db_.transaction([&](Database& tx) -> Status {
    for (const char* field : {"name", "description"}) {
      if (!p.contains(field) || !p[field].is_string()) continue;
      auto s = statusOf(tx.execute(
          std::string("UPDATE volume SET ") + field + " = ?, lastOpDate = ? WHERE uuid = ?",
          {textParam(p, field), nowMillis(), volume->uuid}));
      if (!s) return s;
    }
    return Status{};
  });
  if (!written) return written.error();
  return inventoryReply(db_, volume->uuid);
}

// Asks the storage for the file's sizes again, and it moves the volume's reservation along; a
// volume without a file has nothing to sync.
Reply VolumeService::syncSize(const Json& p) {
  auto volume = liveVolume(db_, textParam(p, "uuid"));
  if (!volume) return volume.error();
  if (volume->installPath.empty()) return inventoryReply(db_, volume->uuid);
  auto file = callStorage(kVolumeSizeMessage,
                          {{"primaryStorageUuid", volume->primaryStorageUuid},
                           {"resourceUuid", volume->uuid},
                           {"installPath", volume->installPath},
                           {"size", volume->size}},
                          std::chrono::minutes(5));
  if (!file) return file.error();
  auto changed =
      db_.execute("UPDATE volume SET size = ?, actualSize = ?, lastOpDate = ? WHERE uuid = ?",
                  {file->value("size", volume->size), file->value("actualSize", std::int64_t{0}),
                   nowMillis(), volume->uuid});
  if (!changed) return changed.error();
  return inventoryReply(db_, volume->uuid);
}

// Volumes only grow. One not instantiated yet just records the size its file will have.
Reply VolumeService::resize(const Json& p) { return grow(p, "Data"); }
Reply VolumeService::resizeRoot(const Json& p) { return grow(p, "Root"); }

// The guest is not told of a new size yet (no online resize without the KVM agent): a root
// volume grows only while its VM is stopped.
Reply VolumeService::grow(const Json& p, const std::string& type) {
  auto volume = liveVolume(db_, textParam(p, "uuid"));
  if (!volume) return volume.error();
  if (volume->type != type) {
    return invalidArgument("volume " + volume->uuid + " is a " + volume->type + " volume: use " +
                           (volume->type == "Root" ? "ResizeRootVolume" : "ResizeDataVolume"));
  }
  if (type == "Root") {
    if (auto ok = vmAllows(db_, *volume, {"Stopped", "Created"}, "grow a root volume"); !ok)
      return ok.error();
  }
  std::int64_t size = p.value("size", std::int64_t{0});
  if (size <= volume->size) {
    return invalidArgument("size must be larger than the volume's size (volumes only grow)",
                           "size " + std::to_string(size) + " <= " + std::to_string(volume->size));
  }
  if (volume->state != "Enabled") {
    return makeError(ErrorCode::kConflict, "volume " + volume->uuid + " is " + volume->state);
  }
  std::int64_t actualSize = volume->actualSize;
  if (!volume->installPath.empty()) {
    auto file = callStorage(kResizeVolumeMessage,
                            {{"primaryStorageUuid", volume->primaryStorageUuid},
                             {"resourceUuid", volume->uuid},
                             {"installPath", volume->installPath},
                             {"size", volume->size},
                             {"newSize", size}},
                            std::chrono::minutes(30));
    if (!file) return file.error();
    actualSize = file->value("actualSize", actualSize);
  }
  auto changed =
      db_.execute("UPDATE volume SET size = ?, actualSize = ?, lastOpDate = ? WHERE uuid = ?",
                  {size, actualSize, nowMillis(), volume->uuid});
  if (!changed) return changed.error();
  return inventoryReply(db_, volume->uuid);
}

// ZStack's VolumeFormat registry: each format, the hypervisor that creates it, and those that
// can use it.
Reply VolumeService::formats(const Json&) {
  auto format = [](const char* name, const char* master, std::vector<std::string> supporting) {
    return Json{{"format", name},
                {"masterHypervisorType", master},
                {"supportingHypervisorTypes", supporting}};
  };
  return Json{{"formats",
               {format("qcow2", "KVM", {"KVM"}), format("raw", "KVM", {"KVM"}),
                format("iso", "KVM", {"ESX", "KVM"}), format("vmtx", "ESX", {"ESX"})}}};
}

// What the migrations above can do with the volume's file: a LocalStorage file moves between
// the storage's hosts (LocalStorageMigrateVolume), any other to another storage of its type
// (PrimaryStorageMigrateVolume). A volume without a file has nothing to move.
Reply VolumeService::capabilities(const Json& p) {
  auto volume = loadVolume(db_, textParam(p, "uuid"));
  if (!volume) return volume.error();
  auto type =
      db_.query("SELECT type FROM primary_storage WHERE uuid = ?", {volume->primaryStorageUuid});
  if (!type) return type.error();
  bool placed = !volume->installPath.empty() && !type->rows.empty();
  bool local = placed && dbText(type->rows[0][0]) == "LocalStorage";
  return Json{{"capabilities",
               {{"MigrationToOtherPrimaryStorage", placed && !local},
                {"MigrationInCurrentPrimaryStorage", local}}}};
}

// Stored on the volume; the hypervisor plugin enforces it when the volume is attached.
Reply VolumeService::setQos(const Json& p) {
  auto volume = liveVolume(db_, textParam(p, "uuid"));
  if (!volume) return volume.error();
  std::int64_t bandwidth = p.value("volumeBandwidth", std::int64_t{0});
  if (bandwidth <= 0) {
    return invalidArgument("volumeBandwidth must be a positive number of bytes per second",
                           std::to_string(bandwidth));
  }
  auto changed = db_.execute("UPDATE volume SET volumeBandwidth = ?, lastOpDate = ? WHERE uuid = ?",
                             {bandwidth, nowMillis(), volume->uuid});
  if (!changed) return changed.error();
  return Json::object();
}

// -1 when no limit is set, as ZStack answers.
Reply VolumeService::getQos(const Json& p) {
  std::string uuid = textParam(p, "uuid");
  auto rows = db_.query("SELECT volumeBandwidth FROM volume WHERE uuid = ?", {uuid});
  if (!rows) return rows.error();
  if (rows->rows.empty()) return makeError(ErrorCode::kNotFound, "no volume " + uuid);
  const auto& v = rows->rows[0][0];
  std::int64_t bandwidth = std::holds_alternative<std::monostate>(v) ? -1 : dbInt(v);
  return Json{{"volumeUuid", uuid}, {"volumeBandwidth", bandwidth}};
}

Reply VolumeService::deleteQos(const Json& p) {
  auto volume = loadVolume(db_, textParam(p, "uuid"));
  if (!volume) return volume.error();
  auto changed =
      db_.execute("UPDATE volume SET volumeBandwidth = NULL, lastOpDate = ? WHERE uuid = ?",
                  {nowMillis(), volume->uuid});
  if (!changed) return changed.error();
  return Json::object();
}

}  // namespace strato::volume
