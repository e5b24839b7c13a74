#include "support/mariadb_server.h"

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "support/free_port.h"

namespace strato::test {
namespace {

std::string tail(const std::filesystem::path& file, std::size_t bytes = 3000) {
  std::ifstream in(file);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  return text.size() > bytes ? text.substr(text.size() - bytes) : text;
}

}  // namespace

std::unique_ptr<MariaDbServer> MariaDbServer::start(const std::string& database) {
  std::unique_ptr<MariaDbServer> db(new MariaDbServer());
  db->database_ = database;
  const auto& dir = db->dir_.path();
  const bool root = geteuid() == 0;
  std::vector<std::string> rootUser;
  if (root) rootUser.push_back("--user=root");

  // root@localhost without a password, reachable over TCP from 127.0.0.1.
  std::vector<std::string> install{"--no-defaults", "--datadir=" + (dir / "data").string(),
                                   "--auth-root-authentication-method=normal", "--skip-test-db"};
  install.insert(install.end(), rootUser.begin(), rootUser.end());
  auto installer = Process::start(findProgram("mariadb-install-db", "mariadb-server"), install, {},
                                  dir / "install.log");
  auto installed = installer->waitExit(std::chrono::seconds(120));
  if (installed != 0) {
    throw std::runtime_error("mariadb-install-db failed:\n" + tail(dir / "install.log"));
  }

  db->port_ = freeTcpPort();
  std::vector<std::string> args{"--no-defaults",
                                "--datadir=" + (dir / "data").string(),
                                "--bind-address=127.0.0.1",
                                "--port=" + std::to_string(db->port_),
                                "--socket=" + (dir / "mysqld.sock").string(),
                                "--pid-file=" + (dir / "mysqld.pid").string(),
                                "--log-error=" + (dir / "error.log").string(),
                                "--skip-name-resolve",
                                "--innodb-buffer-pool-size=32M",
                                "--innodb-log-file-size=8M"};
  args.insert(args.end(), rootUser.begin(), rootUser.end());
  db->server_ =
      Process::start(findProgram("mariadbd", "mariadb-server"), args, {}, dir / "mariadbd.out");

  const std::string client = findProgram("mariadb", "mariadb-client");
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (std::chrono::steady_clock::now() < deadline) {
    if (!db->server_->running()) break;
    auto probe = Process::start(client,
                                {"--no-defaults", "-h127.0.0.1", "-P" + std::to_string(db->port_),
                                 "-uroot", "-e", "CREATE DATABASE IF NOT EXISTS " + database},
                                {}, dir / "client.log");
    if (probe->waitExit(std::chrono::seconds(10)) == 0) return db;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  throw std::runtime_error("mariadbd did not become ready:\n" + tail(dir / "error.log") +
                           tail(dir / "client.log", 500));
}

MariaDbServer::~MariaDbServer() {
  if (server_) server_->stop(std::chrono::seconds(10));
}

std::string MariaDbServer::url() const {
  return "mysql://root@127.0.0.1:" + std::to_string(port_) + "/" + database_;
}

}  // namespace strato::test
