// L2 networks on the host: the bridge guests' NICs join, on the physical interface (no VLAN), on a
// VLAN device of it, or on a VXLAN device whose tunnel ends at the host's VTEP address. Commands
// are iproute2's, run without a shell. With dryRun the agent only reports what it would run,
// for hosts whose networking someone else manages (and for tests without root).
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include <strato/json.h>
#include <strato/result.h>

namespace strato::kvm {

struct L2OnHost {
  std::string type;  // L2NoVlanNetwork, L2VlanNetwork, L2VxlanNetwork
  std::string physicalInterface;
  long long vlan = 0;
  long long vni = 0;
  std::string vtepIp;
};

Result<L2OnHost> l2FromJson(const Json& body);

class HostNetwork {
 public:
  HostNetwork(bool dryRun, std::chrono::milliseconds timeout) : dryRun_(dryRun), timeout_(timeout) {}
  // Idempotent: devices that exist are left as they are. -> {"bridge", "commands"}
  Result<Json> realize(const L2OnHost& l2);
  // Removes a VLAN or VXLAN network's devices. A no-VLAN bridge stays: it carries the host's
  // own uplink, which removing would cut.
  Result<Json> unrealize(const L2OnHost& l2);

 private:
  bool exists(const std::string& device) const;
  // Runs each command (or only lists them, dry) and answers {"bridge", "commands"}.
  Result<Json> apply(const std::string& bridge, const std::vector<std::vector<std::string>>& commands);

  bool dryRun_;
  std::chrono::milliseconds timeout_;
};

}  // namespace strato::kvm
