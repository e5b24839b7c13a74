// Fencing KVM hosts by their heartbeats on shared storage (agent/heartbeat.h). A lost host is
// down when, read through the agent of another Connected host of its cluster, none of its
// heartbeats changes for three intervals. It is not called down when it has no shared storage,
// no other host can look, or any heartbeat still moves: then its guests may still run, and its
// VMs wait for it. Blocking: a verdict takes three heartbeat intervals.
#pragma once

#include <memory>

#include <strato/host_fencer.h>

#include "kvm_agents.h"

namespace strato::kvm {

class KvmFencer : public HostFencer {
 public:
  KvmFencer(std::shared_ptr<KvmAgents> agents, Database& db, Logger& logger)
      : agents_(std::move(agents)), db_(db), logger_(logger) {}

  std::string type() const override { return "KVM"; }
  Result<bool> isDown(const std::string& hostUuid) override;

 private:
  // {root: the host's last beat there}, as `witnessIp`'s agent reads it; a root without a beat
  // is left out.
  Result<std::map<std::string, std::string>> beats(const std::string& witnessIp,
                                                   const std::string& hostUuid,
                                                   const std::vector<std::string>& roots);

  std::shared_ptr<KvmAgents> agents_;
  Database& db_;
  Logger& logger_;
};

}  // namespace strato::kvm
