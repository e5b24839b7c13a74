#include "vm_steps.h"

#include "vm_allocator.h"
#include "vm_async.h"

namespace strato::vm {

void addBegin(const std::shared_ptr<VmService>& s, FlowChain& chain, VmOp op,
              const std::string& uuid, const VmPtr& vm) {
  chain.then(
      "begin", onBlocking(s->bus(), [s, uuid, vm, op]() -> Status {
        auto loaded = loadVmFor(s->db(), op, uuid);
        if (!loaded) return loaded.error();
        *vm = *loaded;
        const std::string& during = transitionOf(op).during;
        return during.empty() ? Status() : saveState(s->db(), s->bus(), *vm, during);
      }),
      undoOnBlocking(s->bus(), [s, vm, op] {
        if (transitionOf(op).during.empty()) return;  // nothing was shown
        VmRecord shown = *vm;
        shown.state = transitionOf(op).during;
        if (auto back = saveState(s->db(), s->bus(), shown, vm->state); !back)
          s->logger().warn("vm.state.restore.failed uuid=" + vm->uuid +
                           " error=" + back.error().describe());
      }));
}

FlowAction finish(const std::shared_ptr<VmService>& s, const VmPtr& vm, VmOp op,
                  std::function<Columns()> columns) {
  return onBlocking(s->bus(), [s, vm, op, columns]() -> Status {
    VmRecord shown = *vm;
    shown.state = transitionOf(op).during;
    return saveState(s->db(), s->bus(), shown, transitionOf(op).after,
                     columns ? columns() : Columns{});
  });
}

Result<HostRequest> hostRequestFor(Database& db, const VmRecord& vm) {
  HostRequest r;
  r.cpuNum = vm.cpuNum;
  r.memorySize = vm.memorySize;
  auto nics = loadNics(db, vm.uuid);
  if (!nics) return nics.error();
  for (const auto& nic : *nics) r.l3NetworkUuids.push_back(nic.l3NetworkUuid);
  auto ps = db.query("SELECT primaryStorageUuid FROM volume WHERE uuid = ?", {vm.rootVolumeUuid});
  if (!ps) return ps.error();
  if (!ps->rows.empty()) r.primaryStorageUuid = dbText(ps->rows[0][0]);
  auto pinned = localDisksHost(db, vm.uuid);
  if (!pinned) return pinned.error();
  r.pinnedHostUuid = *pinned;
  // A disk whose file is being copied elsewhere must not be written meanwhile.
  auto moving = db.query(
      "SELECT uuid FROM volume WHERE status = 'Migrating' AND (vmInstanceUuid = ? OR uuid IN "
      "(SELECT volumeUuid FROM shareable_volume_vm_instance_ref WHERE vmInstanceUuid = ?))",
      {vm.uuid, vm.uuid});
  if (!moving) return moving.error();
  if (!moving->rows.empty()) {
    return makeError(ErrorCode::kConflict,
                     "volume " + dbText(moving->rows[0][0]) + " of VM " + vm.uuid +
                         " is migrating to another primary storage; start the VM after it");
  }
  return r;
}

FlowAction onHost(const std::shared_ptr<VmService>& s, const VmPtr& vm,
                  std::function<Status(VmDriver&, const VmSpec&)> call,
                  std::function<std::string()> host) {
  return onBlocking(s->bus(), [s, vm, call, host]() -> Status {
    std::string on = host ? host() : vm->hostUuid;
    if (on.empty()) return {};
    auto driver = s->driverFor(vm->hypervisorType);
    if (!driver) return makeError(ErrorCode::kNotSupported, "no VM driver for " + vm->hypervisorType);
    auto spec = specOf(s->db(), *vm, on);
    if (!spec) return spec.error();
    return call(*driver, *spec);
  });
}

FlowAction releaseSource(const std::shared_ptr<VmService>& s, const VmPtr& vm) {
  return [s, vm](FlowDone done) {
    if (vm->hostUuid.empty()) return done(okStatus());
    releaseHost(s->bus(), vm->hostUuid, vm->cpuNum, vm->memorySize, done);
  };
}

void createVolume(const std::shared_ptr<VmService>& s, Json body, const std::string& cluster,
                  std::int64_t size, const std::string& preferred,
                  std::function<void(Result<std::string>)> done) {
  s->bus().postBlocking([s, body = std::move(body), cluster, size, preferred, done] {
    auto storages =
        candidateStorages(s->db(), cluster, body.value("hostUuid", ""), size, preferred);
    if (!storages) return done(storages.error());
    firstTaker<std::string>(
        std::move(*storages),
        [s, body](const std::string& storage, ReplyCallback answer) {
          Json attempt = body;
          attempt["primaryStorageUuid"] = storage;
          s->bus().request({std::string(kCreateVmVolumeMessage), "", attempt}, std::move(answer),
                           std::chrono::minutes(30));
        },
        {ErrorCode::kConflict, ErrorCode::kNotSupported},
        [](const std::vector<Error>& refusals) { return refusals.back(); },
        [done](Result<std::pair<std::string, Json>> created) {
          if (!created) return done(created.error());
          done(created->second["inventory"].value("uuid", ""));
        });
  });
}

Message releaseIpMessage(const std::string& usedIpUuid) {
  return {"l3.ReleaseIp", "", {{"usedIpUuid", usedIpUuid}}};
}

Columns offHost(const VmRecord& vm) {
  return {{"hostUuid", DbValue{}},
          {"lastHostUuid", vm.hostUuid.empty() ? DbValue(vm.lastHostUuid) : DbValue(vm.hostUuid)}};
}

void runAndRender(const std::shared_ptr<VmService>& s, const std::shared_ptr<FlowChain>& chain,
                  const std::string& vmUuid, std::string inventory,
                  std::function<std::string()> uuid, Replier replier) {
  chain->start([s, chain, vmUuid, inventory = std::move(inventory), uuid = std::move(uuid),
                reply = share(std::move(replier))](FlowOutcome outcome) {
    if (!outcome.result) {
      s->logger().warn("vm." + chain->name() + ".failed uuid=" + vmUuid + " step=" +
                       outcome.failedStep + " error=" + outcome.result.error().describe());
      return (*reply)(outcome.result.error());
    }
    replyInventory(s->bus(), inventory, uuid(), reply);
  });
}

}  // namespace strato::vm
