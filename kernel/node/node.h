// A running node: the kernel assembled for one role. The management node (strato-server) and
// the host agent (strato-agent) differ only in their defaults and the plugins they load.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "config/config_store.h"
#include "plugin/plugin_loader.h"
#include "strato/result.h"

namespace strato::kernel {

enum class NodeRole { kServer, kAgent };

std::string_view toString(NodeRole role);
// Defaults that differ by role (ports, plugin directories, database file).
std::vector<std::string> roleDefaults(NodeRole role);

class Node {
 public:
  // Starts everything or nothing: on error, whatever was started is stopped again.
  static Result<std::unique_ptr<Node>> start(NodeRole role, ConfigStore config);
  ~Node();

  int httpPort() const;
  const std::vector<PluginInfo>& plugins() const;
  // Stops HTTP, runs the plugins' stop hooks, shuts the bus down. Idempotent.
  void stop();

  struct State;

 private:
  explicit Node(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

// main() of both binaries: parses the command line, loads config, starts, waits for SIGINT or
// SIGTERM, stops. Exit codes: 0 clean stop, 1 start failure, 2 bad command line or config.
int runNode(NodeRole role, int argc, char** argv);

}  // namespace strato::kernel
