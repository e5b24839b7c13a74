#include "support/ssh_server.h"

#include <arpa/inet.h>
#include <crypt.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pwd.h>
#include <shadow.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fstream>
#include <random>
#include <stdexcept>
#include <thread>

#include "support/free_port.h"

namespace strato::test {
namespace {

bool accepts(const std::string& address, int port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  inet_pton(AF_INET, address.c_str(), &addr.sin_addr);
  bool ok = connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  close(fd);
  return ok;
}

std::string randomPassword() {
  static const char kAlphabet[] = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
  std::random_device seed;
  std::mt19937_64 gen(seed());
  std::uniform_int_distribution<std::size_t> pick(0, sizeof kAlphabet - 2);
  std::string out = "Pw-";
  for (int i = 0; i < 20; ++i) out += kAlphabet[pick(gen)];
  return out;
}

// Whether the test user's password (in /etc/shadow) is `password`: something else may have
// changed it since it was kept.
bool passwordIs(const std::string& password) {
  const spwd* entry = getspnam(SshServer::kUser);
  if (!entry || !entry->sp_pwdp) return false;
  const char* hashed = crypt(password.c_str(), entry->sp_pwdp);
  return hashed && std::string(hashed) == entry->sp_pwdp;
}

// The test user and its password are shared by every sshd of every test process (ctest runs
// tests side by side): made once under a lock, the password kept in a root-only file. Changing
// it per server would lock out the servers already running.
std::string sharedPassword(const std::filesystem::path& scratch) {
  const std::filesystem::path state = "/var/lib/strato-test";
  std::filesystem::create_directories(state);
  std::filesystem::permissions(state, std::filesystem::perms::owner_all);
  int lock = open((state / "ssh.lock").c_str(), O_CREAT | O_RDWR, 0600);
  if (lock < 0 || flock(lock, LOCK_EX) != 0)
    throw std::runtime_error("cannot lock " + state.string());
  struct Unlock {
    int fd;
    ~Unlock() { close(fd); }
  } unlock{lock};
  const auto file = state / "ssh-password";
  std::string password;
  std::ifstream(file) >> password;
  if (getpwnam(SshServer::kUser) && !password.empty() && passwordIs(password)) return password;
  if (!getpwnam(SshServer::kUser)) {
    runOrThrow(findProgram("useradd", "passwd"),
               {"--create-home", "--shell", "/bin/sh", SshServer::kUser}, scratch / "useradd.log");
  }
  password = randomPassword();
  auto chpasswd = Process::start("/bin/sh",
                                 {"-c", "echo '" + std::string(SshServer::kUser) + ":" + password +
                                            "' | " + findProgram("chpasswd", "passwd")},
                                 {}, scratch / "chpasswd.log");
  if (chpasswd->waitExit(std::chrono::seconds(30)) != 0) {
    throw std::runtime_error("chpasswd failed: " + chpasswd->readOutput());
  }
  std::ofstream(file) << password << "\n";
  std::filesystem::permissions(
      file, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  return password;
}

}  // namespace

std::unique_ptr<SshServer> SshServer::start(std::vector<std::string> addresses,
                                            std::vector<std::string> wrapper) {
  if (geteuid() != 0) throw std::runtime_error("sshd tests need root (to add the test user)");
  std::unique_ptr<SshServer> s(new SshServer());
  const auto& dir = s->dir_.path();
  s->password_ = sharedPassword(dir);
  // sshd insists on its privilege separation directory.
  std::filesystem::create_directories("/run/sshd");
  std::filesystem::permissions(dir, std::filesystem::perms::owner_all |
                                        std::filesystem::perms::group_exec |
                                        std::filesystem::perms::others_exec);
  s->port_ = freeTcpPort();
  s->addresses_ = std::move(addresses);
  s->wrapper_ = std::move(wrapper);
  s->restart(true);
  return s;
}

void SshServer::restart(bool newHostKey) {
  stop();
  const auto& dir = dir_.path();
  if (newHostKey) {
    std::filesystem::remove(dir / "host_key");
    std::filesystem::remove(dir / "host_key.pub");
    runOrThrow(findProgram("ssh-keygen", "openssh-client"),
               {"-q", "-t", "ed25519", "-N", "", "-f", (dir / "host_key").string()},
               dir / "keygen.log");
  }
  {
    std::ofstream config(dir / "sshd_config");
    config << "Port " << port_ << "\n";
    for (const auto& address : addresses_) config << "ListenAddress " << address << "\n";
    config << "HostKey " << (dir / "host_key").string() << "\n"
           << "PidFile " << (dir / "sshd.pid").string() << "\n"
           << "PasswordAuthentication yes\n"
           << "KbdInteractiveAuthentication no\n"
           << "PubkeyAuthentication no\n"
           << "UsePAM no\n"
           << "AllowUsers " << kUser << "\n"
           << "StrictModes no\n";
  }  // closed, so sshd reads it whole
  launch();
}

void SshServer::launch() {
  const auto& dir = dir_.path();
  std::vector<std::string> argv = wrapper_;
  for (std::string a : {findProgram("sshd", "openssh-server"), std::string("-D"), std::string("-e"),
                        std::string("-f"), (dir / "sshd_config").string()}) {
    argv.push_back(a);
  }
  server_ = Process::start(argv.front(), {argv.begin() + 1, argv.end()}, {}, dir / "sshd.log");
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (std::chrono::steady_clock::now() < deadline) {
    if (!server_->running()) break;
    if (accepts(addresses_.front(), port_)) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  throw std::runtime_error("sshd did not start: " + server_->readOutput());
}

void SshServer::stop() {
  if (server_) server_->stop(std::chrono::seconds(5));
  server_.reset();
}

SshServer::~SshServer() { stop(); }

std::filesystem::path SshServer::writableDir(const std::string& name) const {
  auto path = dir_.path() / name;
  std::filesystem::create_directories(path);
  std::filesystem::permissions(path, std::filesystem::perms::all);
  return path;
}

}  // namespace strato::test
