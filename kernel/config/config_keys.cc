#include "config/config_keys.h"

#include <array>
#include <cctype>
#include <string>

namespace strato::kernel {
namespace {

constexpr std::array kKeys{
    ConfigKey{"node.role", "server", ValueKind::kString, "server or agent; set by the binary"},
    ConfigKey{"http.host", "127.0.0.1", ValueKind::kString, "address the HTTP server binds"},
    ConfigKey{"http.port", "8080", ValueKind::kPort, "HTTP port; 0 picks a free one"},
    ConfigKey{"http.portFile", "", ValueKind::kString,
              "if set, the bound port is written there once listening"},
    ConfigKey{"http.threads", "16", ValueKind::kPositiveInt, "HTTP worker threads"},
    ConfigKey{"http.maxBodyBytes", "4194304", ValueKind::kPositiveInt, "largest request body"},
    ConfigKey{"plugins.dirs", "${exeDir}/../lib/strato/plugins", ValueKind::kList,
              "directories whose *.so files are all loaded"},
    ConfigKey{"plugins.files", "", ValueKind::kList, "further plugin files to load"},
    ConfigKey{"plugins.required", "", ValueKind::kList,
              "plugin names without which the node refuses to start"},
    ConfigKey{"database.url", "sqlite:var/strato.db", ValueKind::kString,
              "sqlite:<path> or mysql://user:password@host:port/database"},
    ConfigKey{"database.poolSize", "8", ValueKind::kPositiveInt, "pooled connections"},
    ConfigKey{"database.busyTimeoutMs", "5000", ValueKind::kNonNegativeInt,
              "SQLite: how long a writer waits for the lock"},
    ConfigKey{"bus.workerThreads", "0", ValueKind::kNonNegativeInt, "0 = one per core"},
    ConfigKey{"bus.blockingThreads", "16", ValueKind::kPositiveInt, "pool for blocking work"},
    ConfigKey{"bus.blockingThreadsMax", "256", ValueKind::kPositiveInt,
              "how far the blocking pool grows while all its threads are busy"},
    ConfigKey{"bus.defaultTimeoutMs", "30000", ValueKind::kPositiveInt, "request timeout"},
    ConfigKey{"log.level", "info", ValueKind::kLogLevel, "trace, debug, info, warn, error"},
    ConfigKey{"log.file", "", ValueKind::kString, "log file; empty = standard error"},
};

}  // namespace

std::span<const ConfigKey> knownConfigKeys() { return kKeys; }

const ConfigKey* findConfigKey(std::string_view name) {
  for (const auto& key : kKeys) {
    if (key.name == name) return &key;
  }
  return nullptr;
}

std::string envNameFor(std::string_view key) {
  std::string env = "STRATO_";
  for (char c : key) {
    env += c == '.' ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  }
  return env;
}

}  // namespace strato::kernel
