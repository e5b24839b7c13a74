// VMs of hosts that stop answering (ZStack's HA). When a host goes Disconnected, each of its
// running or paused VMs becomes Unknown, in the VM's own queue: the records cannot tell whether
// the guest still runs. A VM with an HA level (NeverStop or OnHostFailure) is started elsewhere,
// but only once the fencer of the host's hypervisor type (strato/host_fencer.h) says the host is
// down: a guest running twice would have two machines writing its disks. The VM keeps its share
// of the lost host until then. When the host is back, its Unknown VMs are checked against what
// it runs (vm_tracking.cc).
#include <strato/host_fencer.h>
#include <strato/rendering.h>

#include "vm_allocator.h"
#include "vm_service.h"
#include "vm_settings.h"
#include "vm_steps.h"

namespace strato::vm {
namespace {

Result<std::vector<std::string>> vmsOn(Database& db, const std::string& host,
                                       const std::string& states) {
  return textColumn(db, "SELECT uuid FROM vm_instance WHERE hostUuid = ? AND state IN (" + states +
                            ")",
                    {host});
}

}  // namespace

bool haRestarts(Database& db, const std::string& vmUuid) {
  auto level = systemTagValue(db, vmUuid, kHaLevelTag);
  return level && *level && (**level == kNeverStop || **level == kOnHostFailure);
}

void VmService::hostStatusChanged(const std::string& host, const std::string& status) {
  bool lost = status == "Disconnected";
  auto vms = vmsOn(db_, host, lost ? "'Running', 'Paused'" : "'Unknown'");
  if (!vms) {
    logger_.warn("vm.hostStatus.failed host=" + host + " error=" + vms.error().describe());
    return;
  }
  for (const auto& uuid : *vms) {
    std::string type = lost ? "vm.HostLost" : "vm.CheckGuest";
    bus_.request({type, uuid, {{"uuid", uuid}, {"hostUuid", host}}}, [this, uuid, type](Reply r) {
      if (!r) logger_.warn(type + ".failed uuid=" + uuid + " error=" + r.error().describe());
    });
  }
}

void VmService::hostLost(const Json& params, Replier reply) {
  auto s = shared_from_this();
  auto shared = share(std::move(reply));
  bus_.postBlocking([s, params, shared] {
    auto vm = loadVm(s->db(), textParam(params, "uuid"));
    if (!vm) return (*shared)(vm.error());
    std::string host = textParam(params, "hostUuid");
    bool held = (vm->state == "Running" || vm->state == "Paused") && vm->hostUuid == host;
    if (!held) return (*shared)(Json::object());  // moved on since, by a call of its own
    if (auto saved = saveState(s->db(), s->bus(), *vm, "Unknown"); !saved)
      return (*shared)(saved.error());
    s->logger().info("vm.hostLost uuid=" + vm->uuid + " host=" + host);
    if (!haRestarts(s->db(), vm->uuid)) return (*shared)(Json::object());
    auto fencer = s->extensions().find<HostFencer>(vm->hypervisorType);
    auto down = fencer ? fencer->isDown(host) : Result<bool>(false);
    if (!down || !*down) {
      s->logger().warn("vm.ha.waiting uuid=" + vm->uuid + " host=" + host +
                       " why=" + (!down ? down.error().describe() : "the host is not known down"));
      return (*shared)(Json::object());
    }
    if (auto saved = saveState(s->db(), s->bus(), *vm, "Stopped", offHost(*vm)); !saved)
      return (*shared)(saved.error());
    releaseHost(s->bus(), host, vm->cpuNum, vm->memorySize, [s, uuid = vm->uuid, shared](Status) {
      (*shared)(Json::object());
      s->restartHa(uuid);  // queued behind this on the VM
    });
  });
}

}  // namespace strato::vm
