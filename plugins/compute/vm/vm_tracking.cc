// What hosts say their guests are, against the records (ZStack's VM tracer). A host's report
// (kVmStatesReportedMessage) only picks the VMs to look at again; each is then checked in its own
// queue, with the hypervisor asked afresh, so a report that crossed a StopVmInstance in flight
// cannot bring the VM back to life. Only settled states are corrected: a VM Starting, Stopping or
// Migrating belongs to the call that moves it.
#include <strato/rendering.h>

#include "vm_service.h"
#include "vm_settings.h"
#include "vm_steps.h"

namespace strato::vm {
namespace {

// Unknown: its host was lost (vm_ha.cc), and what it runs is asked again once it is back.
bool settled(const std::string& state) {
  return state == "Running" || state == "Paused" || state == "Stopped" || state == "Unknown";
}

bool runs(const std::string& state) { return state == "Running" || state == "Paused"; }

}  // namespace

// What a check decided, for the capacity bookkeeping that follows it on the bus.
struct VmService::Correction {
  enum { kNone, kRelease, kReserve } capacity = kNone;
  VmRecord vm;
  bool restart = false;  // stopped with an HA level that starts it again
};

void VmService::restartHa(const std::string& uuid) {
  logger_.info("vm.ha.restart uuid=" + uuid);
  Json body{{"api", "StartVmInstance"}, {"params", {{"uuid", uuid}}}};
  bus_.request({"vm.StartVmInstance", uuid, body}, [this, uuid](Reply r) {
    if (!r) logger_.warn("vm.ha.restart.failed uuid=" + uuid + " error=" + r.error().describe());
  });
}

Reply VmService::statesReported(const Json& body) {
  std::string host = textParam(body, "hostUuid");
  const Json& states = body.value("states", Json::object());
  auto reported = [&](const std::string& uuid) {
    return states.is_object() ? states.value(uuid, std::string("Stopped")) : std::string("Stopped");
  };
  std::vector<std::string> suspects;
  auto held = db_.query(
      "SELECT uuid, state FROM vm_instance WHERE hostUuid = ? AND state IN ('Running', 'Paused', "
      "'Unknown')",
      {host});
  if (!held) return held.error();
  for (const auto& r : held->rows) {
    if (reported(dbText(r[0])) != dbText(r[1])) suspects.push_back(dbText(r[0]));
  }
  // Guests running here that the records have stopped: started outside Strato.
  std::vector<std::string> running;
  for (const auto& [uuid, state] : states.items()) {
    if (state.is_string() && runs(state.get<std::string>())) running.push_back(uuid);
  }
  auto stopped = forEachSlice(running, [&](const std::vector<DbValue>& slice) -> Status {
    auto rows = db_.query("SELECT uuid FROM vm_instance WHERE state = 'Stopped' AND uuid IN (" +
                              sqlPlaceholders(slice.size()) + ")",
                          slice);
    if (!rows) return rows.error();
    for (const auto& r : rows->rows) suspects.push_back(dbText(r[0]));
    return {};
  });
  if (!stopped) return stopped.error();
  for (const auto& uuid : suspects) {
    bus_.request({"vm.CheckGuest", uuid, {{"uuid", uuid}, {"hostUuid", host}}},
                 [this, uuid](Reply r) {
                   if (!r) logger_.warn("vm.check.failed uuid=" + uuid + " error=" + r.error().describe());
                 });
  }
  return Json{{"checked", suspects.size()}};
}

void VmService::checkGuest(const Json& params, Replier reply) {
  auto s = shared_from_this();
  auto shared = share(std::move(reply));
  bus_.postBlocking([s, params, shared] {
    std::string host = textParam(params, "hostUuid");
    auto fixed = s->correctGuest(textParam(params, "uuid"), host);
    if (!fixed) return (*shared)(fixed.error());
    const VmRecord& vm = fixed->vm;
    auto answered = [shared](Status) { (*shared)(Json::object()); };
    if (fixed->capacity == Correction::kRelease) {
      bool restart = fixed->restart;
      return releaseHost(s->bus(), host, vm.cpuNum, vm.memorySize, [s, vm, restart, answered](Status st) {
        answered(st);
        // Queued behind this check on the VM, like a StartVmInstance call: any host will do.
        if (restart) s->restartHa(vm.uuid);
      });
    }
    if (fixed->capacity == Correction::kReserve) {
      Json body{{"hostUuid", host}, {"cpuNum", vm.cpuNum}, {"memorySize", vm.memorySize}};
      return (void)s->bus().request(
          {std::string(kReserveHostCapacityMessage), "", body}, [s, vm, host, shared](Reply r) {
            // The guest runs there whatever the books say: record it, and say so.
            if (!r) {
              s->logger().warn("vm.tracked.overcommitted uuid=" + vm.uuid + " host=" + host +
                               " error=" + r.error().describe());
            }
            (*shared)(Json::object());
          });
    }
    (*shared)(Json::object());
  });
}

Result<VmService::Correction> VmService::correctGuest(const std::string& uuid,
                                                      const std::string& host) {
  auto vm = loadVm(db_, uuid);
  if (!vm) return vm.error();
  Correction c{Correction::kNone, *vm};
  bool onHost = (runs(vm->state) || vm->state == "Unknown") && vm->hostUuid == host;
  if (!settled(vm->state) || !(onHost || (vm->state == "Stopped" && vm->hostUuid.empty()))) {
    return c;  // changed since the report, by a call of its own
  }
  auto type = textColumn(db_, "SELECT hypervisorType FROM host WHERE uuid = ?", {host});
  if (!type) return type.error();
  if (type->empty()) return c;  // the host went meanwhile
  auto driver = driverFor(type->front());
  if (!driver) return c;
  auto spec = specOf(db_, *vm, host);
  if (!spec) return spec.error();
  auto actual = driver->powerState(*spec);
  if (!actual) return actual.error();
  std::string now = *actual == "Crashed" ? "Stopped" : *actual;
  if (now == vm->state) return c;
  logger_.info("vm.tracked uuid=" + uuid + " host=" + host + " recorded=" + vm->state +
               " found=" + *actual);
  Status saved;
  if (!runs(now)) {
    // Shut down or crashed by itself (libvirt drops a crashed guest): off the host.
    saved = saveState(db_, bus_, *vm, "Stopped", offHost(*vm));
    c.capacity = Correction::kRelease;
    // NeverStop: stopped by itself. Either level: an Unknown one went down with its host, which
    // came back without it.
    auto level = haLevelOf(db_, uuid);
    c.restart = level == kNeverStop || (vm->state == "Unknown" && level == kOnHostFailure);
  } else if (vm->state == "Stopped") {
    auto where = db_.query("SELECT clusterUuid, zoneUuid FROM host WHERE uuid = ?", {host});
    if (!where) return where.error();
    if (where->rows.empty()) return c;
    saved = saveState(db_, bus_, *vm, now,
                      {{"hostUuid", host},
                       {"lastHostUuid", host},
                       {"clusterUuid", dbText(where->rows[0][0])},
                       {"zoneUuid", dbText(where->rows[0][1])},
                       {"hypervisorType", type->front()}});
    c.capacity = Correction::kReserve;
  } else {
    saved = saveState(db_, bus_, *vm, now);  // paused or resumed there
  }
  if (!saved) return saved.error();
  return c;
}

}  // namespace strato::vm
