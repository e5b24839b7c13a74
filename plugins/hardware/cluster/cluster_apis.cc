#include "cluster_apis.h"

#include <strato/handler_util.h>

namespace strato::cluster {
namespace {

constexpr const char* kColumns =
    "uuid, name, description, state, hypervisorType, type, zoneUuid, createDate, lastOpDate";
Reply invalid(std::string message, std::string details = {}) {
  return makeError(ErrorCode::kInvalidArgument, std::move(message), std::move(details));
}

}  // namespace

Reply loadCluster(Database& db, const std::string& uuid) {
  auto rows = db.query(std::string("SELECT ") + kColumns + " FROM cluster WHERE uuid = ?", {uuid});
  if (!rows) return rows.error();
  if (rows->rows.empty()) return makeError(ErrorCode::kNotFound, "no cluster " + uuid);
  const auto& r = rows->rows.front();
  Json cluster{{"uuid", dbText(r[0])},
               {"name", dbText(r[1])},
               {"state", dbText(r[3])},
               {"hypervisorType", dbText(r[4])},
               {"type", dbText(r[5])},
               {"zoneUuid", dbText(r[6])},
               {"createDate", formatGsonDate(dbInt(r[7]))},
               {"lastOpDate", formatGsonDate(dbInt(r[8]))}};
  if (!std::holds_alternative<std::monostate>(r[2])) cluster["description"] = dbText(r[2]);
  return Json{{"inventory", cluster}};
}

Reply createCluster(Database& db, const ExtensionLookup& extensions, const Json& params) {
  std::string uuid = params.value("resourceUuid", newUuid());
  if (!isUuid(uuid)) return invalid("resourceUuid must be 32 hex digits", uuid);
  std::string zoneUuid = params["zoneUuid"];
  auto zone = db.query("SELECT 1 FROM zone WHERE uuid = ?", {zoneUuid});
  if (!zone) return zone.error();
  if (zone->rows.empty()) return invalid("zoneUuid names no zone", zoneUuid);

  std::string hypervisorType = params["hypervisorType"];
  std::vector<std::string> known;
  for (const auto& driver : extensions.all<HypervisorDriver>()) known.push_back(driver->type());
  if (std::find(known.begin(), known.end(), hypervisorType) == known.end()) {
    std::string list;
    for (const auto& t : known) list += (list.empty() ? "" : ", ") + t;
    return invalid("hypervisorType '" + hypervisorType + "' is not supported by this build",
                   "supported: " + (list.empty() ? std::string("none") : list));
  }
  std::string type = params.value("type", "zstack");
  if (type != "zstack") return invalid("cluster type must be 'zstack'", type);

  auto now = nowMillis();
  DbValue description;
  if (params.contains("description")) description = params["description"].get<std::string>();
  auto inserted = db.execute(std::string("INSERT INTO cluster (") + kColumns +
                                 ") VALUES (?, ?, ?, 'Enabled', ?, ?, ?, ?, ?)",
                             {uuid, params["name"].get<std::string>(), description, hypervisorType,
                              type, zoneUuid, now, now});
  if (!inserted) {
    auto existing = db.query("SELECT 1 FROM cluster WHERE uuid = ?", {uuid});
    if (existing && !existing->rows.empty()) {
      return makeError(ErrorCode::kAlreadyExists, "a resource with uuid " + uuid + " exists");
    }
    return inserted.error();
  }
  return loadCluster(db, uuid);
}

Reply updateCluster(Database& db, const Json& params) {
  std::string uuid = params["uuid"];
  if (auto current = loadCluster(db, uuid); !current) return current;
  for (const char* field : {"name", "description"}) {
    if (!params.contains(field)) continue;
    auto changed = db.execute(
        std::string("UPDATE cluster SET ") + field + " = ?, lastOpDate = ? WHERE uuid = ?",
        {params[field].get<std::string>(), nowMillis(), uuid});
    if (!changed) return changed.error();
  }
  return loadCluster(db, uuid);
}

Reply changeClusterState(Database& db, const Json& params) {
  std::string uuid = params["uuid"];
  std::string state = params["stateEvent"] == "enable" ? "Enabled" : "Disabled";
  auto changed = db.execute("UPDATE cluster SET state = ?, lastOpDate = ? WHERE uuid = ?",
                            {state, nowMillis(), uuid});
  if (!changed) return changed.error();
  return loadCluster(db, uuid);
}

// ZStack upgrades the OS packages of a KVM cluster's hosts through its KVM agent over SSH.
// Nothing else has an OS to update, and strato-agent does not upgrade packages: say so rather
// than pretend with an empty long job.
Reply updateClusterOs(Database& db, const Json& params) {
  auto cluster = loadCluster(db, params["uuid"]);
  if (!cluster) return cluster;
  std::string type = (*cluster)["inventory"]["hypervisorType"];
  if (type != "KVM") {
    return makeError(ErrorCode::kNotSupported,
                     "UpdateClusterOS updates the OS of KVM hosts only; this cluster is " + type);
  }
  return makeError(ErrorCode::kNotSupported,
                   "UpdateClusterOS is not built: strato-agent does not upgrade host packages");
}

Reply deleteClusterRow(Database& db, const std::string& uuid) {
  auto deleted = db.execute("DELETE FROM cluster WHERE uuid = ?", {uuid});
  if (!deleted) return deleted.error();
  return Json::object();
}

Result<std::vector<std::string>> ClusterCascade::below(
    const std::string& parentType, const std::vector<std::string>& parentUuids) {
  if (parentType != "ZoneVO") return std::vector<std::string>{};
  return namesIn(db_, "SELECT uuid FROM cluster WHERE zoneUuid IN (", parentUuids);
}

Status ClusterCascade::remove(const std::vector<std::string>& uuids, DeleteMode) {
  return forEachSlice(uuids, [&](const std::vector<DbValue>& slice) -> Status {
    return statusOf(db_.execute(
        "DELETE FROM cluster WHERE uuid IN (" + sqlPlaceholders(slice.size()) + ")", slice));
  });
}

}  // namespace strato::cluster
