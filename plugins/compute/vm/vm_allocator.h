// Where a VM may run: hosts that are Enabled and Connected with the CPU and memory left, whose
// cluster reaches every L3 network of the VM (through its L2 network) and a primary storage for
// its volumes, in a zone where a backup storage holds its image, and whose hypervisor type has a
// VmDriver. The order follows the allocator strategy. Reading candidates never takes capacity:
// reserveHost() takes it on the first candidate that still has it, so concurrent creations that
// saw the same candidates spread out instead of over-committing a host.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <strato/sdk.h>

namespace strato::vm {

struct HostChoice {
  std::string uuid;
  std::string clusterUuid;
  std::string zoneUuid;
  std::string hypervisorType;
  std::string managementIp;
};

struct HostRequest {
  std::int64_t cpuNum = 0;
  std::int64_t memorySize = 0;
  std::vector<std::string> l3NetworkUuids;
  std::string imageUuid;                // a ready copy in the host's zone; empty: not needed
  std::int64_t storageBytes = 0;        // free on a primary storage of the cluster
  std::string primaryStorageUuid;       // that storage must be attached to the cluster
  std::string zoneUuid, clusterUuid, hostUuid;  // the caller's hints
  std::string pinnedHostUuid;  // the host whose local disk holds the VM's volumes: only it
  std::vector<std::string> excludedHosts;
  std::vector<std::string> avoidedHosts;  // last resort only (soft anti-affinity)
  std::string strategy;      // one of GetHostAllocatorStrategies' names
  std::string lastHostUuid;  // first for LastHostPreferredAllocatorStrategy
  std::vector<std::string> hypervisorTypes;  // the types with a VmDriver
};

// The request as a bus message carries it (placement queued on an affinity group).
Json toJson(const HostRequest& request);
HostRequest hostRequestFrom(const Json& json);

// Blocking (SQL). kConflict naming what was asked when no host fits.
Result<std::vector<HostChoice>> candidateHosts(Database& db, const HostRequest& request);

// Takes the CPU and memory on the first candidate that still has them (kReserveHostCapacity-
// Message, one at a time). Not blocking; `done` runs on a bus thread.
void reserveHost(MessageBus& bus, std::vector<HostChoice> candidates, std::int64_t cpuNum,
                 std::int64_t memorySize, std::function<void(Result<HostChoice>)> done);

// Gives back what reserveHost took. Not blocking; errors are logged by the caller's `done`.
void releaseHost(MessageBus& bus, const std::string& hostUuid, std::int64_t cpuNum,
                 std::int64_t memorySize, std::function<void(Status)> done);

// Primary storages of the cluster, Enabled and Connected with `bytes` free (for LocalStorage,
// free on the disk of `hostUuid`), most free first; just `preferred` when given (and fitting).
// Blocking.
Result<std::vector<std::string>> candidateStorages(Database& db, const std::string& clusterUuid,
                                                   const std::string& hostUuid, std::int64_t bytes,
                                                   const std::string& preferred);

// The host whose LocalStorage disk holds volumes of the VM: the VM can run nowhere else. Empty
// when none of its volumes is on local storage; kConflict when they are on two hosts' disks, or
// one's host was deleted (with its disk).
// Blocking.
Result<std::string> localDisksHost(Database& db, const std::string& vmUuid);

}  // namespace strato::vm
