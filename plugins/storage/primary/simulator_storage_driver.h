// The Simulator primary storage (ZStack's AddSimulatorPrimaryStorage): storage that exists only
// in this process, with the capacities it was added with, usable by hosts of any hypervisor
// type (the data path is simulated in memory). Failures and latency are injected on purpose:
//   - system tag "simulator::failConnect" on the storage (or among the add's systemTags):
//     connect() fails, so the add fails and a reconnect leaves it Disconnected;
//   - system tag "simulator::failAttach" on the storage: attach() fails;
//   - config plugin.primary-storage.simulatorLatencyMs: every driver call sleeps that long first
//     (on the blocking pool, like a real agent call).
// Volume files live in memory (gone with the process, like the simulator backup storage's
// images); they are thick: actualSize = size, and they count as physically used. A snapshot is
// a full copy of its volume (a file of the volume's size), so reverting and copying from it
// need no chain; "simulator::failSnapshot" on the storage fails taking snapshots.
#pragma once

#include <chrono>
#include <map>
#include <mutex>

#include "ps_driver.h"

namespace strato::primary {

inline constexpr std::string_view kSimulatorType = "Simulator";
inline constexpr std::string_view kFailConnectTag = "simulator::failConnect";
inline constexpr std::string_view kFailAttachTag = "simulator::failAttach";
inline constexpr std::string_view kFailSnapshotTag = "simulator::failSnapshot";

class SimulatorStorageDriver : public PrimaryStorageDriver {
 public:
  SimulatorStorageDriver(Database& db, std::chrono::milliseconds latency)
      : db_(db), latency_(latency) {}

  std::string type() const override { return std::string(kSimulatorType); }
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
  void forgetStorage(const std::string& storageUuid) override;

 private:
  // The injected failure `tag`, when the storage carries it now (or in spec.extra.systemTags).
  Status failure(const PrimaryStorageSpec& spec, std::string_view tag, const char* what);
  void pause() const;

  // The file at `path` on the storage, or kNotFound. Needs mutex_.
  Result<VolumeFile*> fileAt(const std::string& storageUuid, const std::string& path);
  // Bytes the storage's volume files take.
  std::int64_t usedBy(const std::string& storageUuid);

  Database& db_;
  std::chrono::milliseconds latency_;
  std::mutex mutex_;
  std::map<std::string, std::map<std::string, VolumeFile>> volumes_;  // storage -> path -> file
};

}  // namespace strato::primary
