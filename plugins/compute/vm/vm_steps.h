// Flow steps that several VM operations share. Each takes the VM as a shared_ptr to the record the
// operation loaded (often an aliasing pointer into the operation's context), so a step sees what
// "begin" found when it runs.
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "vm_allocator.h"
#include "vm_service.h"

namespace strato::vm {

using VmPtr = std::shared_ptr<VmRecord>;
using Columns = std::vector<std::pair<std::string, DbValue>>;

// "begin": loads the VM into `vm`, checks that `op` is allowed now and shows its transitional
// state. Its undo puts the state from before back.
void addBegin(const std::shared_ptr<VmService>& s, FlowChain& chain, VmOp op,
              const std::string& uuid, const VmPtr& vm);

// "finish": from `op`'s transitional state to its end state, with `columns` set along.
FlowAction finish(const std::shared_ptr<VmService>& s, const VmPtr& vm, VmOp op,
                  std::function<Columns()> columns = {});

// What any host must offer the VM: its CPU and memory, its NICs' L3 networks and its root
// volume's primary storage. Blocking.
Result<HostRequest> hostRequestFor(Database& db, const VmRecord& vm);

// A VmDriver call on the VM as placed on `host()` (default: the host it holds). A VM that holds
// no host runs nowhere: nothing to call.
FlowAction onHost(const std::shared_ptr<VmService>& s, const VmPtr& vm,
                  std::function<Status(VmDriver&, const VmSpec&)> call,
                  std::function<std::string()> host = {});

// Gives back the CPU and memory the VM holds on its host (none when it holds no host).
FlowAction releaseSource(const std::shared_ptr<VmService>& s, const VmPtr& vm);

// A volume of the VM (kCreateVmVolumeMessage `body`) on the first primary storage of `cluster`
// with `size` free (just `preferred` when given) that takes it; `done` gets its uuid.
void createVolume(const std::shared_ptr<VmService>& s, Json body, const std::string& cluster,
                  std::int64_t size, const std::string& preferred,
                  std::function<void(Result<std::string>)> done);

// Gives an address back to its L3 network (l3.ReleaseIp; idempotent).
Message releaseIpMessage(const std::string& usedIpUuid);

// Runs the chain and replies with resource `uuid()` as `inventory`'s Query API renders it, or
// with the error, logged with the step that failed.
void runAndRender(const std::shared_ptr<VmService>& s, const std::shared_ptr<FlowChain>& chain,
                  const std::string& vmUuid, std::string inventory,
                  std::function<std::string()> uuid, Replier reply);

// The VM no longer holds a host; it remembers the one it ran on.
Columns offHost(const VmRecord& vm);

}  // namespace strato::vm
