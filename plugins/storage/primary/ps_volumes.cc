#include "ps_volumes.h"

#include <algorithm>

#include "agent_client/kvm_protocol.h"
#include "agent_files.h"
#include "local_volumes.h"
#include "ps_store.h"

namespace strato::primary {
namespace {

std::int64_t bytes(const Json& j, const char* key) {
  return j.contains(key) && j[key].is_number() ? j[key].get<std::int64_t>() : -1;
}

Json fileJson(const VolumeFile& file) {
  return {{"installPath", file.installPath}, {"size", file.size}, {"actualSize", file.actualSize}};
}

// Takes `amount` off availableCapacity if the storage is usable and has it, in one statement so
// two creations cannot both take the last bytes. Says why when nothing was reserved.
Status reserve(Database& db, const PrimaryStorageRecord& record, std::int64_t amount) {
  const std::string& uuid = record.spec.uuid;
  auto changed = db.execute(
      "UPDATE primary_storage SET availableCapacity = availableCapacity - ?, lastOpDate = ? "
      "WHERE uuid = ? AND state = 'Enabled' AND status = 'Connected' AND availableCapacity >= ?",
      {amount, nowMillis(), uuid, amount});
  if (!changed) return changed.error();
  if (*changed > 0) return {};
  auto now = loadRecord(db, uuid);
  if (!now) return now.error();
  if (now->state != "Enabled" || now->status != "Connected") {
    return makeError(ErrorCode::kConflict,
                     "primary storage " + record.spec.name + " is " + now->state + " and " +
                         now->status + "; volumes need it Enabled and Connected",
                     uuid);
  }
  auto left = db.query("SELECT availableCapacity FROM primary_storage WHERE uuid = ?", {uuid});
  if (!left) return left.error();
  std::int64_t available = left->rows.empty() ? 0 : dbInt(left->rows[0][0]);
  return makeError(
      ErrorCode::kConflict, "primary storage " + record.spec.name + " has not enough capacity",
      std::to_string(amount) + " bytes wanted, " + std::to_string(available) + " available");
}

// Gives capacity back (a failed create or resize, a deleted file). Never above the total.
Status release(Database& db, const std::string& uuid, std::int64_t amount) {
  if (amount <= 0) return {};
  return statusOf(
      db.execute("UPDATE primary_storage SET availableCapacity = CASE WHEN availableCapacity + ? > "
                 "totalCapacity - systemUsedCapacity THEN totalCapacity - systemUsedCapacity ELSE "
                 "availableCapacity + ? END, lastOpDate = ? WHERE uuid = ?",
                 {amount, amount, nowMillis(), uuid}));
}

struct Target {
  PrimaryStorageRecord record;
  std::shared_ptr<PrimaryStorageDriver> driver;
  std::vector<StorageHost> hosts;
};

Result<Target> target(PrimaryStorageService& service, Database& db, const Json& body) {
  auto record = loadRecord(db, textParam(body, "primaryStorageUuid"));
  if (!record) return record.error();
  auto driver = service.driver(record->spec.type);
  if (!driver) return driver.error();
  auto hosts = attachedHosts(db, record->spec.uuid);
  if (!hosts) return hosts.error();
  return Target{std::move(*record), std::move(*driver), std::move(*hosts)};
}

// Host-local storage: the driver sees only the host that holds (or is to hold) the file.
Status narrowTo(Target& t, const std::string& hostUuid) {
  auto it = std::find_if(t.hosts.begin(), t.hosts.end(),
                         [&](const StorageHost& h) { return h.uuid == hostUuid; });
  if (it == t.hosts.end()) {
    return makeError(
        ErrorCode::kConflict,
        "host " + hostUuid + " is not a Connected host of a cluster using " + t.record.spec.name,
        "a file of local storage is on that host's own disk");
  }
  t.hosts = {*it};
  return {};
}

// The host holding the file of `resourceUuid` (a volume or snapshot), when the storage is
// host-local; nothing to narrow otherwise.
Status narrowToHolder(Database& db, Target& t, const std::string& resourceUuid) {
  if (!t.driver->hostLocal()) return {};
  if (resourceUuid.empty()) {
    return invalidArgument("a file of local storage " + t.record.spec.uuid +
                           " is found by its volume's uuid, and none was given");
  }
  auto host = holderOf(db, t.record.spec.uuid, resourceUuid);
  if (!host) return host.error();
  return narrowTo(t, *host);
}

// A new file of host-local storage: on `host`, or when empty the one with the most room. Its
// disk's share is taken here; undoPlacement() gives it back.
Status place(Database& db, Target& t, std::string host, const std::string& resourceUuid,
             const std::string& resourceType, std::int64_t size) {
  if (!t.driver->hostLocal()) return {};
  if (host.empty()) {
    auto roomiest = roomiestHost(db, t.record.spec.uuid, t.hosts, size);
    if (!roomiest) return roomiest.error();
    host = *roomiest;
  }
  if (auto s = narrowTo(t, host); !s) return s;
  return placeOnHost(db, t.record.spec.uuid, host, resourceUuid, resourceType, size);
}

void undoPlacement(Database& db, const Target& t, const std::string& resourceUuid) {
  if (t.driver->hostLocal()) (void)removeFromHost(db, t.record.spec.uuid, resourceUuid);
}

// The file of `resource` holds `now` bytes where the storage reserved `held` (a revert to a
// snapshot older than a resize, or a change made outside Strato): the reservation follows the
// file. Growth is taken even past what is available, since the bytes are in use already.
Status followFile(Database& db, const Target& t, const std::string& resource, std::int64_t held,
                  std::int64_t now) {
  if (held < 0 || held == now) return {};
  const std::string& uuid = t.record.spec.uuid;
  Status followed =
      now < held ? release(db, uuid, held - now)
                 : statusOf(db.execute("UPDATE primary_storage SET availableCapacity = "
                                       "availableCapacity - ?, lastOpDate = ? WHERE uuid = ?",
                                       {now - held, nowMillis(), uuid}));
  if (followed && t.driver->hostLocal())
    followed = resizeOnHost(db, uuid, resource, now - held, Growth::kRegardless);
  return followed;
}

// The file, and for host-local storage the host holding it.
Json placedFileJson(const Target& t, const VolumeFile& file) {
  Json out = fileJson(file);
  if (t.driver->hostLocal()) out["hostUuid"] = t.hosts.front().uuid;
  return out;
}

}  // namespace

Reply createVolume(PrimaryStorageService& service, Database& db, const Json& body) {
  std::int64_t size = bytes(body, "size");
  if (size < 0) {
    return makeError(ErrorCode::kInvalidArgument, "size must be a number of bytes, at least 0");
  }
  auto t = target(service, db, body);
  if (!t) return t.error();
  if (body.contains("shareable") && body["shareable"] == true && t->driver->hostLocal()) {
    return makeError(ErrorCode::kNotSupported,
                     "primary storage " + t->record.spec.uuid + " is " + t->record.spec.type +
                         ": its files live on one host's disk, so no volume on it is shareable",
                     "use a storage every host of the cluster reaches (SharedMountPoint, NFS)");
  }
  std::string volumeUuid = textParam(body, "volumeUuid");
  if (auto placed = place(db, *t, textParam(body, "hostUuid"), volumeUuid, "VolumeVO", size);
      !placed)
    return placed.error();
  if (auto reserved = reserve(db, t->record, size); !reserved) {
    undoPlacement(db, *t, volumeUuid);
    return reserved.error();
  }
  VolumeSource source{textParam(body, "imageUuid"), textParam(body, "backupStorageUuid"),
                      textParam(body, "imageInstallPath"), textParam(body, "snapshotInstallPath"),
                      textParam(body, "srcPrimaryStorageUuid"), textParam(body, "srcInstallPath")};
  auto file = t->driver->createVolume(t->record.spec, t->hosts, volumeUuid, size,
                                      textParam(body, "format"), source);
  if (!file) {
    (void)release(db, t->record.spec.uuid, size);
    undoPlacement(db, *t, volumeUuid);
    return file.error();
  }
  return placedFileJson(*t, *file);
}

Reply deleteVolume(PrimaryStorageService& service, Database& db, const Json& body) {
  auto t = target(service, db, body);
  if (!t) return t.error();
  std::string resource = textParam(body, "resourceUuid");
  if (auto holder = narrowToHolder(db, *t, resource); !holder) {
    // No host recorded: the file was never made, or its deletion has run before. A host that
    // left the storage (deleted, or its cluster detached) took its disk, and the file, along.
    if (holder.error().code != ErrorCode::kNotFound &&
        !holderLeft(db, t->record.spec.uuid, resource))
      return holder.error();
  } else if (auto deleted =
                 t->driver->deleteVolume(t->record.spec, t->hosts, textParam(body, "installPath"));
             !deleted) {
    return deleted.error();
  }
  undoPlacement(db, *t, resource);
  if (auto released = release(db, t->record.spec.uuid, bytes(body, "size")); !released)
    return released.error();
  return Json::object();
}

Reply resizeVolume(PrimaryStorageService& service, Database& db, const Json& body) {
  std::int64_t size = bytes(body, "size"), newSize = bytes(body, "newSize");
  if (size < 0 || newSize <= size) {
    return makeError(ErrorCode::kInvalidArgument, "newSize must be larger than size",
                     std::to_string(newSize) + " <= " + std::to_string(size));
  }
  auto t = target(service, db, body);
  if (!t) return t.error();
  std::string resource = textParam(body, "resourceUuid");
  if (auto holder = narrowToHolder(db, *t, resource); !holder) return holder.error();
  const std::string& uuid = t->record.spec.uuid;
  bool local = t->driver->hostLocal();
  if (local) {
    if (auto grown = resizeOnHost(db, uuid, resource, newSize - size); !grown) return grown.error();
  }
  auto undo = [&] {
    if (local) (void)resizeOnHost(db, uuid, resource, size - newSize);
  };
  if (auto reserved = reserve(db, t->record, newSize - size); !reserved) {
    undo();
    return reserved.error();
  }
  auto file =
      t->driver->resizeVolume(t->record.spec, t->hosts, textParam(body, "installPath"), newSize);
  if (!file) {
    (void)release(db, uuid, newSize - size);
    undo();
    return file.error();
  }
  return fileJson(*file);
}

Reply createSnapshot(PrimaryStorageService& service, Database& db, const Json& body) {
  std::int64_t size = bytes(body, "size");
  if (size < 0) return invalidArgument("size must be a number of bytes, at least 0");
  auto t = target(service, db, body);
  if (!t) return t.error();
  // Beside its volume, on the volume's host.
  if (auto holder = narrowToHolder(db, *t, textParam(body, "resourceUuid")); !holder)
    return holder.error();
  std::string snapshotUuid = textParam(body, "snapshotUuid");
  std::string volumeHost = t->driver->hostLocal() ? t->hosts.front().uuid : "";
  if (auto placed = place(db, *t, volumeHost, snapshotUuid, "VolumeSnapshotVO", size); !placed)
    return placed.error();
  if (auto reserved = reserve(db, t->record, size); !reserved) {
    undoPlacement(db, *t, snapshotUuid);
    return reserved.error();
  }
  auto file = t->driver->createSnapshot(t->record.spec, t->hosts, textParam(body, "installPath"),
                                        snapshotUuid, size);
  if (!file) {
    (void)release(db, t->record.spec.uuid, size);
    undoPlacement(db, *t, snapshotUuid);
    return file.error();
  }
  return fileJson(*file);
}

Reply revertVolume(PrimaryStorageService& service, Database& db, const Json& body) {
  auto t = target(service, db, body);
  if (!t) return t.error();
  std::string resource = textParam(body, "resourceUuid");
  if (auto holder = narrowToHolder(db, *t, resource); !holder) return holder.error();
  auto file = t->driver->revertVolume(t->record.spec, t->hosts, textParam(body, "installPath"),
                                      textParam(body, "snapshotInstallPath"));
  if (!file) return file.error();
  // A snapshot older than a resize: the volume holds only its size now. The file is reverted
  // whatever the bookkeeping says, so its failure must not report the revert failed.
  (void)followFile(db, *t, resource, bytes(body, "size"), file->size);
  return fileJson(*file);
}

Reply volumeSize(PrimaryStorageService& service, Database& db, const Json& body) {
  auto t = target(service, db, body);
  if (!t) return t.error();
  std::string resource = textParam(body, "resourceUuid");
  if (auto holder = narrowToHolder(db, *t, resource); !holder) return holder.error();
  auto file = t->driver->volumeSize(t->record.spec, t->hosts, textParam(body, "installPath"));
  if (!file) return file.error();
  if (auto followed = followFile(db, *t, resource, bytes(body, "size"), file->size); !followed)
    return followed.error();
  return Json{{"size", file->size}, {"actualSize", file->actualSize}};
}

Reply moveVolumeToHost(PrimaryStorageService& service, Database& db, const Json& body) {
  auto t = target(service, db, body);
  if (!t) return t.error();
  if (!t->driver->hostLocal()) {
    return invalidArgument("primary storage " + t->record.spec.name + " is " + t->record.spec.type +
                           "; only LocalStorage volumes live on one host");
  }
  std::vector<std::string> uuids, paths;
  for (const auto& r : body.value("resources", Json::array())) {
    uuids.push_back(textParam(r, "resourceUuid"));
    paths.push_back(textParam(r, "installPath"));
  }
  if (uuids.empty()) return invalidArgument("nothing to move: resources is empty");
  const std::string& storage = t->record.spec.uuid;
  auto from = holderOf(db, storage, uuids.front());
  if (!from) return from.error();
  for (const auto& uuid : uuids) {
    auto holder = holderOf(db, storage, uuid);
    if (!holder) return holder.error();
    if (*holder != *from)
      return conflict(uuid + " is on host " + *holder + ", not on " + *from + " with the rest");
  }
  std::string to = textParam(body, "destHostUuid");
  if (to == *from) return invalidArgument("the volume is on host " + to + " already");
  Target source = *t;
  if (auto s = narrowTo(source, *from); !s) return s.error();
  Target dest = *t;
  if (auto s = narrowTo(dest, to); !s) return s.error();
  auto size = resourcesSize(db, storage, uuids);
  if (!size) return size.error();
  if (auto reserved = reserveOnHost(db, storage, to, *size); !reserved) return reserved.error();
  if (auto moved =
          t->driver->moveFiles(t->record.spec, source.hosts.front(), dest.hosts.front(), paths);
      !moved) {
    (void)releaseOnHost(db, storage, to, *size);
    return moved.error();
  }
  if (auto rehomed = rehomeResources(db, storage, uuids, *from, to); !rehomed)
    return rehomed.error();
  return Json{{"hostUuid", to}, {"size", *size}};
}

}  // namespace strato::primary

