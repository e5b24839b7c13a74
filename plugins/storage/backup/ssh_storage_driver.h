// ImageStoreBackupStorage and SftpBackupStorage: a directory (the url) on a machine reached by SSH
// with a user name and password. Connecting creates the directory, checks it is writable and
// reads its file system's size with df. The server's host key is kept from the first connect
// on; a different key later is refused (another machine answers at that address).
#pragma once

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

 private:
  std::string type_;
  std::chrono::milliseconds timeout_;
};

// An absolute path, not "/", without "..", blanks or control characters: it ends up in shell
// commands (quoted) and in the images' install paths.
Status validateDirectory(const std::string& url);

}  // namespace strato::backup
