// Rows of vm_instance and vm_nic, and the VmSpec a hypervisor gets. Every function blocks on the
// database: call it from the blocking pool.
#pragma once

#include <charconv>
#include <string>
#include <vector>

#include <strato/handler_util.h>
#include <strato/sdk.h>

#include "vm_states.h"

namespace strato::vm {

struct VmRecord {
  std::string uuid;
  std::string name;
  std::string zoneUuid;
  std::string clusterUuid;
  std::string hostUuid;  // set while the VM holds the host's capacity
  std::string lastHostUuid;
  std::string imageUuid;
  std::string rootVolumeUuid;
  std::string hypervisorType;
  std::string platform;
  std::string allocatorStrategy;
  std::string state;
  std::int64_t cpuNum = 0;
  std::int64_t memorySize = 0;
};

// kNotFound when there is no such VM.
Result<VmRecord> loadVm(Database& db, const std::string& uuid);
// The VM, when `op` may start from its state now (else checkAllowed's kConflict).
Result<VmRecord> loadVmFor(Database& db, VmOp op, const std::string& uuid);

// Sets the state (and the given columns with it) and says which state it replaced; publishes
// kVmStateChangedEvent when it changed.
Status saveState(Database& db, MessageBus& bus, const VmRecord& vm, const std::string& state,
                 const std::vector<std::pair<std::string, DbValue>>& columns = {});

struct NicRecord {
  std::string uuid;
  std::string l3NetworkUuid;
  std::string usedIpUuid;
};
Result<std::vector<NicRecord>> loadNics(Database& db, const std::string& vmUuid);

// A tag's number: anyone may write any tag (CreateSystemTag), so a bad value reads as `fallback`
// instead of throwing in the middle of a VM's start.
inline std::int64_t tagNumber(const std::string& text, std::int64_t fallback) {
  std::int64_t value = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  return error == std::errc() && end == text.data() + text.size() ? value : fallback;
}

// A NIC's {inbound, outbound} limits in bits per second (0: none), from its tags (vm_nic_qos.cc).
Result<std::pair<std::int64_t, std::int64_t>> nicLimits(Database& db, const std::string& nicUuid);

// The settings a VmSpec carries in `extra`, from the VM's system tags (vm_settings.cc), and from
// `pendingTags`: a creating call's, which reach the table only once the call has succeeded, after
// the VM's first start.
Result<Json> vmSettings(Database& db, const std::string& vmUuid,
                        const std::vector<std::string>& pendingTags = {});

// What the VmDriver of the VM's hypervisor needs to run it on `hostUuid`.
Result<VmSpec> specOf(Database& db, const VmRecord& vm, const std::string& hostUuid,
                      const std::vector<std::string>& pendingTags = {});

// The host's management IP ("" when the host is gone).
std::string managementIpOf(Database& db, const std::string& hostUuid);

// The hypervisor types that have a VmDriver.
std::vector<std::string> vmHypervisorTypes(const ExtensionLookup& extensions);

}  // namespace strato::vm
