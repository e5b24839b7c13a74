// What the management node's KVM plugin and strato-agent's kvm-agent plugin say to each other:
// bus messages over HTTP (strato/remote.h), named here once for both halves. Every command is
// idempotent (starting a running guest, deleting a missing file succeed), so a retry after a lost
// reply does no harm; one that carries a "taskUuid" is also remembered by the agent for a while,
// so a repeat returns the first run's reply, waiting for it if it still runs (GetTask reads it).
// A command that also carries a "callback" is a long one: answered at once and called back
// (task_calls.h).
#pragma once

#include <string>
#include <string_view>

namespace strato::kvm {

// {} -> {"cpuNum", "cpuSockets", "cpuSpeedMhz", "totalMemoryBytes", "architecture",
//        "osDistribution", "osRelease", "cpuModel", "hostname", "libvirtVersion",
//        "hypervisorVersion", "libvirtUri", "agentVersion"}
inline constexpr std::string_view kFacts = "remote.kvm.Facts";
// {"hostUuid", "managementNodes": [{"host", "port"}], "heartbeat": {"roots", "intervalMs"}}
//   -> {"libvirtUri"}: the agent answers and its libvirt connection is alive. The agent remembers
// who asked, to report to them, and writes heartbeats on the roots (Facts takes the same).
inline constexpr std::string_view kPing = "remote.kvm.Ping";
// {"root", "hostUuid"} -> {"beat"?}: that host's last heartbeat on a shared storage, as this
// host reads it (nothing when it never wrote one).
inline constexpr std::string_view kReadHeartbeat = "remote.kvm.ReadHeartbeat";
// Agent to management node, whenever its guests change and after every (re)connect:
// {"hostUuid", "vms": {uuid: state}} -> {} (passed on as kVmStatesReportedMessage).
inline constexpr std::string_view kVmStatesReport = "remote.kvm.VmStatesReport";
// {"taskUuid"} -> {"state": "Running"|"Done", "reply"?: the bus reply's JSON form}
inline constexpr std::string_view kGetTask = "remote.kvm.GetTask";
// Agent to the kvm plugin: a long command's reply (task_calls.h). The KVM plugin sends every
// command as a long one; the storage plugins, whose commands copy files, have their own type.
inline constexpr std::string_view kTaskDone = "remote.kvm.TaskDone";
inline constexpr std::string_view kStorageTaskDone = "remote.primaryStorage.AgentTaskDone";

// Guests. Each takes {"vm": VmSpec as JSON (vm_spec_json.h)} plus what is named.
inline constexpr std::string_view kStartVm = "remote.kvm.StartVm";
inline constexpr std::string_view kStopVm = "remote.kvm.StopVm";  // + "graceful"
inline constexpr std::string_view kRebootVm = "remote.kvm.RebootVm";
inline constexpr std::string_view kPauseVm = "remote.kvm.PauseVm";
inline constexpr std::string_view kResumeVm = "remote.kvm.ResumeVm";
inline constexpr std::string_view kDestroyVm = "remote.kvm.DestroyVm";
// + "toHost", "toPort": the destination agent.
inline constexpr std::string_view kMigrateVm = "remote.kvm.MigrateVm";
// The destination's half of a migration on drivers without native migration (libvirt's test
// driver): + "paused" -> the guest runs (or is paused) here.
inline constexpr std::string_view kReceiveVm = "remote.kvm.ReceiveVm";
inline constexpr std::string_view kAttachVolume = "remote.kvm.AttachVolume";  // + "volume"
inline constexpr std::string_view kDetachVolume = "remote.kvm.DetachVolume";  // + "volume"
inline constexpr std::string_view kAttachNic = "remote.kvm.AttachNic";        // + "nic"
inline constexpr std::string_view kDetachNic = "remote.kvm.DetachNic";        // + "nic"
inline constexpr std::string_view kSetNicQos = "remote.kvm.SetNicQos";        // + "nic"
inline constexpr std::string_view kInsertIso = "remote.kvm.InsertIso";
inline constexpr std::string_view kEjectIso = "remote.kvm.EjectIso";
// + "user", "password"
inline constexpr std::string_view kChangePassword = "remote.kvm.ChangePassword";
// -> {"hostIp", "port", "protocol"}
inline constexpr std::string_view kConsoleAddress = "remote.kvm.ConsoleAddress";
// {} -> {"vms": {uuid: "Running"|"Paused"|"Stopped"|"Crashed"}}: the guests libvirt knows.
inline constexpr std::string_view kVmStates = "remote.kvm.VmStates";
// -> {"state"}: one guest's, "Stopped" when libvirt does not know it.
inline constexpr std::string_view kVmState = "remote.kvm.VmState";

// Files on the host's disks (local, shared mount point) or on an NFS share, named as
// nfs://server/path (NFS primary storage: the agent reaches it from userspace and mounts nothing).
// Paths are absolute, without "..".
// {"path"} -> {"total", "available"}: the file system holding path (created if missing).
inline constexpr std::string_view kDiskUsage = "remote.kvm.DiskUsage";
// {"path", "size", "format", "copyFrom"?} -> {"size", "actualSize"}: a new volume file; with
// copyFrom, a full copy of that file (a snapshot or another volume), grown to size.
inline constexpr std::string_view kCreateVolume = "remote.kvm.CreateVolume";
// {"path", "copyFrom"} -> {"size", "actualSize"}: the file's content becomes a copy of copyFrom
// (a snapshot revert). The copy is made beside and renamed over, so the file is always whole.
inline constexpr std::string_view kReplaceVolume = "remote.kvm.ReplaceVolume";
// {"path"} -> {}: gone, or was not there.
inline constexpr std::string_view kDeleteFile = "remote.kvm.DeleteFile";
// {"path", "size"} -> {"size", "actualSize"}
inline constexpr std::string_view kResizeVolume = "remote.kvm.ResizeVolume";
// {"path"} -> {"size", "actualSize"}
inline constexpr std::string_view kVolumeInfo = "remote.kvm.VolumeInfo";
// {"from", "to"} -> {}: `to` becomes a byte-for-byte copy of `from`, whole or not at all. What
// moves files between a host's disk and an NFS share, which SSH cannot reach.
inline constexpr std::string_view kCopyFile = "remote.kvm.CopyFile";

// Management node only (a bus message of the kvm plugin, not sent to agents):
// {"hostUuid", "backupStorageUuid", "installPath", "path"} -> {}: the image file is at `path` on
// the host afterwards (kept if it is there already). Send with resourceUuid = path, so two fills
// of one cache file never overlap.
inline constexpr std::string_view kCacheImageMessage = "kvm.CacheImage";
// {"fromHostUuid", "toHostUuid", "paths": [...]} -> {}: each file is copied from one host to the
// same path on the other (written beside it, then renamed), through the management node over
// SSH. For LocalStorage, whose hosts share no file system and no credentials.
inline constexpr std::string_view kCopyHostFilesMessage = "kvm.CopyHostFiles";
// {"hostUuid"} -> {"host", "port", "user", "password", "hostKey"}: how to reach a KVM host by SSH,
// for plugins that copy files off it (kFileSourceMessage of <strato/primary_storage.h>).
inline constexpr std::string_view kHostSshTargetMessage = "kvm.HostSshTarget";
// {"hostUuid", "path": an nfs:// file} -> {"path"}: a copy of the file on the host's own disk, in
// the agent's directory, for readers that reach hosts by SSH only. The reader deletes it.
inline constexpr std::string_view kStageFileMessage = "kvm.StageFile";

// Host networking. An L2 network on a host is a Linux bridge that guests' NICs join, named as
// ZStack names it (l2Bridge). {"type", "physicalInterface", "vlan"?, "vni"?, "vtepIp"?}
//   -> {"bridge", "commands": [what ran, or would have run on an agent set to dry-run]}
inline constexpr std::string_view kRealizeL2 = "remote.kvm.RealizeL2";
inline constexpr std::string_view kUnrealizeL2 = "remote.kvm.UnrealizeL2";
// VXLAN: {"vni", "peers": [VTEP addresses]} -> {"present": whether the device is on this host}.
// RealizeL2 takes "peers" too, and "vtepCidr" instead of "vtepIp" (-> "vtepIp": the one taken).
inline constexpr std::string_view kSetVxlanPeers = "remote.kvm.SetVxlanPeers";

// Flat DHCP. A VM spec's extra.dhcp is {l3 uuid: {"l2": {as RealizeL2}, "serverIp", "netmask",
// "gateway", "dns", "dnsDomain", "mtu", "hostRoutes", "userdata"}}: StartVm, ReceiveVm and
// AttachNic serve its NICs' leases (and with "userdata", their metadata) on this host, and
// StopVm, DestroyVm, MigrateVm (the source) and DetachNic take them back. ServeDhcp {"vm"} only
// serves them: a destination of a native migration, before the guest arrives.
inline constexpr std::string_view kServeDhcp = "remote.kvm.ServeDhcp";
// {"l3Uuid"} -> {"commands"}: the L3's DHCP namespace, servers and files are gone from the host
// (or were never there).
inline constexpr std::string_view kRemoveDhcpNetwork = "remote.kvm.RemoveDhcpNetwork";
// The l3 plugin's bus message the management node builds extra.dhcp from (its README).
inline constexpr std::string_view kFlatDhcpNetworksMessage = "l3.FlatDhcpNetworks";
// The l3 plugin's event when an L3 network's flat DHCP ends (the L3 deleted, or DHCP detached):
// {"l3NetworkUuid", "l2NetworkUuid"}.
inline constexpr std::string_view kFlatDhcpRemovedEvent = "l3.FlatDhcpRemoved";

// br_<nic> (no VLAN), br_<nic>_<vlan>, br_vx_<vni>. Linux caps interface names at 15
// characters: longer ones are cut, as ZStack does.
inline std::string l2Bridge(std::string_view type, const std::string& physicalInterface,
                            long long vlan, long long vni) {
  std::string name;
  if (type == "L2VxlanNetwork") {
    name = "br_vx_" + std::to_string(vni);
  } else if (type == "L2VlanNetwork") {
    name = "br_" + physicalInterface + "_" + std::to_string(vlan);
  } else {
    name = "br_" + physicalInterface;
  }
  return name.substr(0, 15);
}

}  // namespace strato::kvm
