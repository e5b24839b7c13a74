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

FlowAction releaseSource(const std::shared_ptr<VmService>& s, const VmPtr& vm) {
  return [s, vm](FlowDone done) {
    if (vm->hostUuid.empty()) return done(okStatus());
    releaseHost(s->bus(), vm->hostUuid, vm->cpuNum, vm->memorySize, done);
  };
}

Message releaseIpMessage(const std::string& usedIpUuid) {
  return {"l3.ReleaseIp", "", {{"usedIpUuid", usedIpUuid}}};
}

Columns offHost(const VmRecord& vm) {
  return {{"hostUuid", DbValue{}},
          {"lastHostUuid", vm.hostUuid.empty() ? DbValue(vm.lastHostUuid) : DbValue(vm.hostUuid)}};
}

}  // namespace strato::vm
