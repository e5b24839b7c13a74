// The KVM hypervisor as the host and vm plugins see it: every call goes to the host's agent.
#pragma once

#include <memory>

#include <strato/sdk.h>

#include "kvm_agents.h"
#include "agent_client/kvm_protocol.h"

namespace strato::kvm {

inline constexpr std::string_view kType = "KVM";

class KvmHostDriver : public HypervisorDriver {
 public:
  explicit KvmHostDriver(std::shared_ptr<KvmAgents> agents) : agents_(std::move(agents)) {}
  std::string type() const override { return std::string(kType); }
  // SSH check and agent start (KvmAgents::prepare), then the agent's facts.
  Result<HostFacts> connect(const HostSpec& host) override;
  Status ping(const HostSpec& host) override;

 private:
  std::shared_ptr<KvmAgents> agents_;
};

class KvmVmDriver : public VmDriver {
 public:
  KvmVmDriver(std::shared_ptr<KvmAgents> agents, Database& db, MessageBus& bus)
      : agents_(std::move(agents)), db_(db), bus_(bus) {}

  Status start(const VmSpec& vm) override { return send(vm, kStartVm); }
  Status stop(const VmSpec& vm, bool graceful) override;
  Status reboot(const VmSpec& vm) override { return send(vm, kRebootVm); }
  Status pause(const VmSpec& vm) override { return send(vm, kPauseVm); }
  Status resume(const VmSpec& vm) override { return send(vm, kResumeVm); }
  Status destroy(const VmSpec& vm) override { return send(vm, kDestroyVm); }
  Status migrate(const VmSpec& vm, const std::string& toHostUuid,
                 const std::string& toManagementIp) override;
  Status attachVolume(const VmSpec& vm, const VmVolumeSpec& volume) override;
  Status detachVolume(const VmSpec& vm, const VmVolumeSpec& volume) override;
  Status attachNic(const VmSpec& vm, const VmNicSpec& nic) override;
  Status detachNic(const VmSpec& vm, const VmNicSpec& nic) override;
  Status setNicQos(const VmSpec& vm, const VmNicSpec& nic) override;
  Status insertIso(const VmSpec& vm) override { return send(vm, kInsertIso); }
  Status ejectIso(const VmSpec& vm) override { return send(vm, kEjectIso); }
  Status changePassword(const VmSpec& vm, const std::string& user,
                        const std::string& password) override;
  Result<ConsoleAddress> consoleAddress(const VmSpec& vm) override;
  Result<std::string> powerState(const VmSpec& vm) override;

 private:
  // The spec as the agent reads it for `type`, with the networks when the command needs them.
  Result<Json> specFor(const VmSpec& vm, std::string_view type) const;
  // The command with {"vm": spec} plus `extra`, to the agent of the VM's host.
  Reply ask(const VmSpec& vm, std::string_view type, Json extra = Json::object()) const;
  Status send(const VmSpec& vm, std::string_view type, Json extra = Json::object()) const;
  // The spec's extra.nicBridges ({nic uuid: bridge}, from the NICs' L2 networks) and extra.dhcp
  // (kvm_protocol.h, from the l3 plugin), for commands that put NICs on a host.
  Status addNetworks(const VmSpec& vm, Json& spec) const;

  std::shared_ptr<KvmAgents> agents_;
  Database& db_;
  MessageBus& bus_;
};

}  // namespace strato::kvm
