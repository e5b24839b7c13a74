// A libvirtd of the test's own, started by hand as root, for end-to-end tests with real guests
// (QEMU under TCG). It runs in its own mount and network namespaces: /etc/libvirt, /run/libvirt,
// /var/lib/libvirt and /var/log/libvirt are the test's directories there, so nothing of the
// machine's is read or changed, and guests' taps and bridges live in the namespace. Its socket is
// outside (uri()). Settings it needs here, in its qemu.conf: guests run as root (no libvirt-qemu
// privilege drop, no security driver), without namespaces or cgroups, and QEMU writes consoles to
// files itself (no virtlogd).
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "support/process.h"
#include "support/temp_dir.h"

namespace strato::test {

class LibvirtdServer {
 public:
  // Throws with libvirtd's log when it cannot start within 20 seconds, or when not root.
  static std::unique_ptr<LibvirtdServer> start();
  ~LibvirtdServer();

  // qemu:///system through this daemon's socket.
  std::string uri() const;
  const std::filesystem::path& dir() const { return dir_.path(); }
  // Runs a command in the daemon's network namespace (making a bridge for guests, say).
  void inNetwork(const std::vector<std::string>& command);

 private:
  LibvirtdServer() = default;
  // Guests the daemon left running (a test that failed midway), by their pid files.
  void killGuests();

  TempDir dir_{"libvirtd"};
  std::unique_ptr<Process> daemon_;
};

}  // namespace strato::test
