// Hypervisors. The host plugin keeps hosts (their rows, states, capacities, ping tracking) for
// every hypervisor type; a HypervisorDriver per type ("KVM", "Simulator") talks to the host.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "strato/json.h"
#include "strato/result.h"

namespace strato {

struct HostSpec {
  std::string uuid;
  std::string name;
  std::string managementIp;
  std::string clusterUuid;
  std::string zoneUuid;
  std::string hypervisorType;
  Json extra;  // type-specific: the KVM driver's username / password / sshPort, say
};

// What a connected host reports about itself.
struct HostFacts {
  std::int64_t cpuNum = 0;
  std::int64_t cpuSockets = 1;
  std::int64_t cpuSpeedMhz = 0;
  std::int64_t totalMemoryBytes = 0;
  std::string architecture = "x86_64";
  std::string osDistribution;
  std::string osRelease;
  Json extra;
};

class HypervisorDriver {
 public:
  static constexpr std::string_view kExtensionPoint = "strato.HypervisorDriver";
  virtual ~HypervisorDriver() = default;
  virtual std::string type() const = 0;  // "KVM", "Simulator"
  // First add and every reconnect: reach the host and learn its facts. Blocking.
  virtual Result<HostFacts> connect(const HostSpec& host) = 0;
  // Periodic liveness check; an error marks the host Disconnected. Blocking.
  virtual Status ping(const HostSpec& host) = 0;
};

// Handled by the host plugin, sent by the plugin of a hypervisor type from its Add<Type>Host
// handler: {"spec": {HostSpec fields}, "session": {...}} -> {"inventory": host}.
inline constexpr std::string_view kAddHostMessage = "host.AddHost";

}  // namespace strato
