#include "vm_store.h"

namespace strato::vm {

Result<VmRecord> loadVm(Database& db, const std::string& uuid) {
  auto rows = db.query(
      "SELECT name, zoneUuid, clusterUuid, hostUuid, lastHostUuid, imageUuid, rootVolumeUuid, "
      "hypervisorType, platform, allocatorStrategy, state, cpuNum, memorySize FROM vm_instance "
      "WHERE uuid = ?",
      {uuid});
  if (!rows) return rows.error();
  if (rows->rows.empty()) return makeError(ErrorCode::kNotFound, "no VM " + uuid);
  const auto& r = rows->rows[0];
  return VmRecord{uuid,        dbText(r[0]),  dbText(r[1]),  dbText(r[2]), dbText(r[3]),
                  dbText(r[4]),  dbText(r[5]),  dbText(r[6]),  dbText(r[7]), dbText(r[8]),
                  dbText(r[9]),  dbText(r[10]), dbInt(r[11]), dbInt(r[12])};
}

Result<VmRecord> loadVmFor(Database& db, VmOp op, const std::string& uuid) {
  auto vm = loadVm(db, uuid);
  if (!vm) return vm.error();
  if (auto ok = checkAllowed(op, vm->state, uuid); !ok) return ok.error();
  return vm;
}

Status saveState(Database& db, MessageBus& bus, const VmRecord& vm, const std::string& state,
                 const std::vector<std::pair<std::string, DbValue>>& columns) {
  std::string sql = "UPDATE vm_instance SET state = ?, lastOpDate = ?";
  std::vector<DbValue> binds{state, nowMillis()};
  for (const auto& [column, value] : columns) {
    sql += ", " + column + " = ?";
    binds.push_back(value);
  }
  binds.emplace_back(vm.uuid);
  if (auto s = statusOf(db.execute(sql + " WHERE uuid = ?", binds)); !s) return s;
  if (state != vm.state) {
    Json event{{"uuid", vm.uuid}, {"oldState", vm.state}, {"newState", state}};
    if (!vm.hostUuid.empty()) event["hostUuid"] = vm.hostUuid;
    bus.publish({std::string(kVmStateChangedEvent), vm.uuid, std::move(event)});
  }
  return {};
}

Result<std::vector<NicRecord>> loadNics(Database& db, const std::string& vmUuid) {
  auto rows = db.query(
      "SELECT uuid, l3NetworkUuid, usedIpUuid FROM vm_nic WHERE vmInstanceUuid = ? ORDER BY "
      "deviceId",
      {vmUuid});
  if (!rows) return rows.error();
  std::vector<NicRecord> out;
  for (const auto& r : rows->rows) out.push_back({dbText(r[0]), dbText(r[1]), dbText(r[2])});
  return out;
}

Result<VmSpec> specOf(Database& db, const VmRecord& vm, const std::string& hostUuid,
                      const std::vector<std::string>& pendingTags) {
  VmSpec spec;
  spec.uuid = vm.uuid;
  spec.name = vm.name;
  spec.hostUuid = hostUuid;
  spec.hostManagementIp = managementIpOf(db, hostUuid);
  spec.cpuNum = vm.cpuNum;
  spec.memorySize = vm.memorySize;
  spec.platform = vm.platform;
  auto nics = db.query(
      "SELECT uuid, l3NetworkUuid, mac, ip, netmask, gateway, deviceId FROM vm_nic WHERE "
      "vmInstanceUuid = ? ORDER BY deviceId",
      {vm.uuid});
  if (!nics) return nics.error();
  for (const auto& r : nics->rows) {
    VmNicSpec nic{dbText(r[0]), dbText(r[1]), dbText(r[2]), dbText(r[3]), dbText(r[4]),
                  dbText(r[5]), static_cast<int>(dbInt(r[6]))};
    auto limits = nicLimits(db, nic.uuid);
    if (!limits) return limits.error();
    nic.inboundBandwidth = limits->first;
    nic.outboundBandwidth = limits->second;
    spec.nics.push_back(std::move(nic));
  }
  // Its own volumes, and the shareable ones it has with other VMs (their device ids are kept
  // per VM, beside the volume).
  auto volumes = db.query(
      "SELECT uuid, type, primaryStorageUuid, installPath, format, deviceId, isShareable FROM "
      "volume WHERE vmInstanceUuid = ? UNION ALL SELECT v.uuid, v.type, v.primaryStorageUuid, "
      "v.installPath, v.format, r.deviceId, v.isShareable FROM shareable_volume_vm_instance_ref r "
      "JOIN volume v ON v.uuid = r.volumeUuid WHERE r.vmInstanceUuid = ? ORDER BY deviceId",
      {vm.uuid, vm.uuid});
  if (!volumes) return volumes.error();
  for (const auto& r : volumes->rows) {
    spec.volumes.push_back({dbText(r[0]), dbText(r[1]), dbText(r[2]), dbText(r[3]), dbText(r[4]),
                            static_cast<int>(dbInt(r[5])), dbInt(r[6]) != 0});
  }
  auto settings = vmSettings(db, vm.uuid, pendingTags);
  if (!settings) return settings.error();
  spec.extra = std::move(*settings);
  return spec;
}

std::string managementIpOf(Database& db, const std::string& hostUuid) {
  auto rows = db.query("SELECT managementIp FROM host WHERE uuid = ?", {hostUuid});
  return rows && !rows->rows.empty() ? dbText(rows->rows[0][0]) : std::string();
}

std::vector<std::string> vmHypervisorTypes(const ExtensionLookup& extensions) {
  std::vector<std::string> out;
  for (const auto& [name, impl] : extensions.allRaw(VmDriver::kExtensionPoint)) out.push_back(name);
  return out;
}

}  // namespace strato::vm
