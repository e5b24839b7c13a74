// LocalStorage: each host's own disk under `url`. The storage's capacity is the sum of the disks
// of the hosts that use it, one local_storage_host_ref row per host (what
// GetLocalStorageHostDiskCapacity shows). A host's disk size comes from its hypervisor: a KVM
// host's agent measures the file system under the url; a Simulator host has a simulated disk of
// plugin.primary-storage.simulatorHostDiskBytes (default 1 TiB), or the size its system tag
// "localStorage::simulatorDisk::<totalBytes>[::<availableBytes>]" names.
#pragma once

#include "ps_driver.h"

namespace strato::primary {

inline constexpr std::string_view kLocalStorageType = "LocalStorage";
inline constexpr std::string_view kSimulatorDiskTag = "localStorage::simulatorDisk::";

// An absolute host path other than "/", without blanks, ':' or "..": LocalStorage and
// SharedMountPoint urls. `what` names the storage in the message ("a LocalStorage").
Status validateAbsolutePath(const std::string& url, const std::string& what);

class LocalStorageDriver : public PrimaryStorageDriver {
 public:
  LocalStorageDriver(Database& db, std::int64_t simulatorDiskBytes)
      : db_(db), simulatorDiskBytes_(simulatorDiskBytes) {}

  std::string type() const override { return std::string(kLocalStorageType); }
  Status validate(const PrimaryStorageSpec& spec) const override;
  std::string mountPath(const PrimaryStorageSpec& spec) const override { return spec.url; }
  Result<StorageCapacity> connect(const PrimaryStorageSpec& spec,
                                  const std::vector<StorageHost>& hosts) override;
  Result<StorageCapacity> attach(const PrimaryStorageSpec& spec, const std::string& clusterUuid,
                                 const std::vector<StorageHost>& hosts) override;
  Result<StorageCapacity> detach(const PrimaryStorageSpec& spec, const std::string& clusterUuid,
                                 const std::vector<StorageHost>& hosts) override;
  Result<StorageCapacity> syncCapacity(const PrimaryStorageSpec& spec,
                                       const std::vector<StorageHost>& hosts) override;
  Result<std::int64_t> cleanUpImageCache(const PrimaryStorageSpec& spec,
                                         const std::vector<StorageHost>& hosts) override;

  // The storage's capacity: the sum of its host refs.
  Result<StorageCapacity> total(const std::string& storageUuid);

 private:
  // What the host says about its disk under the url: its agent's measure, or the simulated one.
  Result<StorageCapacity> hostDisk(const PrimaryStorageSpec& spec, const StorageHost& host);
  // Inserts the host's ref, or refreshes its figures when `refresh` (what volumes hold stays).
  Status recordHost(const PrimaryStorageSpec& spec, const StorageHost& host, bool refresh);

  Database& db_;
  std::int64_t simulatorDiskBytes_;
};

}  // namespace strato::primary
