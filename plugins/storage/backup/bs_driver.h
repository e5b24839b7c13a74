// The backup storage driver contract: what the base plugin asks of a backup storage type
// (ImageStoreBackupStorage, SftpBackupStorage, SimulatorBackupStorage; Ceph later). The base
// keeps the rows, states, statuses, zone attachments and capacities; a driver reaches the
// storage. Image operations (download, delete, export, migrate) join this contract with the
// image plugin.
//
// Like the primary storage driver, this belongs in the SDK once a type lives outside this plugin;
// the extension point name is already the final one.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include <strato/sdk.h>

namespace strato::backup {

struct BackupStorageSpec {
  std::string uuid;
  std::string name;
  std::string type;
  std::string url;
  // Type settings: hostname, username, password, sshPort and hostKey for the SSH types, the
  // simulator's capacities; on an add also the call's systemTags.
  Json extra;
};

struct BackupStorageCapacity {
  std::int64_t total = 0;
  std::int64_t available = 0;
};

// What a connect learned: the capacity, and settings to keep with the row (an SSH server's host
// key, say), merged into the spec's extra.
struct Connected {
  BackupStorageCapacity capacity;
  Json learned = Json::object();
};

class BackupStorageDriver {
 public:
  static constexpr std::string_view kExtensionPoint = "strato.BackupStorageDriver";
  virtual ~BackupStorageDriver() = default;

  virtual std::string type() const = 0;
  // The url and settings' syntax; no I/O. kInvalidArgument says what is wrong.
  virtual Status validate(const BackupStorageSpec& spec) const = 0;
  // Add and every reconnect: reach the storage, prepare it, report its size. Blocking.
  virtual Result<Connected> connect(const BackupStorageSpec& spec) = 0;
};

}  // namespace strato::backup
