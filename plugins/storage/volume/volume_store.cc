#include "volume_store.h"

#include <algorithm>
#include <variant>

namespace strato::volume {
namespace {

bool isNull(const DbValue& v) { return std::holds_alternative<std::monostate>(v); }

}  // namespace

Result<VolumeRecord> loadVolume(Database& db, const std::string& uuid) {
  auto rows = db.query(
      "SELECT name, primaryStorageUuid, installPath, type, format, state, status, size, "
      "actualSize, vmInstanceUuid, isShareable FROM volume WHERE uuid = ?",
      {uuid});
  if (!rows) return rows.error();
  if (rows->rows.empty()) return makeError(ErrorCode::kNotFound, "no volume " + uuid);
  const auto& r = rows->rows.front();
  VolumeRecord v;
  v.uuid = uuid;
  v.name = dbText(r[0]);
  v.primaryStorageUuid = isNull(r[1]) ? "" : dbText(r[1]);
  v.installPath = isNull(r[2]) ? "" : dbText(r[2]);
  v.type = dbText(r[3]);
  v.format = dbText(r[4]);
  v.state = dbText(r[5]);
  v.status = dbText(r[6]);
  v.size = dbInt(r[7]);
  v.actualSize = isNull(r[8]) ? 0 : dbInt(r[8]);
  v.vmInstanceUuid = isNull(r[9]) ? "" : dbText(r[9]);
  v.shareable = dbInt(r[10]) != 0;
  return v;
}

Result<Json> loadInventory(Database& db, const std::string& uuid) {
  auto rows = db.query(
      "SELECT name, description, primaryStorageUuid, vmInstanceUuid, diskOfferingUuid, "
      "rootImageUuid, installPath, type, format, size, actualSize, deviceId, state, status, "
      "createDate, lastOpDate, isShareable FROM volume WHERE uuid = ?",
      {uuid});
  if (!rows) return rows.error();
  if (rows->rows.empty()) return makeError(ErrorCode::kNotFound, "no volume " + uuid);
  const auto& r = rows->rows.front();
  Json v{{"uuid", uuid},
         {"name", dbText(r[0])},
         {"type", dbText(r[7])},
         {"format", dbText(r[8])},
         {"size", dbInt(r[9])},
         {"state", dbText(r[12])},
         {"status", dbText(r[13])},
         {"createDate", formatGsonDate(dbInt(r[14]))},
         {"lastOpDate", formatGsonDate(dbInt(r[15]))},
         {"isShareable", dbInt(r[16]) != 0}};
  for (auto [i, key] : {std::pair{1, "description"},
                        {2, "primaryStorageUuid"},
                        {3, "vmInstanceUuid"},
                        {4, "diskOfferingUuid"},
                        {5, "rootImageUuid"},
                        {6, "installPath"}}) {
    if (!isNull(r[i])) v[key] = dbText(r[i]);
  }
  if (!isNull(r[10])) v["actualSize"] = dbInt(r[10]);
  if (!isNull(r[11])) v["deviceId"] = dbInt(r[11]);
  return v;
}

Reply recordCreatedFile(Database& db, Logger& logger, const std::string& uuid,
                        const std::string& ps, std::int64_t requestedSize, const Reply& file) {
  if (!file) {
    (void)db.execute("DELETE FROM volume WHERE uuid = ?", {uuid});
    logger.warn("volume.create.failed uuid=" + uuid + " primaryStorage=" + ps +
                " error=" + file.error().describe());
    return file.error();
  }
  auto done = db.execute(
      "UPDATE volume SET primaryStorageUuid = ?, installPath = ?, size = ?, actualSize = ?, "
      "status = 'Ready', lastOpDate = ? WHERE uuid = ?",
      {ps, textParam(*file, "installPath"), file->value("size", requestedSize),
       file->value("actualSize", std::int64_t{0}), nowMillis(), uuid});
  if (!done) return done.error();
  logger.info("volume.created uuid=" + uuid + " primaryStorage=" + ps);
  return inventoryReply(db, uuid);
}

Result<std::vector<std::string>> vmsOf(Database& db, const VolumeRecord& volume) {
  std::vector<std::string> out;
  if (!volume.vmInstanceUuid.empty()) out.push_back(volume.vmInstanceUuid);
  if (!volume.shareable) return out;
  auto rows = db.query(
      "SELECT vmInstanceUuid FROM shareable_volume_vm_instance_ref WHERE volumeUuid = ? ORDER BY "
      "createDate, vmInstanceUuid",
      {volume.uuid});
  if (!rows) return rows.error();
  for (const auto& r : rows->rows) out.push_back(dbText(r[0]));
  return out;
}

Status vmAllows(Database& db, const VolumeRecord& volume, const std::vector<std::string>& states,
                const std::string& what) {
  auto vms = vmsOf(db, volume);
  if (!vms) return vms.error();
  for (const auto& vm : *vms) {
    auto rows = db.query("SELECT state FROM vm_instance WHERE uuid = ?", {vm});
    if (!rows) return rows.error();
    if (rows->rows.empty()) continue;
    std::string state = dbText(rows->rows[0][0]);
    if (std::find(states.begin(), states.end(), state) != states.end()) continue;
    std::string allowed;
    for (const auto& s : states) allowed += (allowed.empty() ? "" : ", ") + s;
    return makeError(ErrorCode::kConflict, "cannot " + what + " while VM " + vm + " is " + state,
                     "the VM must be " + allowed);
  }
  return {};
}

Status dropRow(Database& db, const std::string& uuid) {
  return db.transaction([&](Database& tx) -> Status {
    auto refs =
        tx.execute("DELETE FROM shareable_volume_vm_instance_ref WHERE volumeUuid = ?", {uuid});
    if (!refs) return refs.error();
    return statusOf(tx.execute("DELETE FROM volume WHERE uuid = ?", {uuid}));
  });
}

Reply inventoryReply(Database& db, const std::string& uuid) {
  auto inventory = loadInventory(db, uuid);
  if (!inventory) return inventory.error();
  return Json{{"inventory", *inventory}};
}

}  // namespace strato::volume
