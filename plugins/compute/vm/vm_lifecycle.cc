// Start, Stop, Reboot, Pause, Resume (3.1.6-3.1.10), MigrateVm (3.1.12) and UpdateVmInstance
// (3.1.50). Each is a chain: "begin" checks the state table and shows the transitional state
// (its undo puts the old state back), the steps do the work, "finish" stores the final state.
#include "vm_affinity.h"
#include "vm_allocator.h"
#include "vm_async.h"
#include "vm_service.h"
#include "vm_steps.h"

namespace strato::vm {
namespace {

struct OpContext {
  std::string uuid;
  VmRecord vm;        // as loaded, before "begin" changed the state
  HostChoice target;  // Start and Migrate: the host reserved
  bool reserved = false;
};
using Context = std::shared_ptr<OpContext>;

// The operation's VM record, kept alive by its context.
VmPtr vmOf(const Context& c) { return VmPtr(c, &c->vm); }

// Reserves a host for the VM: the one named, or the allocator's pick among those that reach its
// networks and its root volume's storage; never the host it runs on when `elsewhere` (migration).
void addReserveHost(const std::shared_ptr<VmService>& s, FlowChain& chain, const Context& c,
                    const Json& params, bool elsewhere) {
  chain.then(
      "allocate-host",
      [s, c, params, elsewhere](FlowDone done) {
        s->bus().postBlocking([s, c, params, elsewhere, done] {
          auto r = hostRequestFor(s->db(), c->vm);
          if (!r) return done(r.error());
          if (elsewhere && !r->pinnedHostUuid.empty()) {
            return done(conflict("VM " + c->vm.uuid + " has volumes on the local disk of host " +
                                     r->pinnedHostUuid + "; it cannot migrate while it runs",
                                 "stop it and move its volumes with LocalStorageMigrateVolume"));
          }
          r->clusterUuid = textParam(params, "clusterUuid");
          r->hostUuid = textParam(params, "hostUuid");
          if (elsewhere) r->excludedHosts.push_back(c->vm.hostUuid);
          r->strategy = c->vm.allocatorStrategy;
          r->lastHostUuid = c->vm.lastHostUuid;
          // A VM that ran somewhere keeps its hypervisor type (its disks and definition are made
          // for it); one never placed may go to any type with a driver.
          r->hypervisorTypes = c->vm.hypervisorType.empty()
                                   ? vmHypervisorTypes(s->extensions())
                                   : std::vector<std::string>{c->vm.hypervisorType};
          placeVm(s, c->vm.uuid, std::move(*r), true,
                  [c, done](Result<HostChoice> host) {
                        if (!host) return done(host.error());
                        c->target = *host;
                        c->reserved = true;
                        done(okStatus());
                      });
        });
      },
      [s, c](FlowDone done) {
        if (!c->reserved) return done(okStatus());
        releaseHost(s->bus(), c->target.uuid, c->vm.cpuNum, c->vm.memorySize, done);
      });
}

// Where the VM now runs on `host`.
Columns placedOn(const HostChoice& host) {
  return {{"hostUuid", host.uuid},
          {"lastHostUuid", host.uuid},
          {"clusterUuid", host.clusterUuid},
          {"zoneUuid", host.zoneUuid}};
}

}  // namespace

void VmService::operate(VmOp op, const Json& params, Replier reply) {
  auto s = shared_from_this();
  auto c = std::make_shared<OpContext>();
  c->uuid = textParam(params, "uuid");
  auto chain = FlowChain::create(transitionOf(op).name);
  addBegin(s, *chain, op, c->uuid, vmOf(c));
  switch (op) {
    case VmOp::kStart:
      addReserveHost(s, *chain, c, params, false);
      chain->then("start-on-host",
                  onHost(s, vmOf(c), [](VmDriver& d, const VmSpec& vm) { return d.start(vm); },
                         [c] { return c->target.uuid; }));
      chain->then("finish", finish(s, vmOf(c), op, [c] { return placedOn(c->target); }));
      break;
    case VmOp::kStop: {
      bool graceful = textParam(params, "type", "grace") != "cold";
      chain->then("stop-on-host", onHost(s, vmOf(c), [graceful](VmDriver& d, const VmSpec& vm) {
        return d.stop(vm, graceful);
      }));
      chain->then("release-host", releaseSource(s, vmOf(c)));
      chain->then("finish", finish(s, vmOf(c), op, [c] { return offHost(c->vm); }));
      break;
    }
    case VmOp::kReboot:
      chain->then("reboot-on-host",
                  onHost(s, vmOf(c), [](VmDriver& d, const VmSpec& vm) { return d.reboot(vm); }));
      chain->then("finish", finish(s, vmOf(c), op));
      break;
    case VmOp::kPause:
      chain->then("pause-on-host",
                  onHost(s, vmOf(c), [](VmDriver& d, const VmSpec& vm) { return d.pause(vm); }));
      chain->then("finish", finish(s, vmOf(c), op));
      break;
    case VmOp::kResume:
      chain->then("resume-on-host",
                  onHost(s, vmOf(c), [](VmDriver& d, const VmSpec& vm) { return d.resume(vm); }));
      chain->then("finish", finish(s, vmOf(c), op));
      break;
    default:
      return reply(makeError(ErrorCode::kInternal, "not a power operation"));
  }
  runAndRender(s, chain, c->uuid, "VmInstance", [c] { return c->uuid; }, std::move(reply));
}

// The target reserves the VM's CPU and memory before the guest moves; the source gives them back
// once it has. A failed migration leaves the VM Running where it was.
void VmService::migrate(const Json& params, Replier reply) {
  auto s = shared_from_this();
  auto c = std::make_shared<OpContext>();
  c->uuid = textParam(params, "vmInstanceUuid");
  auto chain = FlowChain::create("migrate");
  addBegin(s, *chain, VmOp::kMigrate, c->uuid, vmOf(c));
  addReserveHost(s, *chain, c, params, true);
  chain->then("migrate-on-host", onHost(s, vmOf(c), [c](VmDriver& d, const VmSpec& vm) {
    return d.migrate(vm, c->target.uuid, c->target.managementIp);
  }));
  chain->then("release-source", releaseSource(s, vmOf(c)));
  chain->then("finish", finish(s, vmOf(c), VmOp::kMigrate, [c] {
    auto columns = placedOn(c->target);
    for (auto& [column, value] : columns)
      if (column == "lastHostUuid") value = c->vm.hostUuid;  // where it came from
    return columns;
  }));
  runAndRender(s, chain, c->uuid, "VmInstance", [c] { return c->uuid; }, std::move(reply));
}

// Name, description, default L3 network and platform any time; CPU and memory only while the VM
// does not run (they are what its host reserved).
Reply VmService::update(const Json& p) {
  auto vm = loadVm(db_, textParam(p, "uuid"));
  if (!vm) return vm.error();
  std::vector<std::pair<std::string, DbValue>> columns;
  if (p.contains("name")) {
    if (textParam(p, "name").empty()) return invalidArgument("name must not be empty");
    columns.emplace_back("name", textParam(p, "name"));
  }
  if (p.contains("description")) columns.emplace_back("description", textParam(p, "description"));
  if (p.contains("platform")) columns.emplace_back("platform", textParam(p, "platform"));
  if (p.contains("defaultL3NetworkUuid")) {
    std::string l3 = textParam(p, "defaultL3NetworkUuid");
    auto nic = db_.query("SELECT 1 FROM vm_nic WHERE vmInstanceUuid = ? AND l3NetworkUuid = ?",
                         {vm->uuid, l3});
    if (!nic) return nic.error();
    if (nic->rows.empty())
      return invalidArgument("defaultL3NetworkUuid must be an L3 network the VM has a NIC on", l3);
    columns.emplace_back("defaultL3NetworkUuid", l3);
  }
  for (const char* key : {"cpuNum", "memorySize"}) {
    if (!p.contains(key)) continue;
    if (auto ok = checkAllowed(VmOp::kChangeSpec, vm->state, vm->uuid); !ok) return ok.error();
    // ZStack's clients send numbers as floats ("cpuNum": 2.0).
    auto value = p[key].is_number() ? static_cast<std::int64_t>(p[key].get<double>()) : 0;
    if (value <= 0) return invalidArgument(std::string(key) + " must be a positive integer");
    columns.emplace_back(key, value);
  }
  if (p.contains("state")) {
    return makeError(ErrorCode::kNotSupported,
                     "UpdateVmInstance does not set a VM's state; use StartVmInstance or "
                     "StopVmInstance",
                     "state " + textParam(p, "state"));
  }
  if (auto saved = saveState(db_, bus_, *vm, vm->state, columns); !saved) return saved.error();
  return Json{{"uuid", vm->uuid}};
}

Reply VmService::migrationCandidates(const Json& p) {
  auto vm = loadVmFor(db_, VmOp::kMigrate, textParam(p, "vmInstanceUuid"));
  if (!vm) return vm.error();
  auto r = hostRequestFor(db_, *vm);
  if (!r) return r.error();
  r->excludedHosts.push_back(vm->hostUuid);
  r->hypervisorTypes = {vm->hypervisorType};
  auto hosts = candidateHosts(db_, *r);
  Json uuids = Json::array();
  if (hosts) {
    for (const auto& h : *hosts) uuids.push_back(h.uuid);
  } else if (hosts.error().code != ErrorCode::kConflict) {
    return hosts.error();
  }
  return Json{{"uuids", uuids}};
}

Reply VmService::capabilities(const Json& p) {
  auto vm = loadVm(db_, textParam(p, "uuid"));
  if (!vm) return vm.error();
  bool driven = !vm->hypervisorType.empty() && driverFor(vm->hypervisorType) != nullptr;
  return Json{{"capabilities",
               {{"LiveMigration", driven}, {"VolumeMigration", false}, {"Reimage", false}}}};
}

}  // namespace strato::vm
