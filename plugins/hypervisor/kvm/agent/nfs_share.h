// An NFS share reached from userspace with libnfs (NFSv3), so a host needs neither a kernel NFS
// client nor a mount: the agent's file operations on nfs://server/path URLs. qemu-img and QEMU
// open such URLs themselves, through their own nfs block driver (also libnfs).
//
// Each NfsShare is one connection, opened for one command and used by one thread (libnfs
// contexts are not thread-safe). Paths are the server's: the export holding them is found by
// asking the server for its exports, so the management node never says where an export ends.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include <strato/result.h>

struct nfs_context;
struct nfsfh;

namespace strato::kvm {

struct NfsUrl {
  std::string server;  // a name, an IPv4 address or a bracketed IPv6 address
  std::string path;    // absolute on the server
};

// "nfs://server/absolute/path"; kInvalidArgument for anything else.
Result<NfsUrl> parseNfsUrl(const std::string& url);

struct FileSize {
  std::int64_t size = 0;       // bytes
  std::int64_t allocated = 0;  // bytes the file holds on disk (qemu-img's actual-size)
};

class NfsFile;

class NfsShare {
 public:
  // Connects to the export of `url.server` that holds `url.path`. Every call to the server, this
  // one too, gives up after `timeout` (kUnavailable).
  static Result<std::unique_ptr<NfsShare>> open(const NfsUrl& url,
                                                std::chrono::milliseconds timeout);
  ~NfsShare();
  NfsShare(const NfsShare&) = delete;
  NfsShare& operator=(const NfsShare&) = delete;

  // Paths below are the server's, under the export this share opened.
  Result<std::optional<FileSize>> stat(const std::string& path);
  Status makeDirs(const std::string& path);
  Status rename(const std::string& from, const std::string& to);
  // A missing file is no error.
  Status remove(const std::string& path);
  // {total, available} bytes of the export's file system.
  Result<std::pair<std::int64_t, std::int64_t>> usage();
  // Read, or written from the start (created or truncated).
  Result<std::unique_ptr<NfsFile>> openFile(const std::string& path, bool write);

 private:
  friend class NfsFile;
  NfsShare(nfs_context* nfs, std::string server, std::string exportPath)
      : nfs_(nfs), server_(std::move(server)), export_(std::move(exportPath)) {}
  // The path inside the export, as libnfs names it ("/" for the export itself).
  Result<std::string> inside(const std::string& path) const;
  Error failure(const std::string& what, const std::string& path) const;

  nfs_context* nfs_;
  std::string server_;
  std::string export_;
};

// An open file of a share; the share must outlive it.
class NfsFile {
 public:
  NfsFile(NfsShare& share, nfsfh* fh, std::string path)
      : share_(share), fh_(fh), path_(std::move(path)) {}
  ~NfsFile();
  NfsFile(const NfsFile&) = delete;
  NfsFile& operator=(const NfsFile&) = delete;

  // Bytes read into `buf`; 0 at the end.
  Result<std::size_t> read(char* buf, std::size_t size);
  Status write(const char* buf, std::size_t size);

 private:
  NfsShare& share_;
  nfsfh* fh_;
  std::string path_;
};

}  // namespace strato::kvm
