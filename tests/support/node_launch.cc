#include "support/node_launch.h"

#include <fstream>
#include <thread>

#include "support/http_client.h"

namespace strato::test {
namespace {

std::filesystem::path portFile(const std::filesystem::path& dir) { return dir / "port"; }

}  // namespace

std::vector<std::string> nodeArgs(const std::filesystem::path& dir,
                                  const std::vector<std::string>& args) {
  std::vector<std::string> all{"--set", "http.port=0",
                               "--set", "http.portFile=" + portFile(dir).string(),
                               "--set", "database.url=sqlite:" + (dir / "node.db").string(),
                               "--set", "plugins.dirs="};
  all.insert(all.end(), args.begin(), args.end());
  return all;
}

std::unique_ptr<Process> launchNode(const std::string& binary, const std::filesystem::path& dir,
                                    const std::vector<std::string>& args,
                                    const std::vector<std::string>& wrapper) {
  std::filesystem::remove(portFile(dir));
  if (wrapper.empty()) return Process::start(binary, nodeArgs(dir, args), {}, dir / "node.log");
  std::vector<std::string> all(wrapper.begin() + 1, wrapper.end());
  all.push_back(binary);
  auto rest = nodeArgs(dir, args);
  all.insert(all.end(), rest.begin(), rest.end());
  return Process::start(wrapper.front(), all, {}, dir / "node.log");
}

int waitUntilServing(Process& node, const std::filesystem::path& dir, std::string* why,
                     const std::string& host) {
  using namespace std::chrono_literals;
  auto deadline = std::chrono::steady_clock::now() + 20s;
  while (std::chrono::steady_clock::now() < deadline) {
    if (!node.running()) {
      if (why) *why = "node exited early:\n" + node.readOutput();
      return 0;
    }
    std::ifstream in(portFile(dir));
    int port = 0;
    if (in >> port && port > 0 && httpGet(host, port, "/health").status == 200) return port;
    std::this_thread::sleep_for(20ms);
  }
  if (why) *why = "node not ready in time:\n" + node.readOutput();
  return 0;
}

}  // namespace strato::test
