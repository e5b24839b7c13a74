// L2NetworkRealizer implementations:
//   - Simulator: records which networks exist on which simulator host, in memory, and logs
//     `l2Network.realized` / `l2Network.unrealized` lines (tests read them). A system tag
//     `simulator::failRealize` on the L2 network (resourceType L2NetworkVO) makes realize() fail.
//   - KVM: the host's strato-agent makes the bridge and its VLAN or VXLAN device, told over HTTP
//     (kvm_protocol.h). A VXLAN network's VTEP on a host is its address in the pool's CIDR for
//     the host's cluster, or else its management address (vteps.h); its peers are the VTEPs of
//     the other KVM hosts of the clusters it is attached to, which hear of the new host too
//     (their flood entries are replaced by the full list), and of hosts that leave.
#pragma once

#include <chrono>
#include <mutex>
#include <set>
#include <unordered_map>

#include "l2_types.h"
#include "vteps.h"

namespace strato::l2 {

inline constexpr std::string_view kFailRealizeTag = "simulator::failRealize";

class SimulatorRealizer : public L2NetworkRealizer {
 public:
  SimulatorRealizer(Database& db, Logger& logger) : db_(db), logger_(logger) {}
  std::string hypervisorType() const override { return "Simulator"; }
  Status realize(const L2NetworkSpec& l2, const HostSpec& host) override;
  Status unrealize(const L2NetworkSpec& l2, const HostSpec& host) override;
  void forgetHost(const std::string& hostUuid) override;

  // The networks realized on a host now.
  std::set<std::string> networksOn(const std::string& hostUuid) const;

 private:
  Database& db_;
  Logger& logger_;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, std::set<std::string>> hosts_;
};

class KvmRealizer : public L2NetworkRealizer {
 public:
  KvmRealizer(Database& db, Logger& logger, std::chrono::milliseconds timeout)
      : db_(db), logger_(logger), timeout_(timeout) {}
  std::string hypervisorType() const override { return "KVM"; }
  Status realize(const L2NetworkSpec& l2, const HostSpec& host) override;
  Status unrealize(const L2NetworkSpec& l2, const HostSpec& host) override;
  void membersChanged(const L2NetworkSpec& l2) override;

 private:
  Status tell(std::string_view type, const L2NetworkSpec& l2, const HostSpec& host);
  // KVM hosts of the network's clusters and of `clusterUuid` (which an attach has not recorded
  // yet; may be empty).
  Result<std::vector<HostSpec>> tunnelHosts(const L2NetworkSpec& l2,
                                            const std::string& clusterUuid);
  // Each tunnel host but `except` floods to all the others.
  void tellPeers(const L2NetworkSpec& l2, const std::string& except,
                 const std::vector<HostSpec>& tunnels, const TunnelEnds& ends);
  Database& db_;
  Logger& logger_;
  std::chrono::milliseconds timeout_;
};

}  // namespace strato::l2
