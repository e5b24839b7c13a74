#include "l2_realizers.h"

#include "agent_client/agent_client.h"
#include "agent_client/kvm_protocol.h"
#include "l2_store.h"

namespace strato::l2 {
namespace {

bool isVxlan(const L2NetworkSpec& l2) { return l2.vni.has_value() && l2.type == "L2VxlanNetwork"; }

agent::Address agentOf(const HostSpec& host) {
  return {host.managementIp, host.extra.value("agentPort", 0)};
}

Json peersOf(const std::vector<HostSpec>& tunnels, const std::string& hostUuid) {
  Json peers = Json::array();
  for (const auto& t : tunnels) {
    if (t.uuid != hostUuid) peers.push_back(t.managementIp);
  }
  return peers;
}

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

Result<std::vector<HostSpec>> KvmRealizer::tunnelHosts(const L2NetworkSpec& l2,
                                                       const HostSpec& host) {
  auto clusters = attachedClusters(db_, l2.uuid);
  if (!clusters) return clusters.error();
  std::set<std::string> all(clusters->begin(), clusters->end());
  all.insert(host.clusterUuid);
  std::vector<HostSpec> out;
  for (const auto& cluster : all) {
    auto hosts = clusterHosts(db_, cluster, false);
    if (!hosts) return hosts.error();
    for (auto& h : *hosts) {
      if (h.hypervisorType == hypervisorType()) out.push_back(std::move(h));
    }
  }
  return out;
}

void KvmRealizer::tellPeers(const L2NetworkSpec& l2, const HostSpec& host,
                            const std::vector<HostSpec>& tunnels) {
  for (const auto& peer : tunnels) {
    if (peer.uuid == host.uuid) continue;
    Json body{{"vni", *l2.vni}, {"peers", peersOf(tunnels, peer.uuid)}};
    auto told =
        agent::call(agentOf(peer), Message{std::string(kvm::kSetVxlanPeers), "", body}, timeout_);
    // An unreachable peer gets the full list when it reconnects (realize again).
    if (!told) {
      logger_.warn("l2Network.peers.failed uuid=" + l2.uuid + " host=" + peer.uuid +
                   " error=" + told.error().describe());
    }
  }
}

Status KvmRealizer::tell(std::string_view type, const L2NetworkSpec& l2, const HostSpec& host) {
  Json body{{"type", l2.type},
            {"physicalInterface", l2.physicalInterface},
            {"vlan", l2.vlan.value_or(0)},
            {"vni", l2.vni.value_or(0)},
            {"vtepIp", host.managementIp}};
  std::vector<HostSpec> tunnels;
  bool realizing = type == kvm::kRealizeL2;
  if (realizing && isVxlan(l2)) {
    auto found = tunnelHosts(l2, host);
    if (!found) return found.error();
    tunnels = std::move(*found);
    body["peers"] = peersOf(tunnels, host.uuid);
  }
  auto done = agent::call(agentOf(host), Message{std::string(type), "", body}, timeout_);
  if (!done) {
    Error e = done.error();
    e.message = "L2 network " + l2.name + " on KVM host " + host.name + ": " + e.message;
    return e;
  }
  logger_.info("l2Network." + std::string(realizing ? "realized" : "unrealized") + " " +
               describe(l2) + " host=" + host.uuid +
               " bridge=" + done->value("bridge", std::string()));
  if (realizing && isVxlan(l2)) tellPeers(l2, host, tunnels);
  return {};
}

Status KvmRealizer::realize(const L2NetworkSpec& l2, const HostSpec& host) {
  return tell(kvm::kRealizeL2, l2, host);
}

Status KvmRealizer::unrealize(const L2NetworkSpec& l2, const HostSpec& host) {
  return tell(kvm::kUnrealizeL2, l2, host);
}

}  // namespace strato::l2
