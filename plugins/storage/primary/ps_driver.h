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
  int agentPort = 0;  // where the host's strato-agent listens; 0 for hosts without one
};

// What the storage reports about its size. `known` is false when nothing could be asked (an NFS
// share no host mounts yet): the base then keeps the figures it has.
struct StorageCapacity {
  std::int64_t totalPhysical = 0;
  std::int64_t availablePhysical = 0;
  bool known = true;
};

// A volume's file on the storage, as the driver reports it.
struct VolumeFile {
  std::string installPath;
  std::int64_t size = 0;        // virtual size
  std::int64_t actualSize = 0;  // bytes it takes on the storage
};

// Where a new volume's bytes come from: empty for a blank volume, else an image's copy on a
// backup storage (CreateDataVolumeFromVolumeTemplate), a snapshot on this storage
// (CreateDataVolumeFromVolumeSnapshot), or a volume of another storage (a migration).
struct VolumeSource {
  std::string imageUuid;
  std::string backupStorageUuid;
  std::string installPath;
  std::string snapshotInstallPath;
  std::string srcPrimaryStorageUuid;
  std::string srcInstallPath;
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

  // Volumes. The base has reserved the capacity before createVolume (and the growth before
  // resizeVolume) and gives it back when they fail. `hosts` are the Connected hosts of the
  // attached clusters. Types whose data path is not built answer kNotSupported (the defaults
  // below), so no volume is ever recorded that has no file.
  virtual Result<VolumeFile> createVolume(const PrimaryStorageSpec& spec,
                                          const std::vector<StorageHost>& hosts,
                                          const std::string& volumeUuid, std::int64_t size,
                                          const std::string& format, const VolumeSource& source) {
    (void)hosts, (void)volumeUuid, (void)size, (void)format, (void)source;
    return notSupported(spec, "create volumes");
  }
  // A file already gone is no error.
  virtual Status deleteVolume(const PrimaryStorageSpec& spec, const std::vector<StorageHost>& hosts,
                              const std::string& installPath) {
    (void)hosts, (void)installPath;
    return notSupported(spec, "delete volumes");
  }
  // Grows the file to `size` (shrinking is refused by the volume plugin first).
  virtual Result<VolumeFile> resizeVolume(const PrimaryStorageSpec& spec,
                                          const std::vector<StorageHost>& hosts,
                                          const std::string& installPath, std::int64_t size) {
    (void)hosts, (void)installPath, (void)size;
    return notSupported(spec, "resize volumes");
  }
  // The file's sizes now (SyncVolumeSize).
  virtual Result<VolumeFile> volumeSize(const PrimaryStorageSpec& spec,
                                        const std::vector<StorageHost>& hosts,
                                        const std::string& installPath) {
    (void)hosts, (void)installPath;
    return notSupported(spec, "read volume sizes");
  }

  // Keeps the volume's content as a snapshot file (capacity for `size` already reserved).
  // deleteVolume deletes snapshot files too.
  virtual Result<VolumeFile> createSnapshot(const PrimaryStorageSpec& spec,
                                            const std::vector<StorageHost>& hosts,
                                            const std::string& volumeInstallPath,
                                            const std::string& snapshotUuid, std::int64_t size) {
    (void)hosts, (void)volumeInstallPath, (void)snapshotUuid, (void)size;
    return notSupported(spec, "take snapshots");
  }
  // The volume's content becomes the snapshot's.
  virtual Result<VolumeFile> revertVolume(const PrimaryStorageSpec& spec,
                                          const std::vector<StorageHost>& hosts,
                                          const std::string& volumeInstallPath,
                                          const std::string& snapshotInstallPath) {
    (void)hosts, (void)volumeInstallPath, (void)snapshotInstallPath;
    return notSupported(spec, "revert volumes");
  }

  // True when each volume lives on one host's own disk (LocalStorage). The base then records
  // which host holds each file (local_storage_resource_ref) and calls the volume methods above
  // with that host alone in `hosts`.
  virtual bool hostLocal() const { return false; }
  // Host-local storage only: copies the files at `paths` from one host's disk to the same paths
  // on another's, then deletes them on `from`. Blocking.
  virtual Status moveFiles(const PrimaryStorageSpec& spec, const StorageHost& from,
                           const StorageHost& to, const std::vector<std::string>& paths) {
    (void)from, (void)to, (void)paths;
    return notSupported(spec, "move volume files between hosts");
  }

  // The host row is gone (deleted, or its cluster detached): forget what is kept of it.
  virtual void forgetHost(const std::string& hostUuid) { (void)hostUuid; }
  // The storage row is gone.
  virtual void forgetStorage(const std::string& storageUuid) { (void)storageUuid; }

 protected:
  static Error notSupported(const PrimaryStorageSpec& spec, const std::string& what) {
    return makeError(ErrorCode::kNotSupported,
                     spec.type + " primary storage cannot " + what + " yet",
                     "only Simulator storage, and LocalStorage and SharedMountPoint storage on "
                     "Simulator and KVM hosts, hold volume files for now");
  }
};

}  // namespace strato::primary
