#include "vm_volumes.h"

#include <strato/handler_util.h>

#include <strato/in_turn.h>
#include <strato/rendering.h>

#include "snapshot_service.h"
#include "volume_store.h"

namespace strato::volume {
namespace {

DbValue nullable(const std::string& text) { return text.empty() ? DbValue{} : DbValue{text}; }

}  // namespace

Result<Json> VmVolumes::insertRow(const Json& body) {
  std::string uuid = textParam(body, "resourceUuid", newUuid());
  std::string vm = textParam(body, "vmInstanceUuid");
  std::string type = textParam(body, "type");
  std::string ps = textParam(body, "primaryStorageUuid");
  std::string image = textParam(body, "imageUuid");
  if (vm.empty() || ps.empty() || (type != "Root" && type != "Data"))
    return invalidArgument("a VM volume needs a vmInstanceUuid, a primaryStorageUuid and a type");
  std::int64_t size = body.value("size", std::int64_t{0});
  std::string format = "qcow2";
  Json storage{{"primaryStorageUuid", ps}, {"volumeUuid", uuid}};
  if (std::string host = textParam(body, "hostUuid"); !host.empty()) storage["hostUuid"] = host;
  if (!image.empty()) {
    auto rows = db_.query(
        "SELECT i.size, i.format, r.backupStorageUuid, r.installPath FROM image i JOIN "
        "image_backup_storage_ref r ON r.imageUuid = i.uuid WHERE i.uuid = ? AND r.status = "
        "'Ready' ORDER BY r.createDate",
        {image});
    if (!rows) return rows.error();
    if (rows->rows.empty())
      return makeError(ErrorCode::kConflict, "image " + image + " has no ready copy");
    const auto& r = rows->rows.front();
    size = std::max(size, dbInt(r[0]));
    // An ISO is not the disk's first bytes: the root volume is an empty disk the ISO installs to.
    if (dbText(r[1]) != "iso") {
      format = dbText(r[1]);
      storage["imageUuid"] = image;
      storage["backupStorageUuid"] = dbText(r[2]);
      storage["imageInstallPath"] = dbText(r[3]);
    }
  }
  if (size <= 0) return invalidArgument("a VM volume needs a size", "volume " + uuid);
  storage["size"] = size;
  storage["format"] = format;
  auto now = nowMillis();
  auto inserted = db_.execute(
      "INSERT INTO volume (uuid, name, description, vmInstanceUuid, diskOfferingUuid, "
      "rootImageUuid, type, format, size, deviceId, state, status, isShareable, createDate, "
      "lastOpDate) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'Enabled', 'Creating', 0, ?, ?)",
      {uuid, textParam(body, "name", type + "-Volume-For-VM-" + vm),
       nullable(textParam(body, "description")), vm,
       nullable(textParam(body, "diskOfferingUuid")), nullable(image), type, format, size,
       body.value("deviceId", std::int64_t{0}), now, now});
  if (!inserted) return inserted.error();
  return storage;
}

void VmVolumes::create(const Json& body, Replier reply) {
  bus_.postBlocking([self = shared_from_this(), body, reply = share(std::move(reply))] {
    auto storage = self->insertRow(body);
    if (!storage) return (*reply)(storage.error());
    std::string uuid = (*storage)["volumeUuid"];
    std::string ps = (*storage)["primaryStorageUuid"];
    std::int64_t size = (*storage)["size"];
    self->bus_.request(
        {std::string(kCreateVolumeMessage), "", *storage},
        [self, uuid, ps, size, reply](Reply file) {
          self->bus_.postBlocking([self, uuid, ps, size, reply, file = std::move(file)] {
            (*reply)(recordCreatedFile(self->db_, self->logger_, uuid, ps, size, file));
          });
        },
        std::chrono::minutes(30));
  });
}

void VmVolumes::expunge(const Json& body, Replier reply) {
  bus_.postBlocking([self = shared_from_this(), uuid = textParam(body, "uuid"),
                     reply = share(std::move(reply))] {
    auto volume = loadVolume(self->db_, uuid);
    if (!volume) {
      if (volume.error().code == ErrorCode::kNotFound) return (*reply)(Json::object());
      return (*reply)(volume.error());
    }
    auto removeRow = [self, uuid, reply](Reply deleted) {
      // A storage that is gone took the file with it; anything else keeps the row for a retry.
      if (!deleted && deleted.error().code != ErrorCode::kNotFound)
        return (*reply)(deleted.error());
      self->bus_.postBlocking([self, uuid, reply] {
        auto removed = self->db_.execute("DELETE FROM volume WHERE uuid = ?", {uuid});
        if (!removed) return (*reply)(removed.error());
        self->logger_.info("volume.expunged uuid=" + uuid);
        self->bus_.request({std::string(kForgetResourcesMessage), "", {{"uuids", {uuid}}}},
                           [reply](Reply forgotten) {
                             (*reply)(forgotten ? Reply(Json::object()) : forgotten);
                           });
      });
    };
    if (volume->installPath.empty()) return removeRow(Json::object());
    // Its snapshots' files first, then its own; the rows go once the files have.
    auto files = snapshotFileDeletions(self->db_, uuid);
    if (!files) return (*reply)(files.error());
    files->push_back({std::string(kDeleteVolumeMessage),
                      "",
                      {{"primaryStorageUuid", volume->primaryStorageUuid},
                       {"resourceUuid", uuid},
                       {"installPath", volume->installPath},
                       {"size", volume->size}}});
    requestInTurn(
        self->bus_, std::move(*files),
        [](const Error& e) { return e.code == ErrorCode::kNotFound; },
        [self, uuid, reply, removeRow](Status deleted) {
          if (!deleted) return removeRow(deleted.error());
          self->bus_.postBlocking([self, uuid, reply, removeRow] {
            auto snapshots = dropSnapshotRows(self->db_, uuid);
            if (!snapshots) return (*reply)(snapshots.error());
            if (snapshots->empty()) return removeRow(Json::object());
            self->bus_.request(
                {std::string(kForgetResourcesMessage), "", {{"uuids", *snapshots}}},
                [removeRow](Reply forgotten) { removeRow(forgotten ? Reply(Json::object()) : forgotten); });
          });
        });
  });
}

Reply VmVolumes::detach(const Json& body) {
  std::string vm = textParam(body, "vmInstanceUuid");
  Json detached = Json::array();
  Status done = db_.transaction([&](Database& tx) -> Status {
    auto rows = tx.query(
        "SELECT uuid FROM volume WHERE vmInstanceUuid = ? AND type = 'Data' UNION SELECT "
        "volumeUuid FROM shareable_volume_vm_instance_ref WHERE vmInstanceUuid = ?",
        {vm, vm});
    if (!rows) return rows.error();
    for (const auto& r : rows->rows) detached.push_back(dbText(r[0]));
    auto refs =
        tx.execute("DELETE FROM shareable_volume_vm_instance_ref WHERE vmInstanceUuid = ?", {vm});
    if (!refs) return refs.error();
    return statusOf(
        tx.execute("UPDATE volume SET vmInstanceUuid = NULL, deviceId = NULL, lastOpDate = ? WHERE "
                   "vmInstanceUuid = ? AND type = 'Data'",
                   {nowMillis(), vm}));
  });
  if (!done) return done.error();
  return Json{{"detached", detached}};
}

}  // namespace strato::volume
