#include "ps_apis.h"

#include <set>

#include "local_storage_driver.h"
#include "ps_store.h"

namespace strato::primary {
Reply PrimaryStorageService::changeState(const Json& params) {
  std::string uuid = params["uuid"];
  if (auto current = loadRecord(db_, uuid); !current) return current.error();
  // ZStack's PrimaryStorageStateEvent -> PrimaryStorageState. "deleting" marks a storage about
  // to be deleted, so allocators leave it alone; DeletePrimaryStorage does the deleting.
  const std::string event = params["stateEvent"];
  std::string state = event == "enable"     ? "Enabled"
                      : event == "disable"  ? "Disabled"
                      : event == "maintain" ? "Maintenance"
                                            : "Deleting";
  auto changed = db_.execute("UPDATE primary_storage SET state = ?, lastOpDate = ? WHERE uuid = ?",
                             {state, nowMillis(), uuid});
  if (!changed) return changed.error();
  return inventoryReply(db_, uuid);
}

// A new url is checked by the type's driver and used from the next reconnect on; the hosts
// keep what they mounted until then (as in ZStack).
Reply PrimaryStorageService::update(const Json& params) {
  std::string uuid = params["uuid"];
  auto record = loadRecord(db_, uuid);
  if (!record) return record.error();
  if (params.contains("url")) {
    auto d = driver(record->spec.type);
    if (!d) return d.error();
    PrimaryStorageSpec changed = record->spec;
    changed.url = params["url"].get<std::string>();
    if (auto valid = (*d)->validate(changed); !valid) return valid.error();
  }
  for (const char* field : {"name", "description", "url"}) {
    if (!params.contains(field)) continue;
    auto changed = db_.execute(
        std::string("UPDATE primary_storage SET ") + field + " = ?, lastOpDate = ? WHERE uuid = ?",
        {params[field].get<std::string>(), nowMillis(), uuid});
    if (!changed) return changed.error();
  }
  return inventoryReply(db_, uuid);
}

// Image caches arrive with the image plugin: until then every driver finds nothing to drop,
// and says so in the log rather than pretending.
Reply PrimaryStorageService::cleanUpImageCache(const std::string& uuid) {
  auto record = loadRecord(db_, uuid);
  if (!record) return record.error();
  if (record->status != "Connected") {
    return makeError(ErrorCode::kConflict, "primary storage " + record->spec.name + " is " +
                                               record->status + ", not Connected");
  }
  auto d = driver(record->spec.type);
  if (!d) return d.error();
  auto hosts = attachedHosts(db_, uuid);
  if (!hosts) return hosts.error();
  auto dropped = (*d)->cleanUpImageCache(record->spec, *hosts);
  if (!dropped) return dropped.error();
  logger_.info("primaryStorage.imageCache.cleaned uuid=" + uuid +
               " dropped=" + std::to_string(*dropped));
  return Json::object();
}

// Deleting what does not exist succeeds: the caller wanted it gone, and it is.
Reply PrimaryStorageService::deleteRow(const std::string& uuid) {
  if (auto s = removeStorages({uuid}); !s) return s.error();
  return Json::object();
}

Reply getPrimaryStorageCapacity(Database& db, const Json& params) {
  auto chosen = selectedRows(
      params, {{"zoneUuids", "zoneUuid IN (%)"},
               {"clusterUuids",
                "uuid IN (SELECT primaryStorageUuid FROM primary_storage_cluster_ref WHERE "
                "clusterUuid IN (%))"},
               {"primaryStorageUuids", "uuid IN (%)"}});
  if (!chosen) return chosen.error();
  auto& [where, binds] = *chosen;
  auto rows = db.query(
      "SELECT COALESCE(SUM(totalCapacity), 0), COALESCE(SUM(availableCapacity), 0), "
      "COALESCE(SUM(totalPhysicalCapacity), 0), COALESCE(SUM(availablePhysicalCapacity), 0) "
      "FROM primary_storage WHERE " +
          where,
      binds);
  if (!rows) return rows.error();
  const auto& r = rows->rows.front();
  return Json{{"totalCapacity", dbInt(r[0])},
              {"availableCapacity", dbInt(r[1])},
              {"totalPhysicalCapacity", dbInt(r[2])},
              {"availablePhysicalCapacity", dbInt(r[3])}};
}

Reply getPrimaryStorageTypes(const PrimaryStorageService& service) {
  std::set<std::string> types;
  for (const auto& d : service.drivers()) types.insert(d->type());
  return Json{{"primaryStorageTypes", Json(types)}};
}

// ZStack's primary storage allocator strategies: what the VM and volume allocators implement,
// and what disk offerings may name.
Reply getPrimaryStorageAllocatorStrategies() {
  return Json{{"primaryStorageAllocatorStrategies",
               {"DefaultPrimaryStorageAllocationStrategy", "LocalStorageAllocatorStrategy"}}};
}

Reply getLocalStorageHostDiskCapacity(Database& db, const Json& params) {
  std::string uuid = params["primaryStorageUuid"];
  auto record = loadRecord(db, uuid);
  if (!record) return record.error();
  if (record->spec.type != kLocalStorageType) {
    return makeError(ErrorCode::kInvalidArgument,
                     "primary storage " + uuid + " is " + record->spec.type + ", not LocalStorage");
  }
  std::string sql =
      "SELECT hostUuid, totalCapacity, availableCapacity, totalPhysicalCapacity, "
      "availablePhysicalCapacity FROM local_storage_host_ref WHERE primaryStorageUuid = ?";
  std::vector<DbValue> binds{uuid};
  if (params.contains("hostUuid") && params["hostUuid"].is_string()) {
    sql += " AND hostUuid = ?";
    binds.emplace_back(params["hostUuid"].get<std::string>());
  }
  auto rows = db.query(sql + " ORDER BY hostUuid", binds);
  if (!rows) return rows.error();
  Json inventories = Json::array();
  for (const auto& r : rows->rows) {
    inventories.push_back({{"hostUuid", dbText(r[0])},
                           {"totalCapacity", dbInt(r[1])},
                           {"availableCapacity", dbInt(r[2])},
                           {"totalPhysicalCapacity", dbInt(r[3])},
                           {"availablePhysicalCapacity", dbInt(r[4])}});
  }
  return Json{{"inventories", inventories}};
}

}  // namespace strato::primary
