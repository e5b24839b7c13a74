#include <signal.h>
#include <unistd.h>

#include <fmt/format.h>

#include <cstring>
#include <filesystem>
#include <iostream>

#include "config/config_keys.h"
#include "log/logging.h"
#include "node/node.h"
#include "strato/version.h"

namespace strato::kernel {
namespace {

void printUsage(NodeRole role) {
  std::cout << "usage: strato-" << toString(role)
            << " [--config FILE]... [--set KEY=VALUE]... [--help] [--version]\n\n"
               "Config files hold `key = value` lines; STRATO_<KEY> environment variables\n"
               "override them and --set overrides both. Keys:\n";
  for (const auto& key : knownConfigKeys()) {
    std::cout << fmt::format("  {:<24} {} (default: {})\n", key.name, key.help, key.defaultValue);
  }
}

std::filesystem::path exeDir() {
  std::error_code ec;
  auto self = std::filesystem::read_symlink("/proc/self/exe", ec);
  return ec ? std::filesystem::current_path() : self.parent_path();
}

}  // namespace

int runNode(NodeRole role, int argc, char** argv) {
  ConfigSources sources;
  sources.roleDefaults = roleDefaults(role);
  sources.exeDir = exeDir();
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--help" || arg == "-h") {
      printUsage(role);
      return 0;
    }
    if (arg == "--version") {
      std::cout << "strato-" << toString(role) << " " << kSdkVersion << "\n";
      return 0;
    }
    if ((arg == "--config" || arg == "--set") && i + 1 < argc) {
      if (arg == "--config") {
        sources.files.emplace_back(argv[++i]);
      } else {
        sources.overrides.emplace_back(argv[++i]);
      }
      continue;
    }
    std::cerr << "strato-" << toString(role) << ": bad argument '" << arg << "' (see --help)\n";
    return 2;
  }

  auto config = ConfigStore::load(sources);
  if (!config) {
    std::cerr << "strato-" << toString(role) << ": configuration error: "
              << config.error().message << "\n";
    return 2;
  }
  if (auto s = configureLogging(config->str("log.level"), config->str("log.file")); !s) {
    std::cerr << "strato-" << toString(role) << ": " << s.error().describe() << "\n";
    return 2;
  }

  // Block the stop signals in every thread we are about to start; this thread waits for them.
  sigset_t stopSignals;
  sigemptyset(&stopSignals);
  sigaddset(&stopSignals, SIGINT);
  sigaddset(&stopSignals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stopSignals, nullptr);
  signal(SIGPIPE, SIG_IGN);

  auto log = componentLogger("kernel.node");
  auto node = Node::start(role, std::move(config.value()));
  if (!node) {
    log->error(fmt::format("start failed: {}", node.error().describe()));
    std::cerr << "strato-" << toString(role) << ": start failed: " << node.error().describe() << "\n";
    return 1;
  }
  int signalNumber = 0;
  sigwait(&stopSignals, &signalNumber);
  log->info(fmt::format("stopping signal={}", strsignal(signalNumber)));
  node.value()->stop();
  return 0;
}

}  // namespace strato::kernel
