#include "l2_factories.h"

#include "l2_store.h"

namespace strato::l2 {
namespace {

// VXLAN adds 50 bytes of headers: hosts default to a 1500-byte underlay.
constexpr std::int64_t kEthernetMtu = 1500;
constexpr std::int64_t kVxlanMtu = 1450;

Status requireInterface(const L2NetworkSpec& spec) {
  if (spec.physicalInterface.empty()) {
    return invalidArgument(
        "parameter 'physicalInterface' must name the hosts' interface, e.g. eth0");
  }
  if (spec.physicalInterface.find_first_of(" \t/:") != std::string::npos) {
    return invalidArgument("parameter 'physicalInterface' is not an interface name",
                           spec.physicalInterface);
  }
  return {};
}

}  // namespace

Status NoVlanFactory::prepare(Database&, const Json&, L2NetworkSpec& spec) {
  spec.mtu = kEthernetMtu;
  return requireInterface(spec);
}

// Two untagged networks on one interface of the same hosts would be one network: ZStack refuses
// that at attach time, and so does this.
Status NoVlanFactory::checkAttach(Database& db, const L2NetworkSpec& spec,
                                  const std::string& clusterUuid) {
  auto rows = db.query(
      "SELECT n.uuid FROM l2_network n JOIN l2_network_cluster_ref r ON r.l2NetworkUuid = n.uuid "
      "WHERE r.clusterUuid = ? AND n.type = ? AND n.physicalInterface = ? AND n.uuid <> ?",
      {clusterUuid, std::string(kNoVlanType), spec.physicalInterface, spec.uuid});
  if (!rows) return rows.error();
  if (!rows->rows.empty()) {
    return invalidArgument("cluster " + clusterUuid + " already has the no-VLAN L2 network " +
                           dbText(rows->rows[0][0]) + " on physical interface " +
                           spec.physicalInterface);
  }
  return {};
}

Status VlanFactory::prepare(Database& tx, const Json& params, L2NetworkSpec& spec) {
  spec.mtu = kEthernetMtu;
  if (auto s = requireInterface(spec); !s) return s;
  if (!params.contains("vlan") || !params["vlan"].is_number_integer()) {
    return invalidArgument("missing required parameter 'vlan'");
  }
  std::int64_t vlan = params["vlan"].get<std::int64_t>();
  if (vlan < 0 || vlan > 4094) {
    return invalidArgument("parameter 'vlan' must be between 0 and 4094", std::to_string(vlan));
  }
  auto taken = tx.query(
      "SELECT uuid FROM l2_network WHERE zoneUuid = ? AND physicalInterface = ? AND vlan = ?",
      {spec.zoneUuid, spec.physicalInterface, vlan});
  if (!taken) return taken.error();
  if (!taken->rows.empty()) {
    return invalidArgument("parameter 'vlan': VLAN " + std::to_string(vlan) +
                           " on physical interface " + spec.physicalInterface +
                           " is already L2 network " + dbText(taken->rows[0][0]) + " in this zone");
  }
  spec.vlan = vlan;
  return {};
}

Status VxlanPoolFactory::prepare(Database&, const Json&, L2NetworkSpec& spec) {
  spec.mtu = kVxlanMtu;
  return requireInterface(spec);
}

Status VxlanFactory::prepare(Database& tx, const Json& params, L2NetworkSpec& spec) {
  spec.mtu = kVxlanMtu;
  spec.poolUuid = params.value("poolUuid", "");
  auto pool = loadSpec(tx, spec.poolUuid);
  if (!pool) {
    if (pool.error().code != ErrorCode::kNotFound) return pool.error();
    return invalidArgument("parameter 'poolUuid' names no VXLAN network pool", spec.poolUuid);
  }
  if (pool->type != kVxlanPoolType) {
    return invalidArgument(
        "parameter 'poolUuid' names a " + pool->type + ", not a VXLAN network pool", spec.poolUuid);
  }
  if (pool->zoneUuid != spec.zoneUuid) {
    return invalidArgument("parameter 'zoneUuid' must be the pool's zone " + pool->zoneUuid,
                           spec.zoneUuid);
  }
  if (spec.physicalInterface.empty()) spec.physicalInterface = pool->physicalInterface;
  if (!params.contains("vni")) {
    auto vni = freeVni(tx, spec.poolUuid);
    if (!vni) return vni.error();
    spec.vni = *vni;
    return {};
  }
  if (!params["vni"].is_number_integer())
    return invalidArgument("parameter 'vni' must be an integer");
  std::int64_t vni = params["vni"].get<std::int64_t>();
  if (vni < kMinVni || vni > kMaxVni) {
    return invalidArgument("parameter 'vni' must be between 1 and 16777214", std::to_string(vni));
  }
  auto inRange =
      tx.query("SELECT 1 FROM vni_range WHERE l2NetworkUuid = ? AND startVni <= ? AND endVni >= ?",
               {spec.poolUuid, vni, vni});
  if (!inRange) return inRange.error();
  if (inRange->rows.empty()) {
    return invalidArgument("parameter 'vni': " + std::to_string(vni) +
                           " is in no VNI range of pool " + spec.poolUuid);
  }
  auto used =
      tx.query("SELECT uuid FROM l2_network WHERE poolUuid = ? AND vni = ?", {spec.poolUuid, vni});
  if (!used) return used.error();
  if (!used->rows.empty()) {
    return invalidArgument("parameter 'vni': " + std::to_string(vni) + " is already used by " +
                           dbText(used->rows[0][0]));
  }
  spec.vni = vni;
  return {};
}

// A VXLAN network lives on the tunnel ends of its pool: the pool must reach the cluster first.
Status VxlanFactory::checkAttach(Database& db, const L2NetworkSpec& spec,
                                 const std::string& clusterUuid) {
  auto rows =
      db.query("SELECT 1 FROM l2_network_cluster_ref WHERE l2NetworkUuid = ? AND clusterUuid = ?",
               {spec.poolUuid, clusterUuid});
  if (!rows) return rows.error();
  if (rows->rows.empty()) {
    return invalidArgument("attach the VXLAN pool " + spec.poolUuid + " to cluster " + clusterUuid +
                           " before its network " + spec.uuid);
  }
  return {};
}

Result<std::int64_t> freeVni(Database& db, const std::string& poolUuid) {
  auto ranges =
      db.query("SELECT startVni, endVni FROM vni_range WHERE l2NetworkUuid = ? ORDER BY startVni",
               {poolUuid});
  if (!ranges) return ranges.error();
  if (ranges->rows.empty()) {
    return invalidArgument("pool " + poolUuid +
                           " has no VNI range: create one with CreateVniRange");
  }
  for (const auto& range : ranges->rows) {
    std::int64_t candidate = dbInt(range[0]);
    std::int64_t end = dbInt(range[1]);
    auto used = db.query(
        "SELECT vni FROM l2_network WHERE poolUuid = ? AND vni BETWEEN ? AND ? ORDER BY vni",
        {poolUuid, candidate, end});
    if (!used) return used.error();
    for (const auto& u : used->rows) {
      if (dbInt(u[0]) != candidate) break;
      ++candidate;
    }
    if (candidate <= end) return candidate;
  }
  return makeError(ErrorCode::kConflict, "every VNI of pool " + poolUuid + " is in use");
}

}  // namespace strato::l2
