// An NFS server of the test's own: nfs-ganesha (VFS FSAL, NFSv3) on 127.0.0.1 exporting a fresh
// directory, and rpcbind, which NFSv3 clients ask for the server's ports, when none runs yet.
// Kernel NFS is not available here; libnfs clients (strato-agent, qemu-img) need neither a mount
// nor root. Ganesha registers its programs with the one rpcbind of the machine, so two such
// servers cannot run at once: tests using it share the ctest RESOURCE_LOCK "nfs".
#pragma once

#include <filesystem>
#include <memory>
#include <string>

#include "support/process.h"
#include "support/temp_dir.h"

namespace strato::test {

class NfsServer {
 public:
  // Throws with ganesha's log when it does not serve within 20 seconds.
  static std::unique_ptr<NfsServer> start();
  ~NfsServer();

  // The exported directory, as the server names it and as this machine sees it.
  const std::filesystem::path& exportDir() const { return export_; }
  // ZStack's NFS url of the export: "127.0.0.1:/path".
  std::string url() const { return "127.0.0.1:" + export_.string(); }

 private:
  NfsServer() = default;

  TempDir dir_{"nfs"};
  std::filesystem::path export_;
  std::unique_ptr<Process> rpcbind_;  // only when this server started it
  std::unique_ptr<Process> ganesha_;
};

}  // namespace strato::test
