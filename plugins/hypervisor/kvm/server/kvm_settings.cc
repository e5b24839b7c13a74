#include "kvm_settings.h"

#include <filesystem>

namespace strato::kvm {

Result<KvmSettings> loadSettings(const Config& config) {
  KvmSettings s;
  auto seconds = [&](const char* key, std::chrono::seconds& out) -> Status {
    auto v = config.getInt(key, out.count());
    if (!v) return v.error();
    if (*v <= 0) return makeError(ErrorCode::kInvalidArgument, std::string(key) + " must be > 0");
    out = std::chrono::seconds(*v);
    return {};
  };
  auto port = config.getInt("plugin.kvm.agentPort", s.agentPort);
  if (!port) return port.error();
  if (*port <= 0 || *port > 65535) {
    return makeError(ErrorCode::kInvalidArgument, "plugin.kvm.agentPort must be a TCP port");
  }
  s.agentPort = static_cast<int>(*port);
  s.agentCommand = config.getString("plugin.kvm.agentCommand", s.agentCommand);
  s.agentDir = config.getString("plugin.kvm.agentDir", s.agentDir);
  std::error_code ec;
  auto self = std::filesystem::read_symlink("/proc/self/exe", ec);
  s.agentBundleDir = config.getString("plugin.kvm.agentBundleDir",
                                      ec ? "/usr" : self.parent_path().parent_path().string());
  s.agentLibvirtUri = config.getString("plugin.kvm.agentLibvirtUri", s.agentLibvirtUri);
  s.agentSettings = config.getList("plugin.kvm.agentSettings");
  for (auto [key, out] : {std::pair{"plugin.kvm.agentStartSeconds", &s.agentStart},
                          std::pair{"plugin.kvm.callTimeoutSeconds", &s.callTimeout},
                          std::pair{"plugin.kvm.pingTimeoutSeconds", &s.pingTimeout},
                          std::pair{"plugin.kvm.sshTimeoutSeconds", &s.sshTimeout},
                          std::pair{"plugin.kvm.taskPollSeconds", &s.taskPoll},
                          std::pair{"plugin.kvm.heartbeatSeconds", &s.heartbeat}}) {
    if (auto st = seconds(key, *out); !st) return st.error();
  }
  return s;
}

}  // namespace strato::kvm
