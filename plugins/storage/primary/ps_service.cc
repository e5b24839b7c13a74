#include "ps_service.h"

#include "local_storage_driver.h"
#include "ps_store.h"

namespace strato::primary {
Result<std::shared_ptr<PrimaryStorageDriver>> PrimaryStorageService::driver(
    const std::string& type) const {
  auto found = extensions_.find<PrimaryStorageDriver>(type);
  if (!found) {
    return makeError(ErrorCode::kNotSupported,
                     "no plugin drives primary storage type '" + type + "'");
  }
  return found;
}

std::vector<std::shared_ptr<PrimaryStorageDriver>> PrimaryStorageService::drivers() const {
  return extensions_.all<PrimaryStorageDriver>();
}

Reply PrimaryStorageService::add(const std::string& type, const Json& p, Json extra) {
  auto d = driver(type);
  if (!d) return d.error();
  PrimaryStorageSpec spec{textParam(p, "resourceUuid"), textParam(p, "name"),     type,
                          textParam(p, "url"),          textParam(p, "zoneUuid"), std::move(extra)};
  if (spec.uuid.empty()) spec.uuid = newUuid();
  if (!isUuid(spec.uuid)) return invalidArgument("resourceUuid must be 32 hex digits", spec.uuid);
  // The API names the type; a `type` parameter may only repeat it.
  if (p.contains("type") && textParam(p, "type") != type) {
    return invalidArgument("this API adds " + type + " primary storage",
                           "type " + textParam(p, "type"));
  }
  auto zone = db_.query("SELECT 1 FROM zone WHERE uuid = ?", {spec.zoneUuid});
  if (!zone) return zone.error();
  if (zone->rows.empty()) return invalidArgument("zoneUuid names no zone", spec.zoneUuid);
  if (auto valid = (*d)->validate(spec); !valid) return valid.error();

  auto now = nowMillis();
  DbValue description;
  if (p.contains("description") && p["description"].is_string())
    description = p["description"].get<std::string>();
  DbValue mountPath;
  if (auto path = (*d)->mountPath(spec); !path.empty()) mountPath = path;
  auto inserted = db_.execute(
      "INSERT INTO primary_storage (uuid, name, description, url, type, zoneUuid, state, status, "
      "mountPath, totalCapacity, availableCapacity, totalPhysicalCapacity, "
      "availablePhysicalCapacity, systemUsedCapacity, attachedClusterUuids, extra, createDate, "
      "lastOpDate) VALUES (?, ?, ?, ?, ?, ?, 'Enabled', 'Connecting', ?, 0, 0, 0, 0, 0, '[]', ?, "
      "?, ?)",
      {spec.uuid, spec.name, description, spec.url, type, spec.zoneUuid, mountPath,
       spec.extra.dump(), now, now});
  if (!inserted) {
    auto existing = db_.query("SELECT 1 FROM primary_storage WHERE uuid = ?", {spec.uuid});
    if (existing && !existing->rows.empty()) {
      return makeError(ErrorCode::kAlreadyExists, "a resource with uuid " + spec.uuid + " exists");
    }
    return inserted.error();
  }

  // The API's system tags reach the database only once the add succeeded; the driver sees them
  // for the first connect here. They are not stored with the spec.
  PrimaryStorageSpec first = spec;
  if (p.contains("systemTags") && p["systemTags"].is_array())
    first.extra["systemTags"] = p["systemTags"];
  auto capacity = (*d)->connect(first, {});
  Status done = capacity ? applyCapacity(db_, spec.uuid, *capacity) : Status(capacity.error());
  if (done) done = transition(db_, bus_, spec.uuid, "Connecting", "Connected");
  if (!done) {
    (void)removeStorages({spec.uuid});
    logger_.warn("primaryStorage.add.failed name=" + spec.name +
                 " error=" + done.error().describe());
    return failedWhile(done.error(), "adding primary storage " + spec.name);
  }
  logger_.info("primaryStorage.added uuid=" + spec.uuid + " type=" + type);
  return inventoryReply(db_, spec.uuid);
}

Reply PrimaryStorageService::attach(const std::string& uuid, const std::string& clusterUuid) {
  auto record = loadRecord(db_, uuid);
  if (!record) return record.error();
  auto cluster = db_.query("SELECT zoneUuid FROM cluster WHERE uuid = ?", {clusterUuid});
  if (!cluster) return cluster.error();
  if (cluster->rows.empty()) return invalidArgument("clusterUuid names no cluster", clusterUuid);
  std::string clusterZone = dbText(cluster->rows[0][0]);
  if (clusterZone != record->spec.zoneUuid) {
    return invalidArgument("primary storage " + uuid + " is in zone " + record->spec.zoneUuid +
                           " and cluster " + clusterUuid + " in zone " + clusterZone +
                           ": both must be in the same zone");
  }
  auto attached = db_.query(
      "SELECT 1 FROM primary_storage_cluster_ref WHERE primaryStorageUuid = ? AND clusterUuid = ?",
      {uuid, clusterUuid});
  if (!attached) return attached.error();
  if (!attached->rows.empty()) {
    return makeError(ErrorCode::kAlreadyExists,
                     "primary storage " + uuid + " is already attached to cluster " + clusterUuid);
  }
  auto d = driver(record->spec.type);
  if (!d) return d.error();
  auto hosts = clusterHosts(db_, clusterUuid, true);
  if (!hosts) return hosts.error();
  auto capacity = (*d)->attach(record->spec, clusterUuid, *hosts);
  if (!capacity) {
    return failedWhile(capacity.error(),
                       "attaching primary storage " + uuid + " to cluster " + clusterUuid);
  }
  auto now = nowMillis();
  auto stored = db_.transaction([&](Database& tx) -> Status {
    auto inserted = tx.execute(
        "INSERT INTO primary_storage_cluster_ref (primaryStorageUuid, clusterUuid, createDate, "
        "lastOpDate) VALUES (?, ?, ?, ?)",
        {uuid, clusterUuid, now, now});
    if (!inserted) {
      // Attach and detach of one storage run one at a time (see the plugin), so a clash here
      // is a second attachment racing in through another management node.
      return makeError(ErrorCode::kAlreadyExists,
                       "primary storage " + uuid + " is already attached to cluster " + clusterUuid,
                       inserted.error().message);
    }
    return refreshAttachedColumn(tx, uuid);
  });
  if (!stored) return stored.error();
  if (auto applied = applyCapacity(db_, uuid, *capacity); !applied) return applied.error();
  logger_.info("primaryStorage.attached uuid=" + uuid + " cluster=" + clusterUuid +
               " hosts=" + std::to_string(hosts->size()));
  return inventoryReply(db_, uuid);
}

Reply PrimaryStorageService::detach(const std::string& uuid, const std::string& clusterUuid) {
  auto record = loadRecord(db_, uuid);
  if (!record) return record.error();
  auto attached = db_.query(
      "SELECT 1 FROM primary_storage_cluster_ref WHERE primaryStorageUuid = ? AND clusterUuid = ?",
      {uuid, clusterUuid});
  if (!attached) return attached.error();
  if (attached->rows.empty()) {
    return invalidArgument("primary storage " + uuid + " is not attached to cluster " +
                           clusterUuid);
  }
  auto d = driver(record->spec.type);
  if (!d) return d.error();
  auto hosts = clusterHosts(db_, clusterUuid, false);
  if (!hosts) return hosts.error();
  auto capacity = (*d)->detach(record->spec, clusterUuid, *hosts);
  if (!capacity) {
    return failedWhile(capacity.error(),
                       "detaching primary storage " + uuid + " from cluster " + clusterUuid);
  }
  auto stored = db_.transaction([&](Database& tx) -> Status {
    auto deleted = tx.execute(
        "DELETE FROM primary_storage_cluster_ref WHERE primaryStorageUuid = ? AND clusterUuid = ?",
        {uuid, clusterUuid});
    if (!deleted) return deleted.error();
    return refreshAttachedColumn(tx, uuid);
  });
  if (!stored) return stored.error();
  if (auto applied = applyCapacity(db_, uuid, *capacity); !applied) return applied.error();
  logger_.info("primaryStorage.detached uuid=" + uuid + " cluster=" + clusterUuid);
  return inventoryReply(db_, uuid);
}

Reply PrimaryStorageService::reconnect(const std::string& uuid) {
  auto record = loadRecord(db_, uuid);
  if (!record) return record.error();
  auto d = driver(record->spec.type);
  if (!d) return d.error();
  if (auto moved = transition(db_, bus_, uuid, record->status, "Connecting"); !moved)
    return moved.error();
  auto hosts = attachedHosts(db_, uuid);
  auto capacity =
      hosts ? (*d)->connect(record->spec, *hosts) : Result<StorageCapacity>(hosts.error());
  Status done = capacity ? applyCapacity(db_, uuid, *capacity) : Status(capacity.error());
  if (!done) {
    if (auto moved = transition(db_, bus_, uuid, "Connecting", "Disconnected"); !moved)
      return moved.error();
    return failedWhile(done.error(), "reconnecting primary storage " + record->spec.name);
  }
  if (auto moved = transition(db_, bus_, uuid, "Connecting", "Connected"); !moved)
    return moved.error();
  return inventoryReply(db_, uuid);
}

Reply PrimaryStorageService::syncCapacity(const std::string& uuid) {
  auto record = loadRecord(db_, uuid);
  if (!record) return record.error();
  auto d = driver(record->spec.type);
  if (!d) return d.error();
  auto hosts = attachedHosts(db_, uuid);
  if (!hosts) return hosts.error();
  auto capacity = (*d)->syncCapacity(record->spec, *hosts);
  if (!capacity)
    return failedWhile(capacity.error(), "syncing the capacity of " + record->spec.name);
  if (auto applied = applyCapacity(db_, uuid, *capacity); !applied) return applied.error();
  return inventoryReply(db_, uuid);
}

Status PrimaryStorageService::hostJoined(const std::string& uuid, const std::string& hostUuid) {
  auto record = loadRecord(db_, uuid);
  if (!record)
    return record.error().code == ErrorCode::kNotFound ? Status() : Status(record.error());
  auto host = db_.query("SELECT clusterUuid, status FROM host WHERE uuid = ?", {hostUuid});
  if (!host) return host.error();
  if (host->rows.empty() || dbText(host->rows[0][1]) != "Connected") return {};
  std::string clusterUuid = dbText(host->rows[0][0]);
  // Detached since the event was sent: nothing to do.
  auto attached = db_.query(
      "SELECT 1 FROM primary_storage_cluster_ref WHERE primaryStorageUuid = ? AND clusterUuid = ?",
      {uuid, clusterUuid});
  if (!attached) return attached.error();
  if (attached->rows.empty()) return {};
  auto hosts = clusterHosts(db_, clusterUuid, true);
  if (!hosts) return hosts.error();
  std::vector<StorageHost> joined;
  for (const auto& h : *hosts) {
    if (h.uuid == hostUuid) joined.push_back(h);
  }
  auto d = driver(record->spec.type);
  if (!d) return d.error();
  auto capacity = (*d)->attach(record->spec, clusterUuid, joined);
  if (!capacity) return capacity.error();
  return applyCapacity(db_, uuid, *capacity);
}

Result<std::vector<std::string>> PrimaryStorageService::storagesOfHost(
    const std::string& hostUuid) {
  auto rows = db_.query(
      "SELECT r.primaryStorageUuid FROM primary_storage_cluster_ref r JOIN host h "
      "ON h.clusterUuid = r.clusterUuid WHERE h.uuid = ?",
      {hostUuid});
  if (!rows) return rows.error();
  std::vector<std::string> out;
  for (const auto& r : rows->rows) out.push_back(dbText(r[0]));
  return out;
}

Status PrimaryStorageService::removeAttachment(const std::string& uuid,
                                               const std::string& clusterUuid) {
  auto record = loadRecord(db_, uuid);
  if (record) {
    auto d = driver(record->spec.type);
    auto hosts = clusterHosts(db_, clusterUuid, false);
    Result<StorageCapacity> capacity = d && hosts
                                           ? (*d)->detach(record->spec, clusterUuid, *hosts)
                                           : Result<StorageCapacity>(d ? hosts.error() : d.error());
    if (!capacity) {
      logger_.warn("primaryStorage.cascade.detach.failed uuid=" + uuid + " cluster=" + clusterUuid +
                   " error=" + capacity.error().describe());
    }
    auto deleted = db_.execute(
        "DELETE FROM primary_storage_cluster_ref WHERE primaryStorageUuid = ? AND clusterUuid = ?",
        {uuid, clusterUuid});
    if (!deleted) return deleted.error();
    if (auto s = refreshAttachedColumn(db_, uuid); !s) return s;
    if (capacity) return applyCapacity(db_, uuid, *capacity);
    return {};
  }
  if (record.error().code != ErrorCode::kNotFound) return record.error();
  return statusOf(db_.execute(
      "DELETE FROM primary_storage_cluster_ref WHERE primaryStorageUuid = ? AND clusterUuid = ?",
      {uuid, clusterUuid}));
}

Status PrimaryStorageService::removeStorages(const std::vector<std::string>& uuids) {
  if (auto s = primary::removeStorages(db_, uuids); !s) return s;
  for (const auto& d : drivers()) {
    for (const auto& uuid : uuids) d->forgetStorage(uuid);
  }
  return {};
}

Status PrimaryStorageService::refreshLocalCapacity(const std::string& uuid) {
  auto record = loadRecord(db_, uuid);
  if (!record)
    return record.error().code == ErrorCode::kNotFound ? Status() : Status(record.error());
  if (record->spec.type != kLocalStorageType) return {};
  auto d = driver(record->spec.type);
  if (!d) return d.error();
  auto capacity = std::static_pointer_cast<LocalStorageDriver>(*d)->total(uuid);
  if (!capacity) return capacity.error();
  return applyCapacity(db_, uuid, *capacity);
}

void PrimaryStorageService::hostDeleted(const std::string& hostUuid) {
  for (const auto& d : drivers()) d->forgetHost(hostUuid);
}

}  // namespace strato::primary
