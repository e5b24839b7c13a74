// A throwaway mariadbd on 127.0.0.1: its own data directory and free port, root without a
// password, one database created. Stopped by its PID and deleted with the object.
#pragma once

#include <memory>
#include <string>

#include "support/process.h"
#include "support/temp_dir.h"

namespace strato::test {

class MariaDbServer {
 public:
  // Throws with mariadbd's error log when it cannot start within 30 seconds.
  static std::unique_ptr<MariaDbServer> start(const std::string& database = "strato_test");
  ~MariaDbServer();

  int port() const { return port_; }
  std::string url() const;  // mysql://root@127.0.0.1:<port>/<database>

 private:
  MariaDbServer() = default;
  TempDir dir_{"mariadb"};
  std::unique_ptr<Process> server_;
  int port_ = 0;
  std::string database_;
};

}  // namespace strato::test
