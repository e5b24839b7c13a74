// A throwaway OpenSSH sshd on 127.0.0.1 for tests of what Strato does over SSH (backup storage,
// KVM hosts): its own host key, config and free port, password logins for one test user. The
// user (kUser) is created when missing, with a random password kept in /var/lib/strato-test for
// every later test; that needs root, so without it start() throws and tests skip. Stopped by its
// PID with the object.
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "support/process.h"
#include "support/temp_dir.h"

namespace strato::test {

class SshServer {
 public:
  static constexpr const char* kUser = "strato-ssh-test";

  // Throws with sshd's log when it cannot start within 10 seconds, or when not root. It listens
  // on each of `addresses` (loopback ones stand in for several machines). `wrapper` runs sshd
  // (`ip netns exec NS` for a network namespace standing in for a machine); it must exec sshd.
  static std::unique_ptr<SshServer> start(std::vector<std::string> addresses = {"127.0.0.1"},
                                          std::vector<std::string> wrapper = {});
  ~SshServer();

  int port() const { return port_; }
  const std::string& user() const { return user_; }
  const std::string& password() const { return password_; }
  // A directory the test user may write to, removed with the server.
  std::filesystem::path writableDir(const std::string& name) const;

  // Stops sshd and starts it again on the same port; with `newHostKey`, as another machine
  // would (a fresh host key).
  void restart(bool newHostKey);
  void stop();

 private:
  SshServer() = default;
  void launch();

  TempDir dir_{"sshd"};
  std::unique_ptr<Process> server_;
  int port_ = 0;
  std::vector<std::string> addresses_;
  std::vector<std::string> wrapper_;
  std::string user_ = kUser;
  std::string password_;
};

}  // namespace strato::test
