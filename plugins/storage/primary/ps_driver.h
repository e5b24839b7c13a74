// The primary storage driver contract: what the base plugin asks of a storage type (LocalStorage,
// NFS, SharedMountPoint, Simulator; Ceph and SharedBlock later). The base keeps the rows, states,
// statuses, cluster attachments and capacities; a driver reaches the storage, directly or through
// the hosts that use it.
//
// This interface belongs in the SDK (sdk-headers/strato/primary_storage.h) so that storage types
// can live in plugins of their own; until then the in-tree types are driver classes of this
// plugin. The extension point name is already the one it will keep, so moving it is a header move.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <strato/sdk.h>

namespace strato::primary {

struct PrimaryStorageSpec {
  std::string uuid;
  std::string name;
  std::string type;  // "LocalStorage", "NFS", ...
  std::string url;
  std::string zoneUuid;
  Json extra;  // type-specific settings given at add time (the simulator's capacities, say)
};

// A host that uses the storage: a Connected host of an attached cluster.
struct StorageHost {
  std::string uuid;
  std::string managementIp;
  std::string hypervisorType;
  std::string clusterUuid;
};

// What the storage reports about its size. `known` is false when nothing could be asked (an NFS
// share no host mounts yet): the base then keeps the figures it has.
struct StorageCapacity {
  std::int64_t totalPhysical = 0;
  std::int64_t availablePhysical = 0;
  bool known = true;
};

class PrimaryStorageDriver {
 public:
  static constexpr std::string_view kExtensionPoint = "strato.PrimaryStorageDriver";
  virtual ~PrimaryStorageDriver() = default;

  virtual std::string type() const = 0;
  // The url's syntax (and other add-time settings); no I/O. kInvalidArgument says what is wrong.
  virtual Status validate(const PrimaryStorageSpec& spec) const = 0;
  // Where the storage appears on a host, for the inventory's mountPath; empty = none.
  virtual std::string mountPath(const PrimaryStorageSpec& spec) const = 0;
  // Add and every reconnect: reach the storage through `hosts` (every Connected host of the
  // attached clusters; none right after an add) and report its size. Blocking.
  virtual Result<StorageCapacity> connect(const PrimaryStorageSpec& spec,
                                          const std::vector<StorageHost>& hosts) = 0;
  // The storage becomes usable by these hosts of `clusterUuid` (mount, prepare directories).
  // Also called with one host when a host of an attached cluster (re)connects. Blocking.
  virtual Result<StorageCapacity> attach(const PrimaryStorageSpec& spec,
                                         const std::string& clusterUuid,
                                         const std::vector<StorageHost>& hosts) = 0;
  // The reverse; `hosts` are all hosts of the cluster, connected or not. Blocking.
  virtual Result<StorageCapacity> detach(const PrimaryStorageSpec& spec,
                                         const std::string& clusterUuid,
                                         const std::vector<StorageHost>& hosts) = 0;
  // Asks the storage its size again. Blocking.
  virtual Result<StorageCapacity> syncCapacity(const PrimaryStorageSpec& spec,
                                               const std::vector<StorageHost>& hosts) = 0;
  // Drops cached images no volume uses any more; returns how many went. Blocking.
  virtual Result<std::int64_t> cleanUpImageCache(const PrimaryStorageSpec& spec,
                                                 const std::vector<StorageHost>& hosts) = 0;
  // The host row is gone (deleted, or its cluster detached): forget what is kept of it.
  virtual void forgetHost(const std::string& hostUuid) { (void)hostUuid; }
  // The storage row is gone.
  virtual void forgetStorage(const std::string& storageUuid) { (void)storageUuid; }
};

}  // namespace strato::primary
