// AttachDataVolumeToVm, DetachDataVolumeFromVm (3.2.19-20) and their candidate lists
// (GetVmAttachableDataVolume 3.1.20, GetDataVolumeAttachableVm 3.2.18). The call is queued on the
// VM; the volume plugin claims or releases the volume; a guest that runs gets it hot-plugged.
#include "vm_async.h"
#include "vm_service.h"
#include "vm_steps.h"

namespace strato::vm {
namespace {

struct VolumeContext {
  VmRecord vm;
  std::string volume;
  std::vector<std::string> storages;  // of the VM's cluster
  std::string host;  // where it runs, else whose local disk holds its volumes; may be empty
};
using Context = std::shared_ptr<VolumeContext>;

VmPtr vmOf(const Context& c) { return VmPtr(c, &c->vm); }

// The device as the VM's spec lists it (specOf reads the volume's row, claimed by now).
Result<VmVolumeSpec> volumeIn(const VmSpec& vm, const std::string& uuid) {
  for (const auto& v : vm.volumes)
    if (v.uuid == uuid) return v;
  return makeError(ErrorCode::kInternal, "volume " + uuid + " is not in the spec of VM " + vm.uuid);
}

Message volumeMessage(std::string_view type, const Context& c) {
  return {std::string(type),
          "",
          {{"volumeUuid", c->volume},
           {"vmInstanceUuid", c->vm.uuid},
           {"primaryStorageUuids", c->storages},
           {"hostUuid", c->host}}};
}

// The primary storages of a cluster, the roomiest first (a new file goes to the first that takes it).
Result<std::vector<std::string>> clusterStorages(Database& db, const std::string& cluster) {
  auto rows = db.query(
      "SELECT p.uuid FROM primary_storage p JOIN primary_storage_cluster_ref c ON "
      "c.primaryStorageUuid = p.uuid WHERE c.clusterUuid = ? ORDER BY p.availableCapacity DESC",
      {cluster});
  if (!rows) return rows.error();
  std::vector<std::string> out;
  for (const auto& r : rows->rows) out.push_back(dbText(r[0]));
  return out;
}

}  // namespace

void VmService::attachVolume(const Json& p, Replier reply) {
  auto s = shared_from_this();
  auto c = std::make_shared<VolumeContext>();
  c->volume = textParam(p, "volumeUuid");
  std::string vmUuid = textParam(p, "vmInstanceUuid");
  auto chain = FlowChain::create("attach-volume");
  addBegin(s, *chain, VmOp::kAttachDevice, vmUuid, vmOf(c));
  chain->then("storages", onBlocking(bus_, [s, c]() -> Status {
                // A VM made with CreateStopped has a cluster; only one never placed has none.
                if (c->vm.clusterUuid.empty())
                  return makeError(ErrorCode::kConflict,
                                   "VM " + c->vm.uuid + " has no cluster yet; start it first");
                auto storages = clusterStorages(s->db(), c->vm.clusterUuid);
                if (!storages) return storages.error();
                c->storages = std::move(*storages);
                auto pinned = localDisksHost(s->db(), c->vm.uuid);
                if (!pinned) return pinned.error();
                c->host = c->vm.hostUuid.empty() ? *pinned : c->vm.hostUuid;
                return {};
              }));
  chain->then("claim-volume",
              // A NotInstantiated volume gets its file now: as long as a volume creation.
              asking(bus_, [c] { return volumeMessage(kAttachVmVolumeMessage, c); }, {},
                     std::chrono::minutes(30)),
              asking(bus_, [c] { return volumeMessage(kDetachVmVolumeMessage, c); }));
  chain->then("plug-in", onHost(s, vmOf(c), [c](VmDriver& d, const VmSpec& vm) -> Status {
                auto volume = volumeIn(vm, c->volume);
                if (!volume) return volume.error();
                return d.attachVolume(vm, *volume);
              }));
  runAndRender(s, chain, vmUuid, "Volume", [c] { return c->volume; }, std::move(reply));
}

// The guest lets go of the device before the volume leaves the VM's row; if the guest refuses,
// the volume stays attached.
void VmService::detachVolume(const Json& p, Replier reply) {
  auto s = shared_from_this();
  auto c = std::make_shared<VolumeContext>();
  c->volume = textParam(p, "uuid");
  std::string vmUuid = textParam(p, "vmInstanceUuid");
  auto chain = FlowChain::create("detach-volume");
  addBegin(s, *chain, VmOp::kDetachDevice, vmUuid, vmOf(c));
  chain->then("unplug", onHost(s, vmOf(c), [c](VmDriver& d, const VmSpec& vm) -> Status {
                auto volume = volumeIn(vm, c->volume);
                if (!volume) return makeError(ErrorCode::kConflict, volume.error().message);
                return d.detachVolume(vm, *volume);
              }));
  chain->then("release-volume", asking(bus_, [c] { return volumeMessage(kDetachVmVolumeMessage, c); }));
  runAndRender(s, chain, vmUuid, "Volume", [c] { return c->volume; }, std::move(reply));
}

Result<std::string> volumeVmToDetach(Database& db, const std::string& volume,
                                     const std::string& named) {
  auto rows =
      db.query("SELECT vmInstanceUuid, type, isShareable FROM volume WHERE uuid = ?", {volume});
  if (!rows) return rows.error();
  if (rows->rows.empty()) return invalidArgument("uuid names no volume", volume);
  const auto& v = rows->rows[0];
  if (dbText(v[1]) != "Data")
    return invalidArgument("volume " + volume + " is a root volume; it stays with its VM");
  std::vector<std::string> vms;
  if (!dbText(v[0]).empty()) vms.push_back(dbText(v[0]));
  if (dbInt(v[2]) != 0) {
    auto refs =
        db.query("SELECT vmInstanceUuid FROM shareable_volume_vm_instance_ref WHERE volumeUuid = ?",
                 {volume});
    if (!refs) return refs.error();
    for (const auto& r : refs->rows) vms.push_back(dbText(r[0]));
  }
  if (named.empty()) {
    if (vms.size() == 1) return vms.front();
    if (vms.empty()) return conflict("volume " + volume + " is not attached to any VM");
    return invalidArgument("shareable volume " + volume + " is attached to " +
                               std::to_string(vms.size()) + " VMs; vmUuid must name one",
                           "vmUuid");
  }
  if (std::find(vms.begin(), vms.end(), named) == vms.end())
    return conflict("volume " + volume + " is not attached to VM " + named);
  return named;
}

// Data volumes of the VM's owner that could join it now: Enabled, and either NotInstantiated or
// Ready on a storage of the VM's cluster (on local storage, on the disk of the host the VM runs
// on or is bound to); unattached, or shareable and not attached to this VM yet.
Reply VmService::attachableVolumes(const Json& p) {
  auto vm = loadVmFor(db_, VmOp::kAttachDevice, textParam(p, "vmInstanceUuid"));
  if (!vm) return vm.error();
  auto pinned = localDisksHost(db_, vm->uuid);
  if (!pinned) return pinned.error();
  std::string host = vm->hostUuid.empty() ? *pinned : vm->hostUuid;
  auto rows = db_.query(
      "SELECT v.uuid FROM volume v JOIN account_resource_ref mine ON mine.resourceUuid = v.uuid "
      "JOIN account_resource_ref owner ON owner.accountUuid = mine.accountUuid AND "
      "owner.resourceUuid = ? WHERE v.type = 'Data' AND v.vmInstanceUuid IS NULL AND "
      "v.state = 'Enabled' AND NOT EXISTS (SELECT 1 FROM shareable_volume_vm_instance_ref s "
      "WHERE s.volumeUuid = v.uuid AND s.vmInstanceUuid = owner.resourceUuid) AND "
      "(v.status = 'NotInstantiated' OR "
      "(v.status = 'Ready' AND v.primaryStorageUuid IN (SELECT primaryStorageUuid FROM "
      "primary_storage_cluster_ref WHERE clusterUuid = ?))) AND NOT EXISTS (SELECT 1 FROM "
      "local_storage_resource_ref l WHERE l.resourceUuid = v.uuid AND ? <> '' AND l.hostUuid <> "
      "?) ORDER BY v.createDate, v.uuid",
      {vm->uuid, vm->clusterUuid, host, host});
  if (!rows) return rows.error();
  Json uuids = Json::array();
  for (const auto& r : rows->rows) uuids.push_back(dbText(r[0]));
  return Json{{"uuids", uuids}};
}

// The VMs of the volume's owner it could join now: in a state that allows it, placed in a
// cluster that uses the volume's storage (any cluster while the volume is NotInstantiated), and
// not having it already (a shareable volume joins each VM once).
Reply VmService::attachableVms(const Json& p) {
  std::string volume = textParam(p, "volumeUuid");
  auto found = db_.query(
      "SELECT type, status, state, vmInstanceUuid, primaryStorageUuid FROM volume "
      "WHERE uuid = ?",
      {volume});
  if (!found) return found.error();
  if (found->rows.empty()) return invalidArgument("volumeUuid names no volume", volume);
  const auto& v = found->rows[0];
  Json uuids = Json::array();
  if (dbText(v[0]) != "Data" || dbText(v[2]) != "Enabled" || !dbText(v[3]).empty() ||
      (dbText(v[1]) != "Ready" && dbText(v[1]) != "NotInstantiated"))
    return Json{{"uuids", uuids}};
  const auto& states = transitionOf(VmOp::kAttachDevice).from;
  std::string sql =
      "SELECT vm.uuid FROM vm_instance vm JOIN account_resource_ref mine ON mine.resourceUuid = "
      "vm.uuid JOIN account_resource_ref owner ON owner.accountUuid = mine.accountUuid AND "
      "owner.resourceUuid = ? WHERE vm.clusterUuid IS NOT NULL AND NOT EXISTS (SELECT 1 FROM "
      "shareable_volume_vm_instance_ref s WHERE s.volumeUuid = ? AND s.vmInstanceUuid = vm.uuid) "
      "AND vm.state IN (";
  std::vector<DbValue> binds{volume, volume};
  for (std::size_t i = 0; i < states.size(); ++i) {
    sql += i ? ", ?" : "?";
    binds.emplace_back(states[i]);
  }
  sql += ")";
  if (dbText(v[1]) == "Ready") {
    sql += " AND vm.clusterUuid IN (SELECT clusterUuid FROM primary_storage_cluster_ref WHERE "
           "primaryStorageUuid = ?)";
    binds.emplace_back(dbText(v[4]));
    // On a host's local disk: only VMs that run there, or run nowhere now.
    sql +=
        " AND (vm.hostUuid IS NULL OR NOT EXISTS (SELECT 1 FROM local_storage_resource_ref l "
        "WHERE l.resourceUuid = ? AND l.hostUuid <> vm.hostUuid))";
    binds.emplace_back(volume);
  }
  auto rows = db_.query(sql + " ORDER BY vm.createDate, vm.uuid", binds);
  if (!rows) return rows.error();
  for (const auto& r : rows->rows) uuids.push_back(dbText(r[0]));
  return Json{{"uuids", uuids}};
}

}  // namespace strato::vm
