// VMs. The vm plugin keeps VM rows, NICs and the state machine; a VmDriver per hypervisor type
// ("Simulator", "KVM") runs the guests; the host plugin holds host capacity and the volume plugin
// the volumes, each reached through the bus messages below.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "strato/json.h"
#include "strato/result.h"

namespace strato {

struct VmNicSpec {
  std::string uuid;
  std::string l3NetworkUuid;
  std::string mac;
  std::string ip;
  std::string netmask;
  std::string gateway;
  int deviceId = 0;
  std::int64_t inboundBandwidth = 0;   // bits per second; 0: no limit
  std::int64_t outboundBandwidth = 0;  // likewise
};

struct VmVolumeSpec {
  std::string uuid;
  std::string type;  // "Root" or "Data"
  std::string primaryStorageUuid;
  std::string installPath;
  std::string format;
  int deviceId = 0;
  // Attached to other VMs too (a raw file they all write): the hypervisor must not cache it or
  // lock it to one guest.
  bool shareable = false;
};

// Everything a hypervisor needs to run one guest on one host.
struct VmSpec {
  std::string uuid;
  std::string name;
  std::string hostUuid;
  std::string hostManagementIp;
  std::int64_t cpuNum = 1;
  std::int64_t memorySize = 0;  // bytes
  std::string platform;         // Linux, Windows, Other, ...
  std::vector<VmNicSpec> nics;
  std::vector<VmVolumeSpec> volumes;
  // Settings from the VM's system tags, when set: "hostname", "sshKey", "consolePassword",
  // "bootOrder" (["HardDisk", "CdRom", "Network"] in the order given), "iso" (the ISO in its
  // CD-ROM: {"uuid", "backupStorageUuid", "installPath"}); always "qga" and "rdp" (booleans:
  // a guest agent channel, RDP for the console) and "monitorNumber" (1-4 displays).
  Json extra = Json::object();
};

// Where a guest's console listens (GetVmConsoleAddress).
struct ConsoleAddress {
  std::string hostIp;
  int port = 0;
  std::string protocol;  // "vnc", "spice"
};

// One per hypervisor type, registered under the type's name. Every call blocks (run it on the
// blocking pool) and is idempotent: starting a running guest, stopping a stopped one or destroying
// a missing one succeeds, so a retried or replayed step does no harm.
class VmDriver {
 public:
  static constexpr std::string_view kExtensionPoint = "strato.VmDriver";
  virtual ~VmDriver() = default;
  // Defines the guest on spec.hostUuid if needed and starts it.
  virtual Status start(const VmSpec& vm) = 0;
  // Graceful asks the guest to shut down; otherwise it is powered off.
  virtual Status stop(const VmSpec& vm, bool graceful) = 0;
  virtual Status reboot(const VmSpec& vm) = 0;
  virtual Status pause(const VmSpec& vm) = 0;
  virtual Status resume(const VmSpec& vm) = 0;
  // Stops the guest and removes its definition from the host; volumes stay.
  virtual Status destroy(const VmSpec& vm) = 0;
  // Live migration of the running guest from vm.hostUuid to the given host.
  virtual Status migrate(const VmSpec& vm, const std::string& toHostUuid,
                         const std::string& toManagementIp) = 0;
  // Hot-plug into a running or paused guest (vm.volumes / vm.nics already list the new device).
  // A VM that holds no host is never asked: the device is in its spec at the next start.
  virtual Status attachVolume(const VmSpec& vm, const VmVolumeSpec& volume) = 0;
  virtual Status detachVolume(const VmSpec& vm, const VmVolumeSpec& volume) = 0;
  virtual Status attachNic(const VmSpec& vm, const VmNicSpec& nic) = 0;
  virtual Status detachNic(const VmSpec& vm, const VmNicSpec& nic) = 0;
  // Applies the NIC's bandwidth limits (0 lifts one) to a running or paused guest.
  virtual Status setNicQos(const VmSpec& vm, const VmNicSpec& nic) = 0;
  // Puts an ISO into (or takes it out of) a running or paused guest's CD-ROM; vm.extra["iso"]
  // names the one to insert.
  virtual Status insertIso(const VmSpec& vm) = 0;
  virtual Status ejectIso(const VmSpec& vm) = 0;
  // Sets a guest user's password through the guest agent of a running guest.
  virtual Status changePassword(const VmSpec& vm, const std::string& user,
                                const std::string& password) = 0;
  // The console of a running or paused guest.
  virtual Result<ConsoleAddress> consoleAddress(const VmSpec& vm) = 0;
  // What the guest is on vm.hostUuid now: "Running", "Paused", "Stopped" (also when the host
  // does not know it) or "Crashed". Asked when a host reports its guests differ from the records.
  virtual Result<std::string> powerState(const VmSpec& vm) = 0;
};

// Empties a host that enters maintenance (ChangeHostState maintain), registered by the plugin that
// keeps VMs. The host is PreMaintenance meanwhile, so nothing new lands on it. Every VM that holds
// the host migrates to another; one that cannot is stopped when `stopOnMigrationFailure`, and
// otherwise fails the evacuation (the VMs moved so far stay where they went). `done` gets
// {"migrated": [vm uuids], "stopped": [vm uuids]} once no VM holds the host.
class HostEvacuator {
 public:
  static constexpr std::string_view kExtensionPoint = "strato.HostEvacuator";
  virtual ~HostEvacuator() = default;
  virtual void evacuate(const std::string& hostUuid, bool stopOnMigrationFailure,
                        std::function<void(Result<Json>)> done) = 0;
};

// Host capacity, handled by the host plugin. Send without a resourceUuid.
// {"hostUuid", "cpuNum", "memorySize"} -> {} when the host is Enabled, Connected and has the
// capacity left: taken in one conditional UPDATE, so two VMs never both take the last cores.
// kConflict (nothing taken) otherwise; kNotFound when the host is gone.
inline constexpr std::string_view kReserveHostCapacityMessage = "host.ReserveCapacity";
// {"hostUuid", "cpuNum", "memorySize"} -> {}: gives back what ReserveCapacity took (never more
// than the host's total). A host that is gone is no error.
inline constexpr std::string_view kReleaseHostCapacityMessage = "host.ReleaseCapacity";

// A VM's volumes, handled by the volume plugin. Send without a resourceUuid.
// {"vmInstanceUuid", "type": "Root"|"Data", "name", "primaryStorageUuid", "deviceId",
//  "size"?, "imageUuid"? (Root from a template: the image's ready copy becomes its first bytes),
//  "diskOfferingUuid"?, "hostUuid"? (the VM's host: a LocalStorage puts the file on its disk)}
//   -> {"inventory": volume}
// The storage reserves the size (kConflict when it cannot; nothing is left behind then).
inline constexpr std::string_view kCreateVmVolumeMessage = "volume.CreateVmVolume";
// {"uuid"} -> {}: deletes the file (giving the capacity back) and the row, and forgets the
// volume's owner and tags. A volume already gone is no error.
inline constexpr std::string_view kExpungeVmVolumeMessage = "volume.ExpungeVmVolume";
// {"vmInstanceUuid"} -> {"detached": [uuids]}: the VM's data volumes stay, without the VM; so
// do its shareable volumes, for their other VMs.
inline constexpr std::string_view kDetachVmVolumesMessage = "volume.DetachVmVolumes";
// {"volumeUuid", "vmInstanceUuid", "primaryStorageUuids": [the storages of the VM's cluster],
//  "hostUuid"? (where the VM runs, else whose local disk holds its volumes)}
// -> {"inventory": volume}: an Enabled, unattached data volume takes the VM's lowest free device
// id; so does a shareable one not attached to this VM yet, whatever other VMs it has. A Ready one
// must be on one of the storages (and on local storage, on the disk of `hostUuid`); a
// NotInstantiated one gets its file on the first of them that has room (on local storage, on that
// host's disk). kConflict when the volume is attached, busy, or out of reach.
inline constexpr std::string_view kAttachVmVolumeMessage = "volume.AttachToVm";
// {"volumeUuid", "vmInstanceUuid"} -> {"inventory": volume}: the data volume leaves the VM (a
// shareable one stays with its other VMs).
inline constexpr std::string_view kDetachVmVolumeMessage = "volume.DetachFromVm";

// What a host says its guests are, sent (without a resourceUuid) by the plugin of its hypervisor
// type whenever the host reports a change, and once it (re)connects:
// {"hostUuid", "states": {vm uuid: "Running"|"Paused"|"Stopped"|"Crashed"}} -> {"checked": n}.
// The vm plugin checks each VM whose record disagrees again, in the VM's queue and with a fresh
// VmDriver::powerState, so a report that crossed an API call in flight changes nothing: a guest
// that shut itself down or crashed is Stopped (its host capacity given back), a paused or resumed
// one follows, and one started outside Strato is Running where it runs.
inline constexpr std::string_view kVmStatesReportedMessage = "vm.StatesReported";

// Published by the vm plugin when a VM's state changes: {"uuid", "oldState", "newState",
// "hostUuid"?}.
inline constexpr std::string_view kVmStateChangedEvent = "vm.StateChanged";

}  // namespace strato
