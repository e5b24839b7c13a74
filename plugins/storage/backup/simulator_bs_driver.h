// SimulatorBackupStorage (ZStack's AddSimulatorBackupStorage): capacities given at add time,
// injectable latency and failures, nothing outside the process.
#pragma once

#include "bs_driver.h"

namespace strato::backup {

inline constexpr std::string_view kSimulatorType = "SimulatorBackupStorage";
// On the storage (or in the add's systemTags): connect() fails.
inline constexpr std::string_view kFailConnectTag = "simulator::failConnect";

class SimulatorBackupStorageDriver : public BackupStorageDriver {
 public:
  SimulatorBackupStorageDriver(Database& db, std::chrono::milliseconds latency)
      : db_(db), latency_(latency) {}
  std::string type() const override { return std::string(kSimulatorType); }
  Status validate(const BackupStorageSpec& spec) const override;
  Result<Connected> connect(const BackupStorageSpec& spec) override;

 private:
  Database& db_;
  std::chrono::milliseconds latency_;
};

}  // namespace strato::backup
