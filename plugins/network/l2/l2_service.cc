#include "l2_service.h"

#include <set>

#include "l2_store.h"
#include "vteps.h"

namespace strato::l2 {
namespace {

DbValue optional(const std::optional<std::int64_t>& v) {
  return v ? DbValue(*v) : DbValue(std::monostate{});
}

}  // namespace

Result<std::shared_ptr<L2NetworkFactory>> L2NetworkService::factory(const std::string& type) const {
  auto found = extensions_.find<L2NetworkFactory>(type);
  if (!found)
    return makeError(ErrorCode::kNotSupported, "no plugin makes L2 networks of type " + type);
  return found;
}

std::vector<std::shared_ptr<L2NetworkFactory>> L2NetworkService::factories() const {
  return extensions_.all<L2NetworkFactory>();
}

Result<std::shared_ptr<L2NetworkRealizer>> L2NetworkService::realizer(
    const std::string& hypervisorType) const {
  auto found = extensions_.find<L2NetworkRealizer>(hypervisorType);
  if (!found) {
    return makeError(ErrorCode::kNotSupported,
                     "no plugin sets up L2 networks on " + hypervisorType + " hosts");
  }
  return found;
}

Reply L2NetworkService::create(const std::string& type, const Json& p) {
  auto f = factory(type);
  if (!f) return f.error();
  // The API names the type; a `type` parameter may only repeat it.
  if (p.contains("type") && textParam(p, "type") != type) {
    return invalidArgument("parameter 'type' must be " + type + " for this API",
                           textParam(p, "type"));
  }
  L2NetworkSpec spec;
  spec.uuid = textParam(p, "resourceUuid");
  if (spec.uuid.empty()) spec.uuid = newUuid();
  if (!isUuid(spec.uuid))
    return invalidArgument("parameter 'resourceUuid' must be 32 hex digits", spec.uuid);
  spec.name = textParam(p, "name");
  spec.zoneUuid = textParam(p, "zoneUuid");
  spec.physicalInterface = textParam(p, "physicalInterface");
  spec.type = type;
  auto zone = db_.query("SELECT 1 FROM zone WHERE uuid = ?", {spec.zoneUuid});
  if (!zone) return zone.error();
  if (zone->rows.empty())
    return invalidArgument("parameter 'zoneUuid' names no zone", spec.zoneUuid);

  DbValue description;
  if (p.contains("description") && p["description"].is_string())
    description = p["description"].get<std::string>();
  bool pool = type == kVxlanPoolType;
  auto now = nowMillis();
  auto stored = db_.transaction([&](Database& tx) -> Status {
    if (auto s = (*f)->prepare(tx, p, spec); !s) return s;
    auto inserted = tx.execute(
        "INSERT INTO l2_network (uuid, name, description, zoneUuid, physicalInterface, type, "
        "vlan, vni, poolUuid, mtu, attachedClusterUuids, attachedVniRanges, "
        "attachedVxlanNetworkRefs, attachedCidrs, attachedVtepRefs, createDate, lastOpDate) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, '[]', ?, ?, ?, ?, ?, ?)",
        {spec.uuid, spec.name, description, spec.zoneUuid,
         spec.physicalInterface.empty() ? DbValue() : DbValue(spec.physicalInterface), type,
         optional(spec.vlan), optional(spec.vni),
         spec.poolUuid.empty() ? DbValue() : DbValue(spec.poolUuid), spec.mtu,
         pool ? DbValue("[]") : DbValue(), pool ? DbValue("[]") : DbValue(),
         pool ? DbValue("{}") : DbValue(), pool ? DbValue("[]") : DbValue(), now, now});
    if (!inserted) {
      auto existing = tx.query("SELECT 1 FROM l2_network WHERE uuid = ?", {spec.uuid});
      if (existing && !existing->rows.empty()) {
        return makeError(ErrorCode::kAlreadyExists,
                         "a resource with uuid " + spec.uuid + " exists");
      }
      // Most likely the unique VLAN / VNI indexes: another management node took it first.
      Error e = inserted.error();
      e.message = "storing L2 network " + spec.name +
                  " failed (VLAN or VNI taken meanwhile?): " + e.message;
      return e;
    }
    if (!spec.poolUuid.empty()) return refreshPool(tx, spec.poolUuid);
    return {};
  });
  if (!stored) return stored.error();
  logger_.info("l2Network.created uuid=" + spec.uuid + " type=" + type);
  return inventoryReply(db_, spec.uuid);
}

Reply L2NetworkService::update(const Json& p) {
  std::string uuid = p["uuid"];
  auto spec = loadSpec(db_, uuid);
  if (!spec) return spec.error();
  auto done = db_.transaction([&](Database& tx) -> Status {
    for (const char* field : {"name", "description"}) {
      if (!p.contains(field)) continue;
      auto changed = tx.execute(
          std::string("UPDATE l2_network SET ") + field + " = ?, lastOpDate = ? WHERE uuid = ?",
          {p[field].get<std::string>(), nowMillis(), uuid});
      if (!changed) return changed.error();
    }
    if (!spec->poolUuid.empty()) return refreshPool(tx, spec->poolUuid);
    return {};
  });
  if (!done) return done.error();
  return inventoryReply(db_, uuid);
}

Status L2NetworkService::realizeOn(const L2NetworkSpec& spec, const std::vector<HostSpec>& hosts) {
  std::vector<HostSpec> done;
  for (const auto& host : hosts) {
    auto r = realizer(host.hypervisorType);
    Status realized = r ? (*r)->realize(spec, host) : Status(r.error());
    if (!realized) {
      unrealizeOn(spec, done);
      return realized;
    }
    done.push_back(host);
  }
  return {};
}

void L2NetworkService::unrealizeOn(const L2NetworkSpec& spec, const std::vector<HostSpec>& hosts) {
  for (const auto& host : hosts) {
    auto r = realizer(host.hypervisorType);
    Status undone = r ? (*r)->unrealize(spec, host) : Status(r.error());
    if (!undone) {
      logger_.warn("l2Network.unrealize.failed uuid=" + spec.uuid + " host=" + host.uuid +
                   " error=" + undone.error().describe());
    }
  }
}

Reply L2NetworkService::attach(const std::string& uuid, const std::string& clusterUuid,
                               const Json& systemTags) {
  auto spec = loadSpec(db_, uuid);
  if (!spec) return spec.error();
  std::optional<std::string> cidr;
  if (spec->type == kVxlanPoolType) {
    auto tagged = cidrFromTags(systemTags, uuid, clusterUuid);
    if (!tagged) return tagged.error();
    cidr = *tagged;
  }
  auto cluster = db_.query("SELECT zoneUuid FROM cluster WHERE uuid = ?", {clusterUuid});
  if (!cluster) return cluster.error();
  if (cluster->rows.empty())
    return invalidArgument("parameter 'clusterUuid' names no cluster", clusterUuid);
  if (dbText(cluster->rows[0][0]) != spec->zoneUuid) {
    return invalidArgument("L2 network " + uuid + " is in zone " + spec->zoneUuid +
                           " and cluster " + clusterUuid + " in zone " +
                           dbText(cluster->rows[0][0]) + ": both must be in the same zone");
  }
  auto attached =
      db_.query("SELECT 1 FROM l2_network_cluster_ref WHERE l2NetworkUuid = ? AND clusterUuid = ?",
                {uuid, clusterUuid});
  if (!attached) return attached.error();
  if (!attached->rows.empty()) {
    return makeError(ErrorCode::kAlreadyExists,
                     "L2 network " + uuid + " is already attached to cluster " + clusterUuid);
  }
  auto f = factory(spec->type);
  if (!f) return f.error();
  if (auto s = (*f)->checkAttach(db_, *spec, clusterUuid); !s) return s.error();
  auto hosts = clusterHosts(db_, clusterUuid, true);
  if (!hosts) return hosts.error();
  if ((*f)->realizedOnHosts()) {
    if (auto s = realizeOn(*spec, *hosts); !s) {
      return failedWhile(s.error(), "attaching L2 network " + uuid + " to cluster " + clusterUuid);
    }
  }
  auto now = nowMillis();
  auto stored = db_.transaction([&](Database& tx) -> Status {
    auto inserted = tx.execute(
        "INSERT INTO l2_network_cluster_ref (l2NetworkUuid, clusterUuid, createDate, lastOpDate) "
        "VALUES (?, ?, ?, ?)",
        {uuid, clusterUuid, now, now});
    if (!inserted) {
      return makeError(ErrorCode::kAlreadyExists,
                       "L2 network " + uuid + " is already attached to cluster " + clusterUuid,
                       inserted.error().message);
    }
    if (cidr) {
      if (auto s = setPoolCidr(tx, uuid, clusterUuid, *cidr); !s) return s;
    }
    return refreshAttachedColumn(tx, uuid);
  });
  if (!stored) {
    if ((*f)->realizedOnHosts()) unrealizeOn(*spec, *hosts);
    return stored.error();
  }
  logger_.info("l2Network.attached uuid=" + uuid + " cluster=" + clusterUuid +
               " hosts=" + std::to_string(hosts->size()));
  return inventoryReply(db_, uuid);
}

Reply L2NetworkService::detach(const std::string& uuid, const std::string& clusterUuid) {
  auto spec = loadSpec(db_, uuid);
  if (!spec) return spec.error();
  auto attached =
      db_.query("SELECT 1 FROM l2_network_cluster_ref WHERE l2NetworkUuid = ? AND clusterUuid = ?",
                {uuid, clusterUuid});
  if (!attached) return attached.error();
  if (attached->rows.empty()) {
    return invalidArgument("L2 network " + uuid + " is not attached to cluster " + clusterUuid);
  }
  if (spec->type == kVxlanPoolType) {
    auto children = db_.query(
        "SELECT n.uuid FROM l2_network n JOIN l2_network_cluster_ref r ON r.l2NetworkUuid = "
        "n.uuid WHERE n.poolUuid = ? AND r.clusterUuid = ?",
        {uuid, clusterUuid});
    if (!children) return children.error();
    for (const auto& c : children->rows) {
      if (auto s = removeAttachment(dbText(c[0]), clusterUuid); !s) return s.error();
    }
  }
  if (auto s = removeAttachment(uuid, clusterUuid); !s) return s.error();
  logger_.info("l2Network.detached uuid=" + uuid + " cluster=" + clusterUuid);
  return inventoryReply(db_, uuid);
}

Status L2NetworkService::removeAttachment(const std::string& uuid, const std::string& clusterUuid) {
  auto spec = loadSpec(db_, uuid);
  bool realized = false;
  if (spec) {
    auto f = factory(spec->type);
    auto hosts = clusterHosts(db_, clusterUuid, true);
    if (!hosts) return hosts.error();
    realized = f && (*f)->realizedOnHosts();
    if (realized) unrealizeOn(*spec, *hosts);
  } else if (spec.error().code != ErrorCode::kNotFound) {
    return spec.error();
  }
  auto removed = db_.transaction([&](Database& tx) -> Status {
    auto deleted =
        tx.execute("DELETE FROM l2_network_cluster_ref WHERE l2NetworkUuid = ? AND clusterUuid = ?",
                   {uuid, clusterUuid});
    if (!deleted) return deleted.error();
    if (!spec) return {};
    if (spec->type == kVxlanPoolType) {
      // The cluster's hosts tunnel no more in this pool: its CIDR and their VTEPs go.
      auto hosts = clusterHosts(tx, clusterUuid, false);
      if (!hosts) return hosts.error();
      std::set<std::string> gone;
      for (const auto& h : *hosts) gone.insert(h.uuid);
      if (auto s = forgetVteps(tx, gone, uuid); !s) return s;
      if (auto s = setPoolCidr(tx, uuid, clusterUuid, ""); !s) return s;
    }
    return refreshAttachedColumn(tx, uuid);
  });
  if (!removed) return removed;
  if (realized) membersChanged(*spec);
  return {};
}

void L2NetworkService::membersChanged(const L2NetworkSpec& spec) {
  for (const auto& r : extensions_.all<L2NetworkRealizer>()) r->membersChanged(spec);
}

// Deleting what does not exist succeeds: the caller wanted it gone, and it is.
Reply L2NetworkService::deleteRow(const std::string& uuid) {
  if (auto s = removeNetworks(db_, {uuid}); !s) return s.error();
  logger_.info("l2Network.deleted uuid=" + uuid);
  return Json::object();
}

Status L2NetworkService::hostJoined(const std::string& uuid, const std::string& hostUuid) {
  auto spec = loadSpec(db_, uuid);
  if (!spec) return spec.error().code == ErrorCode::kNotFound ? Status() : Status(spec.error());
  auto f = factory(spec->type);
  if (!f) return f.error();
  if (!(*f)->realizedOnHosts()) return {};
  auto host = db_.query("SELECT clusterUuid, status FROM host WHERE uuid = ?", {hostUuid});
  if (!host) return host.error();
  if (host->rows.empty() || dbText(host->rows[0][1]) != "Connected") return {};
  std::string clusterUuid = dbText(host->rows[0][0]);
  // Detached since the event was sent: nothing to do.
  auto attached =
      db_.query("SELECT 1 FROM l2_network_cluster_ref WHERE l2NetworkUuid = ? AND clusterUuid = ?",
                {uuid, clusterUuid});
  if (!attached) return attached.error();
  if (attached->rows.empty()) return {};
  auto hosts = clusterHosts(db_, clusterUuid, true);
  if (!hosts) return hosts.error();
  std::vector<HostSpec> joined;
  for (const auto& h : *hosts) {
    if (h.uuid == hostUuid) joined.push_back(h);
  }
  return realizeOn(*spec, joined);
}

Result<std::vector<std::string>> L2NetworkService::networksOfHost(const std::string& hostUuid) {
  auto rows = db_.query(
      "SELECT r.l2NetworkUuid FROM l2_network_cluster_ref r JOIN host h "
      "ON h.clusterUuid = r.clusterUuid WHERE h.uuid = ?",
      {hostUuid});
  if (!rows) return rows.error();
  std::vector<std::string> out;
  for (const auto& r : rows->rows) out.push_back(dbText(r[0]));
  return out;
}

void L2NetworkService::hostDeleted(const std::string& hostUuid, const std::string& clusterUuid) {
  for (const auto& r : extensions_.all<L2NetworkRealizer>()) r->forgetHost(hostUuid);
  if (auto s = forgetVteps(db_, {hostUuid}); !s) {
    logger_.warn("l2Network.vteps.forget.failed host=" + hostUuid +
                 " error=" + s.error().describe());
  }
  auto rows = db_.query(
      "SELECT n.uuid FROM l2_network n JOIN l2_network_cluster_ref r ON r.l2NetworkUuid = n.uuid "
      "WHERE r.clusterUuid = ? AND n.type = ?",
      {clusterUuid, std::string(kVxlanType)});
  if (!rows) return;
  for (const auto& r : rows->rows) {
    if (auto spec = loadSpec(db_, dbText(r[0]))) membersChanged(*spec);
  }
}

}  // namespace strato::l2
