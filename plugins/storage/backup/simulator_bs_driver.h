// SimulatorBackupStorage (ZStack's AddSimulatorBackupStorage): capacities given at add time,
// injectable latency and failures, nothing outside the process. Image files are remembered in
// memory: a file:// download takes the size of the local file, an http(s):// one
// plugin.backup-storage.simulatorImageBytes.
#pragma once

#include <map>
#include <mutex>

#include "bs_driver.h"

namespace strato::backup {

inline constexpr std::string_view kSimulatorType = "SimulatorBackupStorage";
// On the storage (or in the add's systemTags): connect() fails.
inline constexpr std::string_view kFailConnectTag = "simulator::failConnect";
// On the storage: download() fails.
inline constexpr std::string_view kFailDownloadTag = "simulator::failDownload";

class SimulatorBackupStorageDriver : public BackupStorageDriver {
 public:
  SimulatorBackupStorageDriver(Database& db, std::chrono::milliseconds latency,
                               std::int64_t httpImageBytes)
      : db_(db), latency_(latency), httpImageBytes_(httpImageBytes) {}
  std::string type() const override { return std::string(kSimulatorType); }
  Status validate(const BackupStorageSpec& spec) const override;
  Result<Connected> connect(const BackupStorageSpec& spec) override;
  Result<FileChange> download(const BackupStorageSpec& spec, const std::string& imageUuid,
                              const std::string& url, const std::string& format) override;
  Result<ImageFile> stat(const BackupStorageSpec& spec, const std::string& installPath) override;
  Result<FileChange> remove(const BackupStorageSpec& spec, const std::string& installPath) override;
  Result<Reclaimed> reclaim(const BackupStorageSpec& spec,
                            const std::vector<std::string>& keep) override;
  Result<FileChange> copyIn(const BackupStorageSpec& dst, const BackupStorageSpec& src,
                            const std::string& srcPath, const std::string& imageUuid,
                            const std::string& format) override;
  Result<FileChange> importVolume(const BackupStorageSpec& spec, const std::string& imageUuid,
                                  const std::string& format, const PrimaryFile& file) override;
  Result<std::string> exportUrl(const BackupStorageSpec& spec,
                                const std::string& installPath) override;

 private:
  void pause() const;
  Status injected(const BackupStorageSpec& spec, std::string_view tag, const char* what);

  Database& db_;
  std::chrono::milliseconds latency_;
  std::int64_t httpImageBytes_;
  std::mutex mutex_;
  std::map<std::string, ImageFile> files_;  // by install path
};

}  // namespace strato::backup
