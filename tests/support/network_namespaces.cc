#include "support/network_namespaces.h"

#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "support/process.h"

namespace strato::test {

NetworkNamespaces::NetworkNamespaces(const std::string& tag) {
  // A deleted namespace's devices go a moment later, in the kernel's own time: a second object
  // in the same process must not reuse the first one's names.
  static std::atomic<int> made{0};
  prefix_ = tag + std::to_string(getpid()) + "n" + std::to_string(made++);
  if (geteuid() != 0) throw std::runtime_error("network namespaces need root");
  ipBinary_ = findProgram("ip", "iproute2");
}

std::string NetworkNamespaces::add(const std::string& name) {
  std::string ns = prefix_ + "-" + name;
  ip({"netns", "add", ns});
  ip({"-n", ns, "link", "set", "lo", "up"});
  return ns;
}

void NetworkNamespaces::ip(const std::vector<std::string>& args) const {
  runOrThrow(ipBinary_, args, logs_.path() / "ip.log");
}

int NetworkNamespaces::exec(const std::string& ns, const std::vector<std::string>& argv,
                            std::string* output, std::chrono::seconds timeout) const {
  auto log = logs_.path() / ("exec-" + std::to_string(::time(nullptr)) + ".log");
  std::filesystem::remove(log);
  std::vector<std::string> args{"netns", "exec", ns};
  args.insert(args.end(), argv.begin(), argv.end());
  auto p = Process::start(ipBinary_, args, {}, log);
  auto code = p->waitExit(timeout);
  if (output) *output = p->readOutput();
  return code ? *code : -1;
}

std::vector<std::string> NetworkNamespaces::wrapper(const std::string& ns) const {
  // Not `ip netns exec`: that also gives the program a mount namespace of its own, where the
  // namespaces it makes in turn (an agent's DHCP ones) would be invisible to everyone else.
  return {findProgram("nsenter", "util-linux"), "--net=/run/netns/" + ns};
}

NetworkNamespaces::~NetworkNamespaces() {
  for (const auto& entry : std::filesystem::directory_iterator("/run/netns")) {
    std::string ns = entry.path().filename();
    if (ns.rfind(prefix_ + "-", 0) != 0) continue;
    // What still runs inside (a DHCP server an agent started, say) would keep it alive.
    auto pids = Process::start(ipBinary_, {"netns", "pids", ns}, {}, logs_.path() / "pids.log");
    pids->waitExit(std::chrono::seconds(10));
    std::istringstream listed(pids->readOutput());
    for (pid_t pid; listed >> pid;) {
      if (pid > 1) ::kill(pid, SIGKILL);
    }
    std::filesystem::remove(logs_.path() / "pids.log");
    try {
      ip({"netns", "del", ns});
    } catch (const std::exception&) {
      // Nothing to do better in a destructor; the name holds the pid, so no other run reuses it.
    }
  }
}

}  // namespace strato::test
