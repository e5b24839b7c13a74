// The management node's settings for KVM hosts (server config or --set):
//   plugin.kvm.agentPort         the port every host's strato-agent listens on (7070)
//   plugin.kvm.agentCommand      how to run strato-agent on a host ("strato-agent", on its PATH)
//   plugin.kvm.agentDir          the agent's working directory there (/var/lib/strato-agent):
//                                its database, log and pid file; and the agent itself when
//                                the host has no agentCommand, installed there by this node
//   plugin.kvm.agentBundleDir    where this node finds what it installs: bin/strato-agent,
//                                bin/strato-metadata and lib/strato/agent-plugins/ under it
//                                (default: this node's own installation, the directory above
//                                its program's)
//   plugin.kvm.agentLibvirtUri   the libvirt a started agent drives (qemu:///system)
//   plugin.kvm.agentSettings     more key=value settings for a started agent, comma-separated
//                                (plugin.kvm-agent.dryRunNetwork=true, say)
//   plugin.kvm.agentStartSeconds how long a started agent has to answer (20)
//   plugin.kvm.callTimeoutSeconds  how long a guest or file command may take (600)
//   plugin.kvm.pingTimeoutSeconds  how long a ping may take before the host is Disconnected (15)
//   plugin.kvm.sshTimeoutSeconds   SSH connects and commands (15)
//   plugin.kvm.taskPollSeconds     how long a long command waits for its callback before asking
//                                  the agent how it goes (2)
//   plugin.kvm.heartbeatSeconds    how often agents write their heartbeat on shared storage (2);
//                                  the fencer calls a host down after 3 without a change
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include <strato/sdk.h>

namespace strato::kvm {

struct KvmSettings {
  int agentPort = 7070;
  std::string agentCommand = "strato-agent";
  std::string agentDir = "/var/lib/strato-agent";
  std::string agentBundleDir;
  std::string agentLibvirtUri = "qemu:///system";
  std::vector<std::string> agentSettings;
  std::chrono::seconds agentStart{20};
  std::chrono::seconds callTimeout{600};
  std::chrono::seconds pingTimeout{15};
  std::chrono::seconds sshTimeout{15};
  std::chrono::seconds taskPoll{2};
  std::chrono::seconds heartbeat{2};
};

Result<KvmSettings> loadSettings(const Config& config);

}  // namespace strato::kvm
