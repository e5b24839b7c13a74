// NFS and SharedMountPoint: one file system every host of the attached clusters reaches. The
// management node never touches it itself; hosts do, through their strato-agent (agent_files.h),
// which measures it and makes volume files there with qemu-img:
// - a SharedMountPoint is a clustered file system each host has mounted at `url`;
// - an NFS share ("server:/export") is reached by the agents and QEMU from userspace, as
//   nfs://server/export/... URLs: nothing is mounted on the hosts, so the inventory's mountPath
//   (ZStack's) is where a kernel mount would go, not where the files are.
// On Simulator hosts the share is simulated in memory and reports
// plugin.primary-storage.simulatorSharedBytes (default 10 TiB), all free; they hold no volume
// files.
//
// Capacity is what the hosts report; with no host reaching the share (just added, or every
// cluster detached) nothing is known and the figures stay as they were (0 after an add).
#pragma once

#include <map>
#include <mutex>
#include <set>

#include "agent_files.h"
#include "ps_driver.h"

namespace strato::primary {

inline constexpr std::string_view kNfsType = "NFS";
inline constexpr std::string_view kSharedMountPointType = "SharedMountPoint";

// "host:/path" (host a name, an IPv4 address or a bracketed IPv6 address).
Status validateNfsUrl(const std::string& url);

class SharedStorageDriver : public PrimaryStorageDriver {
 public:
  SharedStorageDriver(std::string type, std::int64_t simulatedBytes, AgentFiles files)
      : type_(std::move(type)), simulatedBytes_(simulatedBytes), files_(std::move(files)) {}

  std::string type() const override { return type_; }
  Status validate(const PrimaryStorageSpec& spec) const override;
  std::string mountPath(const PrimaryStorageSpec& spec) const override;
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
  Result<VolumeFile> createVolume(const PrimaryStorageSpec& spec,
                                  const std::vector<StorageHost>& hosts,
                                  const std::string& volumeUuid, std::int64_t size,
                                  const std::string& format, const VolumeSource& source) override {
    return files_.create(filesRoot(spec), hosts, volumeUuid, size, format, source);
  }
  Status deleteVolume(const PrimaryStorageSpec&, const std::vector<StorageHost>& hosts,
                      const std::string& installPath) override {
    return files_.remove(hosts, installPath);
  }
  Result<VolumeFile> resizeVolume(const PrimaryStorageSpec&, const std::vector<StorageHost>& hosts,
                                  const std::string& installPath, std::int64_t size) override {
    return files_.resize(hosts, installPath, size);
  }
  Result<VolumeFile> volumeSize(const PrimaryStorageSpec&, const std::vector<StorageHost>& hosts,
                                const std::string& installPath) override {
    return files_.size(hosts, installPath);
  }
  Result<VolumeFile> createSnapshot(const PrimaryStorageSpec&,
                                    const std::vector<StorageHost>& hosts,
                                    const std::string& volumeInstallPath,
                                    const std::string& snapshotUuid, std::int64_t size) override {
    return files_.snapshot(hosts, volumeInstallPath, snapshotUuid, size);
  }
  Result<VolumeFile> revertVolume(const PrimaryStorageSpec&, const std::vector<StorageHost>& hosts,
                                  const std::string& volumeInstallPath,
                                  const std::string& snapshotInstallPath) override {
    return files_.revert(hosts, volumeInstallPath, snapshotInstallPath);
  }
  void forgetHost(const std::string& hostUuid) override;
  void forgetStorage(const std::string& storageUuid) override;

  // Hosts that have the share mounted now (simulated), for tests and logs.
  std::size_t mountedHosts(const std::string& storageUuid) const;

 private:
  // The directory the agents make files under.
  std::string filesRoot(const PrimaryStorageSpec& spec) const;
  // Mounts on every host (all or nothing) and reports the share's size.
  Result<StorageCapacity> mount(const PrimaryStorageSpec& spec,
                                const std::vector<StorageHost>& hosts);

  std::string type_;
  std::int64_t simulatedBytes_;
  AgentFiles files_;
  mutable std::mutex mutex_;
  std::map<std::string, std::set<std::string>> mounted_;  // storage uuid -> host uuids
};

}  // namespace strato::primary
