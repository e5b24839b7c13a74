// LocalStorage: each host's own disk under `url`. The storage's capacity is the sum of the disks
// of the hosts that use it, one local_storage_host_ref row per host (what
// GetLocalStorageHostDiskCapacity shows). A host's disk size comes from its hypervisor: a KVM
// host's agent measures the file system under the url; a Simulator host has a simulated disk of
// plugin.primary-storage.simulatorHostDiskBytes (default 1 TiB), or the size its system tag
// "localStorage::simulatorDisk::<totalBytes>[::<availableBytes>]" names.
//
// Volume files: the base narrows `hosts` to the one host holding the file (hostLocal()). On a
// KVM host its agent makes them under the url, laid out as on a shared mount point
// (agent_files.h); on a Simulator host they are simulated in memory, as on Simulator storage.
// Files move between KVM hosts through the management node, over SSH with the hosts'
// credentials, which only the kvm plugin keeps (kvm::kCopyHostFilesMessage).
#pragma once

#include "agent_files.h"
#include "ps_driver.h"
#include "simulator_storage_driver.h"

namespace strato::primary {

inline constexpr std::string_view kLocalStorageType = "LocalStorage";
inline constexpr std::string_view kSimulatorDiskTag = "localStorage::simulatorDisk::";

// An absolute host path other than "/", without blanks, ':' or "..": LocalStorage and
// SharedMountPoint urls. `what` names the storage in the message ("a LocalStorage").
Status validateAbsolutePath(const std::string& url, const std::string& what);

class LocalStorageDriver : public PrimaryStorageDriver {
 public:
  LocalStorageDriver(Database& db, std::int64_t simulatorDiskBytes, AgentFiles files)
      : db_(db),
        simulatorDiskBytes_(simulatorDiskBytes),
        files_(std::move(files)),
        simulated_(db, std::chrono::milliseconds(0)) {}

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

  bool hostLocal() const override { return true; }
  Result<VolumeFile> createVolume(const PrimaryStorageSpec& spec,
                                  const std::vector<StorageHost>& hosts,
                                  const std::string& volumeUuid, std::int64_t size,
                                  const std::string& format, const VolumeSource& source) override;
  Status deleteVolume(const PrimaryStorageSpec& spec, const std::vector<StorageHost>& hosts,
                      const std::string& installPath) override;
  Result<VolumeFile> resizeVolume(const PrimaryStorageSpec& spec,
                                  const std::vector<StorageHost>& hosts,
                                  const std::string& installPath, std::int64_t size) override;
  Result<VolumeFile> volumeSize(const PrimaryStorageSpec& spec,
                                const std::vector<StorageHost>& hosts,
                                const std::string& installPath) override;
  Result<VolumeFile> createSnapshot(const PrimaryStorageSpec& spec,
                                    const std::vector<StorageHost>& hosts,
                                    const std::string& volumeInstallPath,
                                    const std::string& snapshotUuid, std::int64_t size) override;
  Result<VolumeFile> revertVolume(const PrimaryStorageSpec& spec,
                                  const std::vector<StorageHost>& hosts,
                                  const std::string& volumeInstallPath,
                                  const std::string& snapshotInstallPath) override;
  Status moveFiles(const PrimaryStorageSpec& spec, const StorageHost& from, const StorageHost& to,
                   const std::vector<std::string>& paths) override;
  void forgetStorage(const std::string& storageUuid) override {
    simulated_.forgetStorage(storageUuid);
  }

  // The storage's capacity: the sum of its host refs.
  Result<StorageCapacity> total(const std::string& storageUuid);

 private:
  // What the host says about its disk under the url: its agent's measure, or the simulated one.
  Result<StorageCapacity> hostDisk(const PrimaryStorageSpec& spec, const StorageHost& host);
  // Inserts the host's ref, or refreshes its figures when `refresh` (what volumes hold stays).
  Status recordHost(const PrimaryStorageSpec& spec, const StorageHost& host, bool refresh);

  // Whether the one host in `hosts` keeps its files through an agent (true) or simulated
  // (false); an error for other hosts.
  Result<bool> byAgent(const PrimaryStorageSpec& spec, const std::vector<StorageHost>& hosts) const;

  Database& db_;
  std::int64_t simulatorDiskBytes_;
  AgentFiles files_;
  SimulatorStorageDriver simulated_;
};

}  // namespace strato::primary
