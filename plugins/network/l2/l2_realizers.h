// L2NetworkRealizer implementations:
//   - Simulator: records which networks exist on which simulator host, in memory, and logs
//     `l2Network.realized` / `l2Network.unrealized` lines (tests read them). A system tag
//     `simulator::failRealize` on the L2 network (resourceType L2NetworkVO) makes realize() fail.
//   - KVM: the host's strato-agent makes the bridge and its VLAN or VXLAN device (its VTEP is the
//     host's management address), told over HTTP (kvm_protocol.h).
#pragma once

#include <chrono>
#include <mutex>
#include <set>
#include <unordered_map>

#include "l2_types.h"

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
  KvmRealizer(Logger& logger, std::chrono::milliseconds timeout)
      : logger_(logger), timeout_(timeout) {}
  std::string hypervisorType() const override { return "KVM"; }
  Status realize(const L2NetworkSpec& l2, const HostSpec& host) override;
  Status unrealize(const L2NetworkSpec& l2, const HostSpec& host) override;

 private:
  Status tell(std::string_view type, const L2NetworkSpec& l2, const HostSpec& host);
  Logger& logger_;
  std::chrono::milliseconds timeout_;
};

}  // namespace strato::l2
