#include "support/libvirtd_server.h"

#include <signal.h>
#include <unistd.h>

#include <fstream>
#include <stdexcept>
#include <thread>

namespace strato::test {

namespace fs = std::filesystem;

std::unique_ptr<LibvirtdServer> LibvirtdServer::start() {
  if (geteuid() != 0) throw std::runtime_error("libvirtd tests need root");
  std::unique_ptr<LibvirtdServer> s(new LibvirtdServer());
  const auto& d = s->dir_.path();
  for (const char* sub : {"etc", "run", "lib", "log", "cache", "sock"}) fs::create_directories(d / sub);
  std::ofstream(d / "etc/qemu.conf") << "user = \"root\"\ngroup = \"root\"\n"
                                     << "security_driver = \"none\"\nnamespaces = []\n"
                                     << "cgroup_controllers = []\nstdio_handler = \"file\"\n";
  std::ofstream(d / "libvirtd.conf") << "unix_sock_dir = \"" << (d / "sock").string() << "\"\n"
                                     << "log_outputs = \"3:file:" << (d / "libvirtd.log").string()
                                     << "\"\n";
  std::string binds;
  for (auto [mine, theirs] : {std::pair{"etc", "/etc/libvirt"}, {"run", "/run/libvirt"},
                              {"lib", "/var/lib/libvirt"}, {"log", "/var/log/libvirt"},
                              {"cache", "/var/cache/libvirt"}}) {
    binds += "mkdir -p " + std::string(theirs) + " && mount --bind " + (d / mine).string() + " " +
             theirs + " && ";
  }
  // exec: the pid the test holds is libvirtd's own. Its pid file is its own too, so tests running
  // at once each start one (the default, /run/libvirtd.pid, is the machine's).
  s->daemon_ = Process::start(
      findProgram("unshare", "util-linux"),
      {"-m", "-n", "sh", "-c",
       binds + "ip link set lo up && exec " + findProgram("libvirtd", "libvirt-daemon") +
           " --config " + (d / "libvirtd.conf").string() + " --pid-file " +
           (d / "libvirtd.pid").string()},
      {}, d / "libvirtd.out");
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (!fs::exists(d / "sock/libvirt-sock")) {
    if (!s->daemon_->running() || std::chrono::steady_clock::now() > deadline) {
      std::ifstream log(d / "libvirtd.log");
      std::string text((std::istreambuf_iterator<char>(log)), {});
      throw std::runtime_error("libvirtd did not start: " + s->daemon_->readOutput() + text);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return s;
}

std::string LibvirtdServer::uri() const {
  return "qemu:///system?socket=" + (dir_.path() / "sock/libvirt-sock").string();
}

void LibvirtdServer::inNetwork(const std::vector<std::string>& command) {
  std::vector<std::string> args{"-t", std::to_string(daemon_->pid()), "-n"};
  args.insert(args.end(), command.begin(), command.end());
  runOrThrow(findProgram("nsenter", "util-linux"), args, dir_.path() / "nsenter.log");
}

void LibvirtdServer::killGuests() {
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir_.path() / "run/qemu", ec)) {
    if (e.path().extension() != ".pid") continue;
    pid_t pid = 0;
    if (std::ifstream(e.path()) >> pid && pid > 1) ::kill(pid, SIGKILL);
  }
}

LibvirtdServer::~LibvirtdServer() {
  killGuests();
  if (daemon_) daemon_->stop();
}

}  // namespace strato::test
