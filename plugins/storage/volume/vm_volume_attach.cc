// AttachDataVolumeToVm and DetachDataVolumeFromVm, the volume's side: the vm plugin has the VM's
// call queued and asks here for the volume, then plugs it into the guest.
#include <set>

#include <strato/in_turn.h>

#include "vm_volumes.h"

namespace strato::volume {
namespace {

// virtio-blk on one PCI bus, as ZStack caps it.
constexpr std::int64_t kMaxDataVolumes = 24;

}  // namespace

// A file on a host's local disk serves only guests on that host.
Status VmVolumes::onHostOf(const VolumeRecord& volume, const std::string& vm,
                           const std::string& host) {
  if (host.empty() || volume.status != "Ready") return {};
  auto rows = db_.query(
      "SELECT hostUuid FROM local_storage_resource_ref WHERE resourceUuid = ? AND "
      "primaryStorageUuid = ?",
      {volume.uuid, volume.primaryStorageUuid});
  if (!rows) return rows.error();
  if (rows->rows.empty() || dbText(rows->rows[0][0]) == host) return {};
  return conflict("volume " + volume.uuid + " is on the local disk of host " +
                      dbText(rows->rows[0][0]) + ", and VM " + vm + " is bound to host " + host,
                  "move the volume there with LocalStorageMigrateVolume first");
}

Result<VolumeRecord> VmVolumes::claimFor(const std::string& uuid, const std::string& vm,
                                         const std::string& host,
                                         const std::vector<std::string>& storages) {
  auto volume = loadVolume(db_, uuid);
  if (!volume) {
    if (volume.error().code == ErrorCode::kNotFound)
      return invalidArgument("volumeUuid names no volume", uuid);
    return volume.error();
  }
  if (volume->type != "Data")
    return invalidArgument("volume " + uuid + " is a root volume; only data volumes attach");
  if (volume->vmInstanceUuid == vm) return conflict("volume " + uuid + " is attached to VM " + vm);
  if (!volume->vmInstanceUuid.empty())
    return conflict("volume " + uuid + " is attached to another VM", volume->vmInstanceUuid);
  if (volume->state != "Enabled") return conflict("volume " + uuid + " is " + volume->state);
  if (volume->status != "Ready" && volume->status != "NotInstantiated")
    return conflict("volume " + uuid + " is " + volume->status + "; it must be Ready");
  if (volume->status == "Ready" &&
      std::find(storages.begin(), storages.end(), volume->primaryStorageUuid) == storages.end()) {
    return conflict("volume " + uuid + " is on primary storage " + volume->primaryStorageUuid +
                        ", which the cluster of VM " + vm + " does not use",
                    "attach that storage to the VM's cluster, or use a volume on one it does");
  }
  if (auto here = onHostOf(*volume, vm, host); !here) return here.error();
  // Device ids are the VM's: its own data volumes' and those of the shareable volumes it has.
  auto taken = db_.query(
      "SELECT deviceId FROM volume WHERE vmInstanceUuid = ? AND deviceId IS NOT NULL UNION "
      "SELECT deviceId FROM shareable_volume_vm_instance_ref WHERE vmInstanceUuid = ?",
      {vm, vm});
  if (!taken) return taken.error();
  std::set<std::int64_t> used;
  for (const auto& r : taken->rows) used.insert(dbInt(r[0]));
  std::int64_t device = 1;
  while (used.count(device)) ++device;
  if (device > kMaxDataVolumes)
    return conflict("VM " + vm + " has " + std::to_string(kMaxDataVolumes) + " data volumes already");
  if (volume->shareable) {
    if (auto claimed = claimShared(*volume, vm, device); !claimed) return claimed.error();
    return volume;
  }
  // Only if nobody took the volume meanwhile (another VM's queue runs in parallel).
  auto claimed = db_.execute(
      "UPDATE volume SET vmInstanceUuid = ?, deviceId = ?, lastOpDate = ?, status = CASE WHEN "
      "status = 'NotInstantiated' THEN 'Creating' ELSE status END WHERE uuid = ? AND "
      "vmInstanceUuid IS NULL AND state = 'Enabled' AND status IN ('Ready', 'NotInstantiated')",
      {vm, device, nowMillis(), uuid});
  if (!claimed) return claimed.error();
  if (*claimed == 0) return conflict("volume " + uuid + " was taken meanwhile");
  return volume;
}

// Other VMs' queues attach the same shareable volume in parallel: each adds its own row, and only
// the first of them gives a NotInstantiated volume its file (the others find it Creating).
Status VmVolumes::claimShared(const VolumeRecord& volume, const std::string& vm,
                              std::int64_t device) {
  return db_.transaction([&](Database& tx) -> Status {
    auto mine = tx.query(
        "SELECT 1 FROM shareable_volume_vm_instance_ref WHERE volumeUuid = ? AND "
        "vmInstanceUuid = ?",
        {volume.uuid, vm});
    if (!mine) return mine.error();
    if (!mine->rows.empty()) return conflict("volume " + volume.uuid + " is attached to VM " + vm);
    auto now = nowMillis();
    auto usable = tx.execute(
        "UPDATE volume SET lastOpDate = ?, status = CASE WHEN status = 'NotInstantiated' THEN "
        "'Creating' ELSE status END WHERE uuid = ? AND state = 'Enabled' AND status = ?",
        {now, volume.uuid, volume.status});
    if (!usable) return usable.error();
    if (*usable == 0) {
      return conflict("volume " + volume.uuid +
                      " changed meanwhile (another VM may be creating its file); try again");
    }
    return statusOf(tx.execute(
        "INSERT INTO shareable_volume_vm_instance_ref (volumeUuid, vmInstanceUuid, deviceId, "
        "createDate, lastOpDate) VALUES (?, ?, ?, ?, ?)",
        {volume.uuid, vm, device, now, now}));
  });
}

// Undoes claimFor of a volume whose file could not be made: it is NotInstantiated again.
void VmVolumes::unclaim(const std::string& uuid, const std::string& vm) {
  (void)db_.transaction([&](Database& tx) -> Status {
    auto refs = tx.execute(
        "DELETE FROM shareable_volume_vm_instance_ref WHERE volumeUuid = ? AND vmInstanceUuid = ?",
        {uuid, vm});
    if (!refs) return refs.error();
    return statusOf(tx.execute(
        "UPDATE volume SET vmInstanceUuid = NULL, deviceId = NULL, status = 'NotInstantiated' "
        "WHERE uuid = ?",
        {uuid}));
  });
}

void VmVolumes::attachOne(const Json& body, Replier replier) {
  auto reply = std::make_shared<Replier>(std::move(replier));
  bus_.postBlocking([self = shared_from_this(), body, reply] {
    std::string uuid = textParam(body, "volumeUuid");
    std::string vm = textParam(body, "vmInstanceUuid");
    std::vector<std::string> storages;
    for (const auto& s : body.value("primaryStorageUuids", Json::array())) storages.push_back(s);
    std::string host = textParam(body, "hostUuid");
    auto volume = self->claimFor(uuid, vm, host, storages);
    if (!volume) return (*reply)(volume.error());
    if (volume->status == "Ready") return (*reply)(inventoryReply(self->db_, uuid));

    // Its first attachment gives a NotInstantiated volume its file, on a storage of the cluster.
    auto release = [self, uuid, vm, reply](const Error& error) {
      self->bus_.postBlocking([self, uuid, vm, reply, error] {
        self->unclaim(uuid, vm);
        (*reply)(error);
      });
    };
    std::int64_t size = volume->size;
    firstTaker<std::string>(
        storages,
        [self, uuid, size, host, format = volume->format, shareable = volume->shareable](
            const std::string& ps, ReplyCallback answer) {
          Json file{{"primaryStorageUuid", ps},
                    {"volumeUuid", uuid},
                    {"size", size},
                    {"format", format},
                    {"shareable", shareable}};
          if (!host.empty()) file["hostUuid"] = host;
          self->bus_.request({std::string(kCreateVolumeMessage), "", file}, std::move(answer),
                             std::chrono::minutes(30));
        },
        {ErrorCode::kConflict, ErrorCode::kNotSupported},
        [uuid, vm](const std::vector<Error>& refusals) {
          return refusals.empty()
                     ? conflict("the cluster of VM " + vm + " has no primary storage")
                     : refusals.back();
        },
        [self, uuid, size, reply, release](Result<std::pair<std::string, Json>> file) {
          if (!file) return release(file.error());
          self->bus_.postBlocking([self, uuid, size, reply, file = std::move(*file)] {
            auto done = self->db_.execute(
                "UPDATE volume SET primaryStorageUuid = ?, installPath = ?, size = ?, actualSize "
                "= ?, status = 'Ready', lastOpDate = ? WHERE uuid = ?",
                {file.first, textParam(file.second, "installPath"),
                 file.second.value("size", size), file.second.value("actualSize", std::int64_t{0}),
                 nowMillis(), uuid});
            if (!done) return (*reply)(done.error());
            self->logger_.info("volume.instantiated uuid=" + uuid + " primaryStorage=" + file.first);
            (*reply)(inventoryReply(self->db_, uuid));
          });
        });
  });
}

Reply VmVolumes::detachOne(const Json& body) {
  std::string uuid = textParam(body, "volumeUuid");
  std::string vm = textParam(body, "vmInstanceUuid");
  auto left = db_.execute(
      "UPDATE volume SET vmInstanceUuid = NULL, deviceId = NULL, lastOpDate = ? WHERE uuid = ? "
      "AND vmInstanceUuid = ? AND type = 'Data'",
      {nowMillis(), uuid, vm});
  if (!left) return left.error();
  if (*left == 0) {
    left = db_.execute(
        "DELETE FROM shareable_volume_vm_instance_ref WHERE volumeUuid = ? AND vmInstanceUuid = ?",
        {uuid, vm});
    if (!left) return left.error();
  }
  if (*left == 0) return conflict("volume " + uuid + " is not a data volume of VM " + vm);
  return inventoryReply(db_, uuid);
}

}  // namespace strato::volume
