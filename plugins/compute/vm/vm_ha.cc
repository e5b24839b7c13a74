// VMs of hosts that stop answering (ZStack's HA). When a host goes Disconnected, each of its
// running or paused VMs becomes Unknown, in the VM's own queue: the records cannot tell whether
// the guest still runs. A VM with an HA level (NeverStop or OnHostFailure) is started elsewhere,
// but only once the fencer of the host's hypervisor type (strato/host_fencer.h) says the host is
// down: a guest running twice would have two machines writing its disks. The VM keeps its share
// of the lost host until then; the verdict is asked again every plugin.vm.haRecheckSeconds while
// the host stays lost. When the host is back, its Unknown VMs are checked against what it runs
// (vm_tracking.cc).
#include <map>

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

std::string haLevelOf(Database& db, const std::string& vmUuid) {
  auto level = systemTagValue(db, vmUuid, kHaLevelTag);
  return level && *level ? **level : std::string();
}

bool haRestarts(Database& db, const std::string& vmUuid) {
  auto level = haLevelOf(db, vmUuid);
  return level == kNeverStop || level == kOnHostFailure;
}

void VmService::hostStatusChanged(const std::string& host, const std::string& status) {
  bool lost = status == "Disconnected";
  auto vms = vmsOn(db_, host, lost ? "'Running', 'Paused'" : "'Unknown'");
  if (!vms) {
    logger_.warn("vm.ha.failed host=" + host + " error=" + vms.error().describe());
    return;
  }
  std::vector<std::string> ha;
  for (const auto& uuid : *vms) {
    queueOnVm(lost ? "vm.HostLost" : "vm.CheckGuest", uuid, host);
    if (lost && haRestarts(db_, uuid)) ha.push_back(uuid);
  }
  fence(host, ha);
}

void VmService::recheckLostHosts() {
  auto rows = db_.query(
      "SELECT v.uuid, v.hostUuid FROM vm_instance v JOIN host h ON h.uuid = v.hostUuid WHERE "
      "v.state = 'Unknown' AND h.status = 'Disconnected' ORDER BY v.hostUuid",
      {});
  if (!rows) return;
  std::map<std::string, std::vector<std::string>> waiting;  // host -> its HA VMs
  for (const auto& r : rows->rows) {
    if (haRestarts(db_, dbText(r[0]))) waiting[dbText(r[1])].push_back(dbText(r[0]));
  }
  for (const auto& [host, vms] : waiting) fence(host, vms);
}

void VmService::fence(const std::string& host, const std::vector<std::string>& haVms) {
  if (haVms.empty()) return;
  auto waiting = [this, host](const std::string& why) {
    logger_.warn("vm.ha.waiting host=" + host + " why=" + why);
  };
  // One verdict for all its VMs: a fencer may take seconds to be sure.
  auto type = textColumn(db_, "SELECT hypervisorType FROM host WHERE uuid = ?", {host});
  if (!type || type->empty()) return waiting("the host is gone");
  auto fencer = extensions_.find<HostFencer>(type->front());
  if (!fencer) return waiting("no fencer for " + type->front() + " hosts");
  auto down = fencer->isDown(host);
  if (!down) return waiting(down.error().describe());
  if (!*down) return waiting("the host is not known down");
  for (const auto& uuid : haVms) queueOnVm("vm.HostDown", uuid, host);
}

void VmService::queueOnVm(const std::string& type, const std::string& uuid,
                          const std::string& host) {
  bus_.request({type, uuid, {{"uuid", uuid}, {"hostUuid", host}}}, [this, uuid, type](Reply r) {
    if (!r) logger_.warn(type + ".failed uuid=" + uuid + " error=" + r.error().describe());
  });
}

namespace {

// `work(service, vm, host, reply)` on the blocking pool, for the VM and host `params` name.
template <class Work>
void onVmOfHost(std::shared_ptr<VmService> s, const Json& params, Replier reply, Work work) {
  auto shared = share(std::move(reply));
  s->bus().postBlocking([s, params, shared, work] {
    auto vm = loadVm(s->db(), textParam(params, "uuid"));
    if (!vm) return (*shared)(vm.error());
    work(s, *vm, textParam(params, "hostUuid"), shared);
  });
}

}  // namespace

void VmService::hostLost(const Json& params, Replier reply) {
  onVmOfHost(shared_from_this(), params, std::move(reply),
             [](auto s, const VmRecord& vm, const std::string& host, SharedReplier reply) {
               bool held = (vm.state == "Running" || vm.state == "Paused") && vm.hostUuid == host;
               if (!held) return (*reply)(Json::object());  // moved on since, by a call of its own
               s->logger().info("vm.hostLost uuid=" + vm.uuid + " host=" + host);
               if (auto saved = saveState(s->db(), s->bus(), vm, "Unknown"); !saved)
                 return (*reply)(saved.error());
               (*reply)(Json::object());
             });
}

void VmService::hostDown(const Json& params, Replier reply) {
  onVmOfHost(shared_from_this(), params, std::move(reply),
             [](auto s, const VmRecord& vm, const std::string& host, SharedReplier reply) {
               if (vm.state != "Unknown" || vm.hostUuid != host) return (*reply)(Json::object());
               if (auto saved = saveState(s->db(), s->bus(), vm, "Stopped", offHost(vm)); !saved)
                 return (*reply)(saved.error());
               releaseHost(s->bus(), host, vm.cpuNum, vm.memorySize,
                           [s, uuid = vm.uuid, reply](Status) {
                             (*reply)(Json::object());
                             s->restartHa(uuid);  // queued behind this on the VM
                           });
             });
}

}  // namespace strato::vm
