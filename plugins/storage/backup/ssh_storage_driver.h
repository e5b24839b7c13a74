// ImageStoreBackupStorage and SftpBackupStorage: a directory (the url) on a machine reached by SSH
// with a user name and password. Connecting creates the directory, checks it is writable and
// reads its file system's size with df. The server's host key is kept from the first connect
// on; a different key later is refused (another machine answers at that address). Image files
// live in <url>/images/<imageUuid>.<format>; the machine fetches downloads itself (curl, or cp
// for file://), so they never pass through the management node.
#pragma once

#include <map>

#include "bs_driver.h"

namespace strato::backup {

inline constexpr std::string_view kImageStoreType = "ImageStoreBackupStorage";
inline constexpr std::string_view kSftpType = "SftpBackupStorage";

class SshStorageDriver : public BackupStorageDriver {
 public:
  SshStorageDriver(std::string type, std::chrono::milliseconds timeout)
      : type_(std::move(type)), timeout_(timeout) {}
  std::string type() const override { return type_; }
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
  Status sendTo(const BackupStorageSpec& spec, const std::string& installPath,
                const ssh::Target& to, const std::string& path) override;
  Result<FileChange> importVolume(const BackupStorageSpec& spec, const std::string& imageUuid,
                                  const std::string& format, const PrimaryFile& file) override;
  Result<std::string> exportUrl(const BackupStorageSpec& spec,
                                const std::string& installPath) override;

 private:
  // Runs `script` on the storage's machine; its "key=value" lines, by key.
  Result<std::map<std::string, std::string>> runScript(const BackupStorageSpec& spec,
                                                       const std::string& script,
                                                       std::chrono::milliseconds timeout);

  std::string type_;
  std::chrono::milliseconds timeout_;
};

// An absolute path, not "/", without "..", blanks or control characters: it ends up in shell
// commands (quoted) and in the images' install paths.
Status validateDirectory(const std::string& url);

// The download URLs a storage machine can fetch: http://, https://, and file:// with an absolute
// path on that machine.
Status validateImageUrl(const std::string& url);

}  // namespace strato::backup
