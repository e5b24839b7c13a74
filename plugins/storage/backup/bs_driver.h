// The backup storage driver contract: what the base plugin asks of a backup storage type
// (ImageStoreBackupStorage, SftpBackupStorage, SimulatorBackupStorage; Ceph later). The base
// keeps the rows, states, statuses, zone attachments and capacities; a driver reaches the
// storage and keeps image files on it. Which images exist is the image plugin's business: it
// asks for files through the messages of bs_messages.h.
//
// Like the primary storage driver, this belongs in the SDK once a type lives outside this plugin;
// the extension point name is already the final one.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <strato/sdk.h>

#include "ssh/ssh_client.h"

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

// An image file on the storage. `size` is the virtual size (a qcow2's disk size), `actualSize`
// the bytes stored.
struct ImageFile {
  std::string installPath;
  std::int64_t size = 0;
  std::int64_t actualSize = 0;
  std::string md5Sum;
};

// A change of files, with the storage's capacity afterwards when the driver can read it (a
// simulated storage cannot: the base then adds or takes the file's actualSize).
struct FileChange {
  ImageFile file;
  std::optional<BackupStorageCapacity> capacity;
};

struct Reclaimed {
  std::int64_t freed = 0;  // bytes
  std::optional<BackupStorageCapacity> capacity;
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

  // Fetches `url` (http://, https://, or file:// on the storage's machine) as the file of image
  // `imageUuid`. Long: minutes for large images. Blocking.
  virtual Result<FileChange> download(const BackupStorageSpec& spec, const std::string& imageUuid,
                                      const std::string& url, const std::string& format) = 0;
  // Reads an image file's sizes again. Blocking.
  virtual Result<ImageFile> stat(const BackupStorageSpec& spec, const std::string& installPath) = 0;
  // Deletes an image file; one already gone is not an error. Blocking.
  virtual Result<FileChange> remove(const BackupStorageSpec& spec,
                                    const std::string& installPath) = 0;
  // Deletes the files of the image area that `keep` does not name (left by failed downloads or
  // by images deleted while the storage was unreachable). Blocking.
  virtual Result<Reclaimed> reclaim(const BackupStorageSpec& spec,
                                    const std::vector<std::string>& keep) = 0;
  // Copies image file `srcPath` of another storage `src` in as the file of image `imageUuid`.
  // kNotSupported between types that cannot reach each other. Long. Blocking.
  virtual Result<FileChange> copyIn(const BackupStorageSpec& dst, const BackupStorageSpec& src,
                                    const std::string& srcPath, const std::string& imageUuid,
                                    const std::string& format) = 0;
  // A file of a primary storage comes in as the file of image `imageUuid`: from `host`, a host
  // that reads it (kFileSourceMessage), or for the simulator without one. Long. Blocking.
  struct PrimaryFile {
    std::string primaryStorageUuid, primaryStorageType, installPath;
    std::int64_t size = 0, actualSize = 0;
    std::optional<ssh::Target> host;
  };
  virtual Result<FileChange> importVolume(const BackupStorageSpec& spec, const std::string& imageUuid,
                                          const std::string& format, const PrimaryFile& file) {
    (void)imageUuid, (void)format;
    return makeError(ErrorCode::kNotSupported,
                     type() + " backup storage cannot take files of " + file.primaryStorageType +
                         " primary storage",
                     "storage " + spec.name);
  }
  // Writes image file `installPath` to `path` on the machine `to` reaches by SSH. Long. Blocking.
  virtual Status sendTo(const BackupStorageSpec& spec, const std::string& installPath,
                        const ssh::Target& to, const std::string& path) {
    (void)installPath, (void)to, (void)path;
    return makeError(ErrorCode::kNotSupported,
                     type() + " backup storage cannot send image files to hosts",
                     "storage " + spec.name + " keeps no bytes");
  }
  // A URL from which the image file can be fetched by others. Blocking.
  virtual Result<std::string> exportUrl(const BackupStorageSpec& spec,
                                        const std::string& installPath) = 0;
};

}  // namespace strato::backup
