// L2 networks on the host: the bridge guests' NICs join, on the physical interface (no VLAN), on a
// VLAN device of it, or on a VXLAN device whose tunnel ends at the host's VTEP address. Commands
// are iproute2's, run without a shell. With dryRun the agent only reports what it would run,
// for hosts whose networking someone else manages (and for tests without root).
#pragma once

#include <chrono>
#include <optional>
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
  // The VTEP: vtepIp, or else this host's address inside vtepCidr (a pool's CIDR for the
  // cluster, so the tunnels can run on a network other than the management one).
  std::string vtepIp;
  std::string vtepCidr;
  // The other hosts' VTEPs, each given a flood entry; the set replaces what was there.
  std::optional<std::vector<std::string>> peers;
};

// `withTunnel`: a VXLAN network must say where its tunnel starts (not so for naming its bridge).
Result<L2OnHost> l2FromJson(const Json& body, bool withTunnel = true);
// The device a network's bridge reaches other hosts through: the physical interface, its VLAN
// device, or the VXLAN device.
std::string uplinkOf(const L2OnHost& l2);
bool interfaceExists(const std::string& name);
// Runs each command, or only lists them when dry; appends each one's text to `ran`.
Status runCommands(const std::vector<std::vector<std::string>>& commands, bool dryRun,
                   std::chrono::milliseconds timeout, Json& ran);
// A JSON list of VTEP addresses, checked.
Result<std::vector<std::string>> vtepList(const Json& list);

class HostNetwork {
 public:
  HostNetwork(bool dryRun, std::chrono::milliseconds timeout)
      : dryRun_(dryRun), timeout_(timeout) {}
  // Idempotent: devices that exist are left as they are. -> {"bridge", "commands", "vtepIp"?}
  Result<Json> realize(const L2OnHost& l2);
  // The VXLAN network's flood entries become `peers`, if its device is on this host; a host
  // without it has nothing to do (it gets the list when the network is realized there).
  Result<Json> setPeers(long long vni, const std::vector<std::string>& peers);
  // Removes a VLAN or VXLAN network's devices. A no-VLAN bridge stays: it carries the host's
  // own uplink, which removing would cut.
  Result<Json> unrealize(const L2OnHost& l2);

 private:
  // Commands that make the device's all-zero (flood) entries exactly `peers`.
  Result<std::vector<std::vector<std::string>>> peerCommands(const std::string& device,
                                                             const std::vector<std::string>& peers);
  // Runs each command (or only lists them, dry) and answers {"bridge", "commands"}.
  Result<Json> apply(const std::string& bridge,
                     const std::vector<std::vector<std::string>>& commands);

  bool dryRun_;
  std::chrono::milliseconds timeout_;
};

}  // namespace strato::kvm
