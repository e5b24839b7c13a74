#include "bs_service.h"

#include <strato/handler_util.h>

#include <set>
#include <variant>

namespace strato::backup {
namespace {

bool isNull(const DbValue& v) { return std::holds_alternative<std::monostate>(v); }

// The settings kept in columns of their own (shown by the SSH types' inventories); everything
// else of a type's settings (password, host key, simulated capacities) lives in `extra`.
constexpr const char* kColumnSettings[] = {"hostname", "username", "sshPort"};

DbValue columnValue(const Json& extra, const char* key) {
  if (!extra.contains(key)) return {};
  if (extra[key].is_number_integer()) return extra[key].get<std::int64_t>();
  if (extra[key].is_string()) return extra[key].get<std::string>();
  return {};
}

// ZStack's clients send numbers as JSON floats ("sshPort": 22.0).
Json integral(const Json& v) {
  if (v.is_number_float() && v.get<double>() == static_cast<double>(v.get<std::int64_t>()))
    return v.get<std::int64_t>();
  return v;
}

Json withoutColumnSettings(Json extra) {
  for (const char* key : kColumnSettings) extra.erase(key);
  return extra;
}

// Zones the storage is attached to, oldest attachment first: the inventory's attachedZoneUuids.
Result<std::vector<std::string>> attachedZones(Database& db, const std::string& uuid) {
  return textColumn(db,
                    "SELECT zoneUuid FROM backup_storage_zone_ref WHERE backupStorageUuid = ? "
                    "ORDER BY createDate, zoneUuid",
                    {uuid});
}

}  // namespace

std::vector<std::string> BackupStorageService::types() const {
  std::set<std::string> out;
  for (const auto& d : extensions_.all<BackupStorageDriver>()) out.insert(d->type());
  return {out.begin(), out.end()};
}

Result<std::shared_ptr<BackupStorageDriver>> BackupStorageService::driver(
    const std::string& type) const {
  auto found = extensions_.find<BackupStorageDriver>(type);
  if (!found) {
    return makeError(ErrorCode::kNotSupported,
                     "no plugin drives backup storage type '" + type + "'");
  }
  return found;
}

Result<BackupStorageService::Record> BackupStorageService::load(const std::string& uuid,
                                                                const std::string& type) {
  auto rows = db_.query(
      "SELECT name, type, url, state, status, hostname, username, sshPort, extra "
      "FROM backup_storage WHERE uuid = ?",
      {uuid});
  if (!rows) return rows.error();
  if (rows->rows.empty()) return makeError(ErrorCode::kNotFound, "no backup storage " + uuid);
  const auto& r = rows->rows.front();
  Record record{
      {uuid, dbText(r[0]), dbText(r[1]), dbText(r[2]), Json::object()}, dbText(r[3]), dbText(r[4])};
  if (!type.empty() && record.spec.type != type) {
    return invalidArgument("backup storage " + uuid + " is " + record.spec.type + ", not " + type);
  }
  if (!isNull(r[8])) record.spec.extra = Json::parse(dbText(r[8]), nullptr, false);
  if (!record.spec.extra.is_object()) record.spec.extra = Json::object();
  if (!isNull(r[5])) record.spec.extra["hostname"] = dbText(r[5]);
  if (!isNull(r[6])) record.spec.extra["username"] = dbText(r[6]);
  if (!isNull(r[7])) record.spec.extra["sshPort"] = dbInt(r[7]);
  return record;
}

Result<Json> BackupStorageService::inventory(const std::string& uuid) {
  auto rows = db_.query(
      "SELECT name, url, description, totalCapacity, availableCapacity, type, state, status, "
      "createDate, lastOpDate, hostname, username, sshPort FROM backup_storage WHERE uuid = ?",
      {uuid});
  if (!rows) return rows.error();
  if (rows->rows.empty()) return makeError(ErrorCode::kNotFound, "no backup storage " + uuid);
  auto zones = attachedZones(db_, uuid);
  if (!zones) return zones.error();
  const auto& r = rows->rows.front();
  Json bs{{"uuid", uuid},
          {"name", dbText(r[0])},
          {"url", dbText(r[1])},
          {"totalCapacity", dbInt(r[3])},
          {"availableCapacity", dbInt(r[4])},
          {"type", dbText(r[5])},
          {"state", dbText(r[6])},
          {"status", dbText(r[7])},
          {"createDate", formatGsonDate(dbInt(r[8]))},
          {"lastOpDate", formatGsonDate(dbInt(r[9]))},
          {"attachedZoneUuids", *zones}};
  // Absent values are left out, as the query engine does (and Gson does for nulls).
  if (!isNull(r[2])) bs["description"] = dbText(r[2]);
  if (!isNull(r[10])) bs["hostname"] = dbText(r[10]);
  if (!isNull(r[11])) bs["username"] = dbText(r[11]);
  if (!isNull(r[12])) bs["sshPort"] = dbInt(r[12]);
  return bs;
}

Reply BackupStorageService::inventoryReply(const std::string& uuid) {
  auto inv = inventory(uuid);
  if (!inv) return inv.error();
  return Json{{"inventory", *inv}};
}

Status BackupStorageService::setStatus(const std::string& uuid, const std::string& from,
                                       const std::string& to) {
  auto changed = db_.execute(
      "UPDATE backup_storage SET status = ?, lastOpDate = ? WHERE uuid = ? AND status = ?",
      {to, nowMillis(), uuid, from});
  if (!changed) return changed.error();
  if (*changed > 0 && from != to) {
    bus_.publish({std::string(kStatusChangedEvent),
                  uuid,
                  {{"uuid", uuid}, {"oldStatus", from}, {"newStatus", to}}});
  }
  return {};
}

Status BackupStorageService::connect(const BackupStorageSpec& spec, const std::string& from) {
  if (auto moved = setStatus(spec.uuid, from, "Connecting"); !moved) return moved;
  auto d = driver(spec.type);
  auto connected = d ? (*d)->connect(spec) : Result<Connected>(d.error());
  if (!connected) {
    if (auto moved = setStatus(spec.uuid, "Connecting", "Disconnected"); !moved) return moved;
    return connected.error();
  }
  Json stored = withoutColumnSettings(spec.extra);
  stored.erase("systemTags");
  stored.update(connected->learned);
  auto saved = db_.execute(
      "UPDATE backup_storage SET totalCapacity = ?, availableCapacity = ?, extra = ?, "
      "lastOpDate = ? WHERE uuid = ?",
      {connected->capacity.total, connected->capacity.available, stored.dump(), nowMillis(),
       spec.uuid});
  if (!saved) return saved.error();
  return setStatus(spec.uuid, "Connecting", "Connected");
}

Reply BackupStorageService::add(const std::string& type, const Json& p, Json extra) {
  auto d = driver(type);
  if (!d) return d.error();
  BackupStorageSpec spec{textParam(p, "resourceUuid"), textParam(p, "name"), type,
                         textParam(p, "url"), std::move(extra)};
  if (spec.uuid.empty()) spec.uuid = newUuid();
  if (!isUuid(spec.uuid)) return invalidArgument("resourceUuid must be 32 hex digits", spec.uuid);
  // The API names the type; a `type` parameter may only repeat it.
  if (p.contains("type") && textParam(p, "type") != type) {
    return invalidArgument("this API adds " + type, "type " + textParam(p, "type"));
  }
  if (p.value("importImages", false)) {
    return makeError(ErrorCode::kNotImplemented,
                     "importImages needs the image plugin, which is not built yet; add the "
                     "storage without it");
  }
  if (auto valid = (*d)->validate(spec); !valid) return valid.error();

  auto now = nowMillis();
  DbValue description;
  if (p.contains("description") && p["description"].is_string())
    description = p["description"].get<std::string>();
  auto inserted = db_.execute(
      "INSERT INTO backup_storage (uuid, name, description, url, type, state, status, "
      "totalCapacity, availableCapacity, hostname, username, sshPort, attachedZoneUuids, extra, "
      "createDate, lastOpDate) VALUES (?, ?, ?, ?, ?, 'Enabled', 'Connecting', 0, 0, ?, ?, ?, "
      "'[]', ?, ?, ?)",
      {spec.uuid, spec.name, description, spec.url, type, columnValue(spec.extra, "hostname"),
       columnValue(spec.extra, "username"), columnValue(spec.extra, "sshPort"),
       withoutColumnSettings(spec.extra).dump(), now, now});
  if (!inserted) {
    auto existing = db_.query("SELECT 1 FROM backup_storage WHERE uuid = ?", {spec.uuid});
    if (existing && !existing->rows.empty()) {
      return makeError(ErrorCode::kAlreadyExists, "a resource with uuid " + spec.uuid + " exists");
    }
    return inserted.error();
  }
  // The call's system tags reach the database only once the add succeeded; the driver sees them
  // for the first connect here (injected failures, say).
  BackupStorageSpec first = spec;
  if (p.contains("systemTags")) first.extra["systemTags"] = p["systemTags"];
  if (auto connected = connect(first, "Connecting"); !connected) {
    (void)removeStorages({spec.uuid});
    logger_.warn("backupStorage.add.failed name=" + spec.name +
                 " error=" + connected.error().describe());
    return failedWhile(connected.error(), "adding backup storage " + spec.name);
  }
  logger_.info("backupStorage.added uuid=" + spec.uuid + " type=" + type);
  return inventoryReply(spec.uuid);
}

Reply BackupStorageService::reconnect(const std::string& uuid, const std::string& type) {
  auto record = load(uuid, type);
  if (!record) return record.error();
  if (auto connected = connect(record->spec, record->status); !connected) {
    return failedWhile(connected.error(), "reconnecting backup storage " + record->spec.name);
  }
  return inventoryReply(uuid);
}

// Name and description for every type; with the SSH types' own API also where and how to log
// in. A new hostname is another machine: its host key is learnt afresh at the next reconnect,
// which is when the new settings are used (as in ZStack).
Reply BackupStorageService::update(const Json& p, const std::string& type) {
  std::string uuid = p["uuid"];
  auto record = load(uuid, type);
  if (!record) return record.error();
  BackupStorageSpec changed = record->spec;
  bool settings = false;
  for (const char* key : {"hostname", "username", "password", "sshPort"}) {
    if (!p.contains(key) || p[key].is_null()) continue;
    changed.extra[key] = integral(p[key]);
    settings = true;
  }
  if (settings) {
    if (changed.extra.value("hostname", "") != record->spec.extra.value("hostname", ""))
      changed.extra.erase("hostKey");
    auto d = driver(changed.type);
    if (!d) return d.error();
    if (auto valid = (*d)->validate(changed); !valid) return valid.error();
  }
  Status written = db_.transaction([&](Database& tx) -> Status {
    auto now = nowMillis();
    for (const char* field : {"name", "description"}) {
      if (!p.contains(field) || !p[field].is_string()) continue;
      auto s = statusOf(tx.execute(
          std::string("UPDATE backup_storage SET ") + field + " = ?, lastOpDate = ? WHERE uuid = ?",
          {p[field].get<std::string>(), now, uuid}));
      if (!s) return s;
    }
    if (!settings) return {};
    return statusOf(
        tx.execute("UPDATE backup_storage SET hostname = ?, username = ?, sshPort = ?, extra = ?, "
                   "lastOpDate = ? WHERE uuid = ?",
                   {columnValue(changed.extra, "hostname"), columnValue(changed.extra, "username"),
                    columnValue(changed.extra, "sshPort"),
                    withoutColumnSettings(changed.extra).dump(), now, uuid}));
  });
  if (!written) return written.error();
  return inventoryReply(uuid);
}

Reply BackupStorageService::changeState(const Json& p) {
  std::string uuid = p["uuid"];
  if (auto record = load(uuid); !record) return record.error();
  // ZStack's BackupStorageStateEvent: enable and disable.
  const std::string event = textParam(p, "stateEvent");
  if (event != "enable" && event != "disable") {
    return invalidArgument("stateEvent must be enable or disable", event);
  }
  auto changed = db_.execute("UPDATE backup_storage SET state = ?, lastOpDate = ? WHERE uuid = ?",
                             {event == "enable" ? "Enabled" : "Disabled", nowMillis(), uuid});
  if (!changed) return changed.error();
  return inventoryReply(uuid);
}

Status BackupStorageService::refreshAttachedColumn(Database& tx, const std::string& uuid) {
  auto zones = attachedZones(tx, uuid);
  if (!zones) return zones.error();
  return statusOf(
      tx.execute("UPDATE backup_storage SET attachedZoneUuids = ?, lastOpDate = ? WHERE uuid = ?",
                 {Json(*zones).dump(), nowMillis(), uuid}));
}

Reply BackupStorageService::attach(const std::string& uuid, const std::string& zoneUuid) {
  if (auto record = load(uuid); !record) return record.error();
  auto zone = db_.query("SELECT 1 FROM zone WHERE uuid = ?", {zoneUuid});
  if (!zone) return zone.error();
  if (zone->rows.empty()) return invalidArgument("zoneUuid names no zone", zoneUuid);
  Status done = db_.transaction([&](Database& tx) -> Status {
    auto attached = tx.query(
        "SELECT 1 FROM backup_storage_zone_ref WHERE backupStorageUuid = ? AND zoneUuid = ?",
        {uuid, zoneUuid});
    if (!attached) return attached.error();
    if (!attached->rows.empty()) {
      return makeError(ErrorCode::kAlreadyExists,
                       "backup storage " + uuid + " is already attached to zone " + zoneUuid);
    }
    auto now = nowMillis();
    auto s = statusOf(
        tx.execute("INSERT INTO backup_storage_zone_ref (backupStorageUuid, zoneUuid, createDate, "
                   "lastOpDate) VALUES (?, ?, ?, ?)",
                   {uuid, zoneUuid, now, now}));
    if (!s) return s;
    return refreshAttachedColumn(tx, uuid);
  });
  if (!done) return done.error();
  return inventoryReply(uuid);
}

Reply BackupStorageService::detach(const std::string& uuid, const std::string& zoneUuid) {
  if (auto record = load(uuid); !record) return record.error();
  Status done = db_.transaction([&](Database& tx) -> Status {
    auto removed = tx.execute(
        "DELETE FROM backup_storage_zone_ref WHERE backupStorageUuid = ? AND zoneUuid = ?",
        {uuid, zoneUuid});
    if (!removed) return removed.error();
    if (*removed == 0) {
      return invalidArgument("backup storage " + uuid + " is not attached to zone " + zoneUuid);
    }
    return refreshAttachedColumn(tx, uuid);
  });
  if (!done) return done.error();
  return inventoryReply(uuid);
}

// Deleting what does not exist succeeds: the caller wanted it gone, and it is.
Reply BackupStorageService::deleteRow(const std::string& uuid) {
  if (auto s = removeStorages({uuid}); !s) return s.error();
  logger_.info("backupStorage.deleted uuid=" + uuid);
  return Json::object();
}

Status BackupStorageService::removeStorages(const std::vector<std::string>& uuids) {
  return db_.transaction([&](Database& tx) -> Status {
    return forEachSlice(uuids, [&](const std::vector<DbValue>& slice) -> Status {
      std::string in = "(" + sqlPlaceholders(slice.size()) + ")";
      for (std::string sql : {"DELETE FROM backup_storage_zone_ref WHERE backupStorageUuid IN ",
                              "DELETE FROM backup_storage WHERE uuid IN "}) {
        if (auto s = statusOf(tx.execute(sql + in, slice)); !s) return s;
      }
      return {};
    });
  });
}

Status BackupStorageService::removeAttachments(
    const std::vector<std::pair<std::string, std::string>>& refs) {
  return db_.transaction([&](Database& tx) -> Status {
    for (const auto& [storage, zone] : refs) {
      auto s = statusOf(tx.execute(
          "DELETE FROM backup_storage_zone_ref WHERE backupStorageUuid = ? AND zoneUuid = ?",
          {storage, zone}));
      if (s) s = refreshAttachedColumn(tx, storage);
      if (!s) return s;
    }
    return {};
  });
}

}  // namespace strato::backup
