// The VM handlers of section 3.1. Each runs as a flow chain whose steps hop between the blocking
// pool (SQL, VmDriver calls) and bus requests (host capacity, IPs, volumes), so none of them holds
// a thread while it waits. Handlers of one VM are queued on its uuid by the kernel.
#pragma once

#include <memory>
#include <string>

#include "vm_states.h"
#include "vm_store.h"

namespace strato::vm {

class VmService : public std::enable_shared_from_this<VmService> {
 public:
  VmService(MessageBus& bus, Database& db, const GlobalConfigView& config,
            const ExtensionLookup& extensions, Logger& logger)
      : bus_(bus), db_(db), config_(config), extensions_(extensions), logger_(logger) {}

  void create(const Json& params, const std::string& accountUuid, Replier reply);
  // {"zones", "clusters", "hosts", "rootStorages", "dataStorages"} a creation would consider.
  Reply creationCandidates(const Json& params);
  // NIC bandwidth limits (blocking, in the NIC's VM's queue).
  Reply setNicQos(const Json& params);
  Reply getNicQos(const Json& params);
  Reply deleteNicQos(const Json& params);
  // CloneVmInstance: {"result": {"numberOfClonedVm", "inventories": [{"inventory"|"error"}]}}.
  void clone(const Json& params, const std::string& accountUuid, Replier reply);
  // Start, Stop, Reboot, Pause, Resume.
  void operate(VmOp op, const Json& params, Replier reply);
  void migrate(const Json& params, Replier reply);
  void destroy(const Json& params, Replier reply);
  void recover(const Json& params, Replier reply);
  void expunge(const Json& params, Replier reply);
  Reply update(const Json& params);
  Reply migrationCandidates(const Json& params);
  Reply capabilities(const Json& params);

  // Devices (queued on the VM): data volumes and L3 networks join or leave it.
  void attachVolume(const Json& params, Replier reply);
  void detachVolume(const Json& params, Replier reply);
  void attachL3(const Json& params, Replier reply);
  void detachNic(const Json& params, Replier reply);
  // A stopped VM's new root volume from its image (ReimageVmInstance) or from params.imageUuid
  // (ChangeVmImage).
  void reimage(const Json& params, Replier reply);
  Reply changeOffering(const Json& params);  // blocking
  // {"hosts": [...], "clusters": [...]} where the VM could start now (blocking).
  Reply startingCandidates(const Json& params);
  // Candidates, as {"uuids": [...]} (blocking).
  Reply attachableVolumes(const Json& params);
  Reply attachableVms(const Json& params);
  Reply attachableL3s(const Json& params);
  Reply imageCandidates(const Json& params);
  Reply isoCandidates(const Json& params);
  // {"inventory": "L3Network" or "Image", "uuids": [...]}.
  Reply interdependents(const Json& params);
  Reply vmsForIso(const Json& params, const std::string& accountUuid);
  // The ISO in the CD-ROM (queued on the VM).
  void attachIso(const Json& params, Replier reply);
  void detachIso(const Json& params, Replier reply);

  // Cascades (blocking): VMs of deleted zones or storages go; VMs on a deleted host stop.
  Status expungeNow(const std::vector<std::string>& uuids);
  Status stopOnHosts(const std::vector<std::string>& vmUuids);

  // vm.deletionPolicy Delay: VMs Destroyed for longer than vm.expungePeriod go.
  void expungeDue();

  // kVmStatesReportedMessage (blocking): queues vm.CheckGuest for each VM the report disagrees
  // with (vm_tracking.cc).
  Reply statesReported(const Json& body);
  // vm.CheckGuest {"uuid", "hostUuid"}, in the VM's queue: the hypervisor asked again, the record
  // corrected, the host's capacity following.
  void checkGuest(const Json& params, Replier reply);
  // A guest of an HA VM starts again, on any host (queued on the VM): NeverStop when it stopped by
  // itself, either level when its host was found down.
  void restartHa(const std::string& uuid);
  // A host went Disconnected or Connected (blocking, vm_ha.cc): its running VMs are queued for
  // vm.HostLost, and those with an HA level for vm.HostDown once its fencer says it is down; its
  // Unknown ones for vm.CheckGuest.
  void hostStatusChanged(const std::string& host, const std::string& status);
  // HA VMs still Unknown on hosts still Disconnected: their fencer is asked again (blocking;
  // every plugin.vm.haRecheckSeconds). A host first only unreachable may have died since.
  void recheckLostHosts();
  // vm.HostLost {"uuid", "hostUuid"}, in the VM's queue: Unknown.
  void hostLost(const Json& params, Replier reply);
  // vm.HostDown {"uuid", "hostUuid"}, in the VM's queue: an Unknown VM of that host is Stopped,
  // its share given back, and started again.
  void hostDown(const Json& params, Replier reply);

  std::shared_ptr<VmDriver> driverFor(const std::string& hypervisorType) const {
    return extensions_.find<VmDriver>(hypervisorType);
  }
  MessageBus& bus() { return bus_; }
  Database& db() { return db_; }
  Logger& logger() { return logger_; }
  const GlobalConfigView& config() const { return config_; }
  const ExtensionLookup& extensions() const { return extensions_; }

 private:
  struct Correction;
  // Asks the fencer of `host` once; down: each of `haVms` goes to vm.HostDown.
  void fence(const std::string& host, const std::vector<std::string>& haVms);
  // `type` {"uuid", "hostUuid"} in the VM's queue; a failure is logged.
  void queueOnVm(const std::string& type, const std::string& uuid, const std::string& host);
  // What checkGuest changed (blocking).
  Result<Correction> correctGuest(const std::string& uuid, const std::string& host);
  // Expunging as a chain: the hypervisor's definition, capacity, IPs, NICs, root volume, data
  // volumes detached, the row, then its owner and tags. For ExpungeVmInstance, the Direct
  // policy and the cascades.
  void expungeChain(const std::string& uuid, std::function<void(Status)> done);
  // Stores the limits (-1: unchanged, 0: none) and shapes a running guest; undone if it refuses.
  Reply changeNicQos(const Json& params, std::int64_t inbound, std::int64_t outbound);

  MessageBus& bus_;
  Database& db_;
  const GlobalConfigView& config_;
  const ExtensionLookup& extensions_;
  Logger& logger_;
};

// The VM whose queue DetachDataVolumeFromVm runs in: the volume's VM, or for a shareable volume
// the one `namedVm` (vmUuid) names, which it may leave out when the volume has one VM only.
Result<std::string> volumeVmToDetach(Database& db, const std::string& volumeUuid,
                                     const std::string& namedVm);

}  // namespace strato::vm
