#include "simulator_bs_driver.h"

#include <filesystem>
#include <set>
#include <thread>

namespace strato::backup {
namespace {

std::int64_t bytes(const Json& extra, const char* key, std::int64_t fallback) {
  if (!extra.contains(key) || !extra[key].is_number_integer()) return fallback;
  return extra[key].get<std::int64_t>();
}

}  // namespace

Status SimulatorBackupStorageDriver::validate(const BackupStorageSpec& spec) const {
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

void SimulatorBackupStorageDriver::pause() const {
  if (latency_.count() > 0) std::this_thread::sleep_for(latency_);
}

Status SimulatorBackupStorageDriver::injected(const BackupStorageSpec& spec, std::string_view tag,
                                              const char* what) {
  auto failing = carriesSystemTag(db_, spec.uuid, tag, spec.extra);
  if (!failing) return failing.error();
  if (!*failing) return {};
  return makeError(ErrorCode::kUnavailable, std::string("simulated ") + what + " failure",
                   "backup storage " + spec.name + " carries the system tag " + std::string(tag));
}

Result<Connected> SimulatorBackupStorageDriver::connect(const BackupStorageSpec& spec) {
  pause();
  if (auto failed = injected(spec, kFailConnectTag, "connection"); !failed) return failed.error();
  std::int64_t total = bytes(spec.extra, "totalCapacity", 0);
  return Connected{{total, bytes(spec.extra, "availableCapacity", total)}};
}

Result<FileChange> SimulatorBackupStorageDriver::download(const BackupStorageSpec& spec,
                                                          const std::string& imageUuid,
                                                          const std::string& url,
                                                          const std::string& format) {
  pause();
  if (auto failed = injected(spec, kFailDownloadTag, "download"); !failed) return failed.error();
  ImageFile file{"simulator://" + spec.uuid + "/" + imageUuid + "." + format, httpImageBytes_,
                 httpImageBytes_, ""};
  if (url.rfind("file://", 0) == 0) {
    std::error_code ec;
    auto bytes = std::filesystem::file_size(url.substr(7), ec);
    if (ec) {
      return makeError(ErrorCode::kInvalidArgument, "cannot read " + url, ec.message());
    }
    file.size = file.actualSize = static_cast<std::int64_t>(bytes);
  }
  std::lock_guard lock(mutex_);
  files_[file.installPath] = file;
  return FileChange{file, std::nullopt};
}

// Simulator primary storage lives in this process too: its files come in without a host.
Result<FileChange> SimulatorBackupStorageDriver::importVolume(const BackupStorageSpec& spec,
                                                              const std::string& imageUuid,
                                                              const std::string& format,
                                                              const PrimaryFile& source) {
  pause();
  if (source.primaryStorageType != "Simulator") {
    return makeError(ErrorCode::kNotSupported,
                     "the simulator backup storage takes files of Simulator primary storage only",
                     source.primaryStorageType + " primary storage " + source.primaryStorageUuid);
  }
  if (auto failed = injected(spec, kFailDownloadTag, "download"); !failed) return failed.error();
  ImageFile file{"simulator://" + spec.uuid + "/" + imageUuid + "." + format, source.size,
                 source.actualSize, ""};
  std::lock_guard lock(mutex_);
  files_[file.installPath] = file;
  return FileChange{file, std::nullopt};
}

Result<ImageFile> SimulatorBackupStorageDriver::stat(const BackupStorageSpec&,
                                                     const std::string& installPath) {
  pause();
  std::lock_guard lock(mutex_);
  auto it = files_.find(installPath);
  if (it == files_.end()) {
    return makeError(ErrorCode::kNotFound,
                     "the simulator does not know " + installPath + " (the server restarted?)");
  }
  return it->second;
}

Result<FileChange> SimulatorBackupStorageDriver::remove(const BackupStorageSpec&,
                                                        const std::string& installPath) {
  pause();
  std::lock_guard lock(mutex_);
  ImageFile gone{installPath, 0, 0, ""};
  if (auto it = files_.find(installPath); it != files_.end()) {
    gone = it->second;
    files_.erase(it);
  }
  return FileChange{gone, std::nullopt};
}

Result<Reclaimed> SimulatorBackupStorageDriver::reclaim(const BackupStorageSpec& spec,
                                                        const std::vector<std::string>& keep) {
  pause();
  std::set<std::string> kept(keep.begin(), keep.end());
  std::string prefix = "simulator://" + spec.uuid + "/";
  std::int64_t freed = 0;
  std::lock_guard lock(mutex_);
  for (auto it = files_.begin(); it != files_.end();) {
    if (it->first.rfind(prefix, 0) == 0 && !kept.count(it->first)) {
      freed += it->second.actualSize;
      it = files_.erase(it);
    } else {
      ++it;
    }
  }
  return Reclaimed{freed, std::nullopt};
}

Result<FileChange> SimulatorBackupStorageDriver::copyIn(const BackupStorageSpec& dst,
                                                        const BackupStorageSpec& src,
                                                        const std::string& srcPath,
                                                        const std::string& imageUuid,
                                                        const std::string& format) {
  pause();
  if (src.type != dst.type) {
    return makeError(ErrorCode::kNotSupported,
                     "a simulated storage copies images only from another simulated one");
  }
  if (auto failed = injected(dst, kFailDownloadTag, "download"); !failed) return failed.error();
  std::lock_guard lock(mutex_);
  auto it = files_.find(srcPath);
  if (it == files_.end()) {
    return makeError(ErrorCode::kNotFound,
                     "the simulator does not know " + srcPath + " (the server restarted?)");
  }
  ImageFile copy = it->second;
  copy.installPath = "simulator://" + dst.uuid + "/" + imageUuid + "." + format;
  files_[copy.installPath] = copy;
  return FileChange{copy, std::nullopt};
}

Result<std::string> SimulatorBackupStorageDriver::exportUrl(const BackupStorageSpec&,
                                                            const std::string& installPath) {
  return installPath;
}

}  // namespace strato::backup