namespace strato::primary {

Reply fileSource(PrimaryStorageService& service, Database& db, const Json& body) {
  auto t = target(service, db, body);
  if (!t) return t.error();
  if (auto holder = narrowToHolder(db, *t, textParam(body, "resourceUuid")); !holder)
    return holder.error();
  auto host = AgentFiles::agentHost(t->hosts);
  if (!host) {
    return makeError(
        ErrorCode::kNotSupported,
        "no Connected KVM host reads the files of primary storage " + t->record.spec.name,
        t->record.spec.type + " " + textParam(body, "installPath"));
  }
  auto ssh =
      call(service.bus(), {std::string(kvm::kHostSshTargetMessage), "", {{"hostUuid", host->uuid}}},
           std::chrono::minutes(1));
  if (!ssh) return ssh.error();
  Json source{{"hostUuid", host->uuid}, {"ssh", *ssh}};
  std::string path = textParam(body, "installPath");
  if (path.rfind("nfs://", 0) == 0) {
    // SSH reaches the host's disks, not the share: the host copies the file there first. The
    // kvm plugin bounds the copy by its own call timeout.
    auto staged =
        call(service.bus(),
             {std::string(kvm::kStageFileMessage), "", {{"hostUuid", host->uuid}, {"path", path}}},
             std::chrono::hours(1));
    if (!staged) return staged.error();
    source["path"] = staged->value("path", "");
    source["temporary"] = true;
  }
  return source;
}

}  // namespace strato::primary
