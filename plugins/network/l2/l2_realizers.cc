#include "l2_realizers.h"

#include "agent_client/agent_client.h"
#include "agent_client/kvm_protocol.h"

namespace strato::l2 {
namespace {

std::string describe(const L2NetworkSpec& l2) {
  std::string text = "uuid=" + l2.uuid + " type=" + l2.type + " interface=" + l2.physicalInterface;
  if (l2.vlan) text += " vlan=" + std::to_string(*l2.vlan);
  if (l2.vni) text += " vni=" + std::to_string(*l2.vni);
  return text;
}


}  // namespace

Status SimulatorRealizer::realize(const L2NetworkSpec& l2, const HostSpec& host) {
  // Read at each call, so a test flips it with the ordinary tag APIs.
  auto tagged = db_.query("SELECT 1 FROM system_tag WHERE resourceUuid = ? AND tag = ?",
                          {l2.uuid, std::string(kFailRealizeTag)});
  if (!tagged) return tagged.error();
  if (!tagged->rows.empty()) {
    return makeError(
        ErrorCode::kUnavailable, "simulated failure to realize L2 network " + l2.name,
        "it carries the system tag " + std::string(kFailRealizeTag) + "; host " + host.uuid);
  }
  {
    std::lock_guard lock(mutex_);
    hosts_[host.uuid].insert(l2.uuid);
  }
  logger_.info("l2Network.realized " + describe(l2) + " host=" + host.uuid);
  return {};
}

Status SimulatorRealizer::unrealize(const L2NetworkSpec& l2, const HostSpec& host) {
  {
    std::lock_guard lock(mutex_);
    auto it = hosts_.find(host.uuid);
    if (it != hosts_.end()) {
      it->second.erase(l2.uuid);
      if (it->second.empty()) hosts_.erase(it);
    }
  }
  logger_.info("l2Network.unrealized " + describe(l2) + " host=" + host.uuid);
  return {};
}

void SimulatorRealizer::forgetHost(const std::string& hostUuid) {
  std::lock_guard lock(mutex_);
  hosts_.erase(hostUuid);
}

std::set<std::string> SimulatorRealizer::networksOn(const std::string& hostUuid) const {
  std::lock_guard lock(mutex_);
  auto it = hosts_.find(hostUuid);
  return it == hosts_.end() ? std::set<std::string>{} : it->second;
}

Status KvmRealizer::tell(std::string_view type, const L2NetworkSpec& l2, const HostSpec& host) {
  Json body{{"type", l2.type},
            {"physicalInterface", l2.physicalInterface},
            {"vlan", l2.vlan.value_or(0)},
            {"vni", l2.vni.value_or(0)},
            {"vtepIp", host.managementIp}};
  agent::Address agentAt{host.managementIp, host.extra.value("agentPort", 0)};
  auto done = agent::call(agentAt, Message{std::string(type), "", body}, timeout_);
  if (!done) {
    Error e = done.error();
    e.message = "L2 network " + l2.name + " on KVM host " + host.name + ": " + e.message;
    return e;
  }
  logger_.info("l2Network." + std::string(type == kvm::kRealizeL2 ? "realized" : "unrealized") +
               " " + describe(l2) + " host=" + host.uuid + " bridge=" +
               done->value("bridge", std::string()));
  return {};
}

Status KvmRealizer::realize(const L2NetworkSpec& l2, const HostSpec& host) {
  return tell(kvm::kRealizeL2, l2, host);
}

Status KvmRealizer::unrealize(const L2NetworkSpec& l2, const HostSpec& host) {
  return tell(kvm::kUnrealizeL2, l2, host);
}

}  // namespace strato::l2
