#include "simulator_storage_driver.h"

#include <algorithm>
#include <thread>

namespace strato::primary {
namespace {

std::int64_t bytes(const Json& extra, const char* key, std::int64_t fallback) {
  if (!extra.contains(key) || !extra[key].is_number_integer()) return fallback;
  return extra[key].get<std::int64_t>();
}

}  // namespace

void SimulatorStorageDriver::pause() const {
  if (latency_.count() > 0) std::this_thread::sleep_for(latency_);
}

Status SimulatorStorageDriver::validate(const PrimaryStorageSpec& spec) const {
  std::int64_t total = bytes(spec.extra, "totalCapacity", 0);
  std::int64_t available = bytes(spec.extra, "availableCapacity", total);
  if (total < 0 || available < 0 || available > total) {
    return makeError(ErrorCode::kInvalidArgument,
                     "simulator capacities need 0 <= availableCapacity <= totalCapacity",
                     std::to_string(available) + " of " + std::to_string(total));
  }
  if (spec.url.empty()) return makeError(ErrorCode::kInvalidArgument, "url may not be empty");
  return {};
}

Status SimulatorStorageDriver::failure(const PrimaryStorageSpec& spec, std::string_view tag,
                                       const char* what) {
  // On the add the API's tags are not stored yet: the base hands them over in extra.
  auto tagged = carriesSystemTag(db_, spec.uuid, tag, spec.extra);
  if (!tagged) return tagged.error();
  if (!*tagged) return {};
  return makeError(ErrorCode::kUnavailable, std::string("simulated ") + what + " failure",
                   "primary storage " + spec.name + " carries the system tag " + std::string(tag));
}

Result<StorageCapacity> SimulatorStorageDriver::connect(const PrimaryStorageSpec& spec,
                                                        const std::vector<StorageHost>&) {
  pause();
  if (auto failed = failure(spec, kFailConnectTag, "connection"); !failed) return failed.error();
  std::int64_t total = bytes(spec.extra, "totalCapacity", 0);
  std::int64_t free = bytes(spec.extra, "availableCapacity", total) - usedBy(spec.uuid);
  return StorageCapacity{total, std::max<std::int64_t>(0, free), true};
}

Result<StorageCapacity> SimulatorStorageDriver::attach(const PrimaryStorageSpec& spec,
                                                       const std::string&,
                                                       const std::vector<StorageHost>&) {
  pause();
  if (auto failed = failure(spec, kFailAttachTag, "attach"); !failed) return failed.error();
  return StorageCapacity{0, 0, false};
}

Result<StorageCapacity> SimulatorStorageDriver::detach(const PrimaryStorageSpec&,
                                                       const std::string&,
                                                       const std::vector<StorageHost>&) {
  pause();
  return StorageCapacity{0, 0, false};
}

Result<StorageCapacity> SimulatorStorageDriver::syncCapacity(
    const PrimaryStorageSpec& spec, const std::vector<StorageHost>& hosts) {
  return connect(spec, hosts);
}

Result<std::int64_t> SimulatorStorageDriver::cleanUpImageCache(const PrimaryStorageSpec&,
                                                               const std::vector<StorageHost>&) {
  pause();
  return std::int64_t{0};
}

std::int64_t SimulatorStorageDriver::usedBy(const std::string& storageUuid) {
  std::lock_guard lock(mutex_);
  std::int64_t used = 0;
  auto it = volumes_.find(storageUuid);
  if (it == volumes_.end()) return 0;
  for (const auto& [path, file] : it->second) used += file.actualSize;
  return used;
}

Result<VolumeFile> SimulatorStorageDriver::createVolume(
    const PrimaryStorageSpec& spec, const std::vector<StorageHost>&, const std::string& volumeUuid,
    std::int64_t size, const std::string& format, const VolumeSource& source) {
  pause();
  // ZStack's layout: dataVolumes/acct-.../vol-<uuid>/<uuid>.<format>; a copy of a template keeps
  // no link to it (the simulator has no backing chains).
  std::lock_guard lock(mutex_);
  // A copy needs its original: a snapshot here, or a volume of another simulator storage.
  if (!source.snapshotInstallPath.empty()) {
    if (auto snapshot = fileAt(spec.uuid, source.snapshotInstallPath); !snapshot)
      return snapshot.error();
  }
  if (!source.srcInstallPath.empty()) {
    if (auto original = fileAt(source.srcPrimaryStorageUuid, source.srcInstallPath); !original)
      return original.error();
  }
  VolumeFile file{"simulator://" + spec.uuid + "/dataVolumes/vol-" + volumeUuid + "/" + volumeUuid +
                      "." + format,
                  size, size};
  auto& files = volumes_[spec.uuid];
  if (files.count(file.installPath)) {
    return makeError(ErrorCode::kAlreadyExists, "volume file " + file.installPath + " exists");
  }
  files[file.installPath] = file;
  return file;
}

Status SimulatorStorageDriver::deleteVolume(const PrimaryStorageSpec& spec,
                                            const std::vector<StorageHost>&,
                                            const std::string& installPath) {
  pause();
  std::lock_guard lock(mutex_);
  auto it = volumes_.find(spec.uuid);
  if (it != volumes_.end()) it->second.erase(installPath);
  return {};
}

Result<VolumeFile> SimulatorStorageDriver::resizeVolume(const PrimaryStorageSpec& spec,
                                                        const std::vector<StorageHost>&,
                                                        const std::string& installPath,
                                                        std::int64_t size) {
  pause();
  std::lock_guard lock(mutex_);
  auto file = fileAt(spec.uuid, installPath);
  if (!file) return file.error();
  (*file)->size = (*file)->actualSize = size;
  return **file;
}

Result<VolumeFile> SimulatorStorageDriver::volumeSize(const PrimaryStorageSpec& spec,
                                                      const std::vector<StorageHost>&,
                                                      const std::string& installPath) {
  pause();
  std::lock_guard lock(mutex_);
  auto file = fileAt(spec.uuid, installPath);
  if (!file) return file.error();
  return **file;
}

Result<VolumeFile*> SimulatorStorageDriver::fileAt(const std::string& storageUuid,
                                                  const std::string& path) {
  auto& files = volumes_[storageUuid];
  auto it = files.find(path);
  if (it == files.end()) {
    return makeError(ErrorCode::kNotFound,
                     "the simulator does not know " + path + " (the server restarted?)");
  }
  return &it->second;
}

Result<VolumeFile> SimulatorStorageDriver::createSnapshot(const PrimaryStorageSpec& spec,
                                                          const std::vector<StorageHost>&,
                                                          const std::string& volumeInstallPath,
                                                          const std::string& snapshotUuid,
                                                          std::int64_t size) {
  pause();
  if (auto failed = failure(spec, kFailSnapshotTag, "take a snapshot"); !failed) return failed.error();
  std::lock_guard lock(mutex_);
  if (auto volume = fileAt(spec.uuid, volumeInstallPath); !volume) return volume.error();
  // ZStack's layout: the snapshots directory beside the volume's file.
  auto dir = volumeInstallPath.substr(0, volumeInstallPath.rfind('/'));
  VolumeFile file{dir + "/snapshots/" + snapshotUuid + ".qcow2", size, size};
  volumes_[spec.uuid][file.installPath] = file;
  return file;
}

Result<VolumeFile> SimulatorStorageDriver::revertVolume(const PrimaryStorageSpec& spec,
                                                        const std::vector<StorageHost>&,
                                                        const std::string& volumeInstallPath,
                                                        const std::string& snapshotInstallPath) {
  pause();
  std::lock_guard lock(mutex_);
  auto snapshot = fileAt(spec.uuid, snapshotInstallPath);
  if (!snapshot) return snapshot.error();
  auto volume = fileAt(spec.uuid, volumeInstallPath);
  if (!volume) return volume.error();
  // The content, and so the size, is the snapshot's again (smaller, if the volume grew since).
  (*volume)->size = (*snapshot)->size;
  (*volume)->actualSize = (*snapshot)->actualSize;
  return **volume;
}

void SimulatorStorageDriver::forgetStorage(const std::string& storageUuid) {
  std::lock_guard lock(mutex_);
  volumes_.erase(storageUuid);
}

}  // namespace strato::primary
