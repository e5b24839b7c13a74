#include "host_connections.h"

#include "host_capacity.h"
#include "host_store.h"

namespace strato::host {
namespace {

Reply invalid(std::string message, std::string details = {}) {
  return makeError(ErrorCode::kInvalidArgument, std::move(message), std::move(details));
}

std::string str(const Json& j, const char* key) {
  return j.contains(key) && j[key].is_string() ? j[key].get<std::string>() : std::string();
}

}  // namespace

Result<std::shared_ptr<HypervisorDriver>> HostConnections::driver(const std::string& type) const {
  auto found = extensions_.find<HypervisorDriver>(type);
  if (!found) {
    return makeError(ErrorCode::kNotSupported, "no plugin drives hypervisor type '" + type + "'");
  }
  return found;
}

Status HostConnections::connect(const HostSpec& spec) {
  auto d = driver(spec.hypervisorType);
  Result<HostFacts> facts = d ? (*d)->connect(spec) : Result<HostFacts>(d.error());
  if (facts) {
    auto ratios = overProvisioning(globalConfig_);
    if (auto applied = applyFacts(db_, spec.uuid, *facts, ratios); !applied) return applied;
    if (auto moved = transition(db_, bus_, spec.uuid, "Connecting", "Connected"); !moved)
      return moved.error();
    return {};
  }
  if (auto moved = transition(db_, bus_, spec.uuid, "Connecting", "Disconnected"); !moved) {
    return moved.error();
  }
  return facts.error();
}

Reply HostConnections::add(const Json& body) {
  const Json& s = body.value("spec", Json::object());
  HostSpec spec;
  spec.uuid = str(s, "uuid").empty() ? newUuid() : str(s, "uuid");
  spec.name = str(s, "name");
  spec.managementIp = str(s, "managementIp");
  spec.clusterUuid = str(s, "clusterUuid");
  spec.hypervisorType = str(s, "hypervisorType");
  spec.extra = s.value("extra", Json::object());
  if (!isUuid(spec.uuid)) return invalid("resourceUuid must be 32 hex digits", spec.uuid);
  if (spec.name.empty() || spec.managementIp.empty() || spec.clusterUuid.empty()) {
    return invalid("a host needs a name, a managementIp and a clusterUuid");
  }

  auto cluster =
      db_.query("SELECT zoneUuid, hypervisorType FROM cluster WHERE uuid = ?", {spec.clusterUuid});
  if (!cluster) return cluster.error();
  if (cluster->rows.empty()) return invalid("clusterUuid names no cluster", spec.clusterUuid);
  spec.zoneUuid = dbText(cluster->rows[0][0]);
  std::string clusterType = dbText(cluster->rows[0][1]);
  if (clusterType != spec.hypervisorType) {
    return invalid("a " + spec.hypervisorType + " host cannot join a " + clusterType + " cluster",
                   "cluster " + spec.clusterUuid);
  }
  if (auto d = driver(spec.hypervisorType); !d) return d.error();
  auto taken = db_.query("SELECT uuid FROM host WHERE managementIp = ?", {spec.managementIp});
  if (!taken) return taken.error();
  if (!taken->rows.empty()) {
    return makeError(ErrorCode::kAlreadyExists, "managementIp " + spec.managementIp +
                                                    " belongs to host " + dbText(taken->rows[0][0]));
  }

  auto now = nowMillis();
  DbValue description;
  if (s.contains("description") && s["description"].is_string())
    description = s["description"].get<std::string>();
  auto inserted = db_.execute(
      "INSERT INTO host (uuid, name, description, zoneUuid, clusterUuid, managementIp, "
      "hypervisorType, "
      "state, status, extra, createDate, lastOpDate) "
      "VALUES (?, ?, ?, ?, ?, ?, ?, 'Enabled', 'Connecting', ?, ?, ?)",
      {spec.uuid, spec.name, description, spec.zoneUuid, spec.clusterUuid, spec.managementIp,
       spec.hypervisorType, spec.extra.dump(), now, now});
  if (!inserted) {
    // Lost a race for the managementIp (UNIQUE), or the uuid is taken.
    return makeError(ErrorCode::kAlreadyExists, "cannot add host " + spec.managementIp,
                     inserted.error().message);
  }

  // The API's system tags reach the database only once the add succeeded; the driver sees them
  // for the first connect here. They are not stored with the spec.
  HostSpec first = spec;
  if (body.contains("systemTags") && body["systemTags"].is_array())
    first.extra["systemTags"] = body["systemTags"];
  if (auto connected = connect(first); !connected) {
    (void)removeHosts(db_, bus_, {spec.uuid});
    Error e = connected.error();
    e.message = "adding host " + spec.managementIp + " failed: " + e.message;
    logger_.warn("host.add.failed ip=" + spec.managementIp + " error=" + e.describe());
    return e;
  }
  logger_.info("host.added uuid=" + spec.uuid + " ip=" + spec.managementIp +
               " type=" + spec.hypervisorType);
  return hostReply(db_, spec.uuid);
}

Reply HostConnections::reconnect(const std::string& uuid) {
  auto record = loadRecord(db_, uuid);
  if (!record) return record.error();
  if (auto moved = transition(db_, bus_, uuid, record->status, "Connecting"); !moved)
    return moved.error();
  if (auto connected = connect(record->spec); !connected) {
    Error e = connected.error();
    e.message = "reconnecting host " + record->spec.managementIp + " failed: " + e.message;
    return e;
  }
  return hostReply(db_, uuid);
}

Status HostConnections::ping(const std::string& uuid) {
  auto record = loadRecord(db_, uuid);
  if (!record)
    return record.error().code == ErrorCode::kNotFound ? Status() : Status(record.error());
  if (record->status != "Connected" && record->status != "Disconnected") return {};
  auto d = driver(record->spec.hypervisorType);
  Status alive = d ? (*d)->ping(record->spec) : Status(d.error());
  if (record->status == "Connected" && !alive) {
    logger_.warn("host.ping.failed uuid=" + uuid + " error=" + alive.error().describe());
    auto moved = transition(db_, bus_, uuid, "Connected", "Disconnected");
    return moved ? Status() : Status(moved.error());
  }
  if (record->status == "Disconnected" && alive &&
      globalConfig_.getBool("host", "connection.autoReconnectOnError", true)) {
    logger_.info("host.ping.recovered uuid=" + uuid);
    if (auto moved = transition(db_, bus_, uuid, "Disconnected", "Connecting"); !moved)
      return moved.error();
    return connect(record->spec);
  }
  return {};
}

}  // namespace strato::host
