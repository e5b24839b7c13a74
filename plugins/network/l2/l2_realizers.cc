#include "l2_realizers.h"

namespace strato::l2 {
namespace {

std::string describe(const L2NetworkSpec& l2) {
  std::string text = "uuid=" + l2.uuid + " type=" + l2.type + " interface=" + l2.physicalInterface;
  if (l2.vlan) text += " vlan=" + std::to_string(*l2.vlan);
  if (l2.vni) text += " vni=" + std::to_string(*l2.vni);
  return text;
}

Error kvmMissing(const L2NetworkSpec& l2, const HostSpec& host) {
  return makeError(ErrorCode::kNotSupported,
                   "L2 network " + l2.name + " cannot be set up on KVM host " + host.name +
                       ": the KVM agent does not exist yet",
                   "host " + host.uuid + " (" + host.managementIp + ")");
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

Status KvmRealizer::realize(const L2NetworkSpec& l2, const HostSpec& host) {
  return kvmMissing(l2, host);
}

Status KvmRealizer::unrealize(const L2NetworkSpec& l2, const HostSpec& host) {
  return kvmMissing(l2, host);
}

}  // namespace strato::l2
