// DestroyVmInstance, RecoverVmInstance, ExpungeVmInstance (3.1.2-3.1.4) and vm.deletionPolicy.
// Destroying takes the guest off its host and gives the host's capacity back; the VM keeps its
// NICs (with their IPs) and volumes, so RecoverVmInstance brings it back Stopped. Expunging
// releases the IPs, deletes the NICs and the root volume, detaches the data volumes (they stay,
// as in ZStack), deletes the row and forgets the owners and tags.
#include <future>

#include "vm_allocator.h"
#include "vm_affinity.h"
#include "vm_async.h"
#include "vm_service.h"
#include "vm_steps.h"

namespace strato::vm {
namespace {

struct Gone {
  VmRecord vm;
  std::vector<NicRecord> nics;
};

// Takes the guest off its host (a host or driver that is gone is no error: the guest went with
// it) and gives the capacity back.
void addTakeOffHost(const std::shared_ptr<VmService>& s, FlowChain& chain,
                    const std::shared_ptr<Gone>& g) {
  chain.then("destroy-on-host", onBlocking(s->bus(), [s, g]() -> Status {
    if (g->vm.hostUuid.empty()) return {};
    auto driver = s->driverFor(g->vm.hypervisorType);
    if (!driver) return {};
    auto spec = specOf(s->db(), g->vm, g->vm.hostUuid);
    if (!spec) return spec.error();
    return driver->destroy(*spec);
  }));
  chain.then("release-host", releaseSource(s, VmPtr(g, &g->vm)));
}

}  // namespace

void VmService::expungeChain(const std::string& uuid, std::function<void(Status)> done) {
  auto s = shared_from_this();
  auto g = std::make_shared<Gone>();
  auto chain = FlowChain::create("expunge");
  chain->then(
      "begin", onBlocking(bus_, [s, g, uuid]() -> Status {
        auto vm = loadVm(s->db(), uuid);
        if (!vm) return vm.error();
        g->vm = *vm;
        auto nics = loadNics(s->db(), uuid);
        if (!nics) return nics.error();
        g->nics = *nics;
        return saveState(s->db(), s->bus(), *vm, "Expunging");
      }),
      // A failure part way leaves the VM Destroyed, to be expunged again.
      undoOnBlocking(bus_, [s, g] {
        VmRecord shown = g->vm;
        shown.state = "Expunging";
        (void)saveState(s->db(), s->bus(), shown, "Destroyed", {{"hostUuid", DbValue{}}});
      }));
  addTakeOffHost(s, *chain, g);
  chain->then("release-ips", [s, g](FlowDone done) {
    std::vector<Message> releases;
    for (const auto& nic : g->nics) {
      if (!nic.usedIpUuid.empty()) releases.push_back(releaseIpMessage(nic.usedIpUuid));
    }
    requestInTurn(s->bus(), std::move(releases), [](const Error&) { return false; }, done);
  });
  chain->then("delete-nics", onBlocking(bus_, [s, uuid] {
                return statusOf(s->db().execute("DELETE FROM vm_nic WHERE vmInstanceUuid = ?", {uuid}));
              }));
  chain->then("root-volume", asking(bus_, [g] {
                return Message{std::string(kExpungeVmVolumeMessage), "",
                               {{"uuid", g->vm.rootVolumeUuid}}};
              }));
  chain->then("detach-data-volumes", asking(bus_, [uuid] {
                return Message{std::string(kDetachVmVolumesMessage), "", {{"vmInstanceUuid", uuid}}};
              }));
  chain->then("delete-row", onBlocking(bus_, [s, uuid] {
                if (auto left = leaveAffinityGroups(s->db(), uuid); !left) return left;
                return statusOf(s->db().execute("DELETE FROM vm_instance WHERE uuid = ?", {uuid}));
              }));
  chain->then("forget", asking(bus_, [g, uuid] {
                Json uuids = Json::array({uuid});
                for (const auto& nic : g->nics) uuids.push_back(nic.uuid);
                return Message{std::string(kForgetResourcesMessage), "", {{"uuids", uuids}}};
              }));
  chain->start([s, uuid, done](FlowOutcome outcome) {
    if (outcome.result) s->logger().info("vm.expunged uuid=" + uuid);
    done(outcome.result);
  });
}

// vm.deletionPolicy: Direct expunges at once; Delay marks Destroyed and expungeDue() expunges it
// after vm.expungePeriod; Never only marks.
void VmService::destroy(const Json& params, Replier replier) {
  auto s = shared_from_this();
  auto reply = share(std::move(replier));
  auto g = std::make_shared<Gone>();
  std::string uuid = textParam(params, "uuid");
  auto chain = FlowChain::create("destroy");
  VmPtr vm(g, &g->vm);
  addBegin(s, *chain, VmOp::kDestroy, uuid, vm);
  addTakeOffHost(s, *chain, g);
  chain->then("finish", finish(s, vm, VmOp::kDestroy, [g] { return offHost(g->vm); }));
  chain->start([s, g, uuid, reply](FlowOutcome outcome) {
    if (!outcome.result) {
      // Destroying what does not exist succeeds: the caller wanted it gone, and it is.
      if (outcome.result.error().code == ErrorCode::kNotFound) return (*reply)(Json::object());
      return (*reply)(outcome.result.error());
    }
    if (s->config().get("vm", "deletionPolicy").value_or("Direct") != "Direct")
      return (*reply)(Json::object());
    s->expungeChain(uuid, [reply](Status expunged) {
      (*reply)(expunged ? Reply(Json::object()) : Reply(expunged.error()));
    });
  });
}

void VmService::recover(const Json& params, Replier replier) {
  auto s = shared_from_this();
  auto reply = share(std::move(replier));
  std::string uuid = textParam(params, "uuid");
  bus_.postBlocking([s, uuid, reply] {
    auto vm = loadVmFor(s->db(), VmOp::kRecover, uuid);
    if (!vm) return (*reply)(vm.error());
    if (auto saved = saveState(s->db(), s->bus(), *vm, "Stopped"); !saved)
      return (*reply)(saved.error());
    replyInventory(s->bus(), "VmInstance", uuid, reply);
  });
}

void VmService::expunge(const Json& params, Replier replier) {
  auto s = shared_from_this();
  auto reply = share(std::move(replier));
  std::string uuid = textParam(params, "uuid");
  bus_.postBlocking([s, uuid, reply] {
    auto vm = loadVmFor(s->db(), VmOp::kExpunge, uuid);
    if (!vm) return (*reply)(vm.error());
    s->expungeChain(uuid, [reply](Status expunged) {
      (*reply)(expunged ? Reply(Json::object()) : Reply(expunged.error()));
    });
  });
}

// Cascades run on the blocking pool and must finish before they return, so they wait here; one
// cascade at a time is far from starving the pool.
Status VmService::expungeNow(const std::vector<std::string>& uuids) {
  for (const auto& uuid : uuids) {
    auto done = std::make_shared<std::promise<Status>>();
    auto result = done->get_future();
    expungeChain(uuid, [done](Status s) { done->set_value(std::move(s)); });
    Status s = result.get();
    if (!s && s.error().code != ErrorCode::kNotFound) return s;
  }
  return {};
}

// The hosts are going: their guests went with them, and so did the capacity they held.
Status VmService::stopOnHosts(const std::vector<std::string>& vmUuids) {
  for (const auto& uuid : vmUuids) {
    auto vm = loadVm(db_, uuid);
    if (!vm) continue;
    if (auto driver = driverFor(vm->hypervisorType)) {
      if (auto spec = specOf(db_, *vm, vm->hostUuid)) (void)driver->destroy(*spec);
    }
    auto saved = saveState(db_, bus_, *vm, "Stopped",
                           {{"hostUuid", DbValue{}}, {"lastHostUuid", DbValue{}}});
    if (!saved) return saved;
  }
  return {};
}

void VmService::expungeDue() {
  if (config_.get("vm", "deletionPolicy").value_or("Direct") != "Delay") return;
  auto period = config_.getInt("vm", "expungePeriod", 86400);
  auto due = db_.query("SELECT uuid FROM vm_instance WHERE state = 'Destroyed' AND lastOpDate < ?",
                       {nowMillis() - period * 1000});
  if (!due) return logger_.warn("vm.expunge.sweep.failed error=" + due.error().describe());
  for (const auto& r : due->rows) {
    // In the VM's queue, like an ExpungeVmInstance call.
    std::string uuid = dbText(r[0]);
    auto done = call(bus_, {"vm.ExpungeDue", uuid, {{"uuid", uuid}}}, std::chrono::minutes(10));
    if (!done) logger_.warn("vm.expunge.failed uuid=" + uuid + " error=" + done.error().describe());
  }
}

}  // namespace strato::vm
