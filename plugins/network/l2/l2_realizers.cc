#include "l2_realizers.h"

#include <set>

#include "agent_client/agent_client.h"
#include "agent_client/kvm_protocol.h"
#include "l2_store.h"
#include "vteps.h"

namespace strato::l2 {
namespace {

bool isVxlan(const L2NetworkSpec& l2) { return l2.vni.has_value() && l2.type == "L2VxlanNetwork"; }

agent::Address agentOf(const HostSpec& host) {
  return {host.managementIp, host.extra.value("agentPort", 0)};
}

// The VTEPs `hostUuid` floods to: each other tunnel host's recorded one. A host not realized
// yet counts with its management address, unless its cluster has a VTEP CIDR: then its address
// is not known before it is realized, and it tells the others then.
Json peersOf(const std::vector<HostSpec>& tunnels, const TunnelEnds& ends,
             const std::string& hostUuid) {
  Json peers = Json::array();
  std::set<std::string> seen;
  for (const auto& t : tunnels) {
    if (t.uuid == hostUuid) continue;
    std::string ip;
    if (auto v = ends.vteps.find(t.uuid); v != ends.vteps.end()) {
      ip = v->second;
    } else if (!ends.cidrs.count(t.clusterUuid)) {
      ip = t.managementIp;
    }
    if (!ip.empty() && seen.insert(ip).second) peers.push_back(ip);
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
                                                       const std::string& clusterUuid) {
  auto clusters = attachedClusters(db_, l2.uuid);
  if (!clusters) return clusters.error();
  std::set<std::string> all(clusters->begin(), clusters->end());
  if (!clusterUuid.empty()) all.insert(clusterUuid);
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

void KvmRealizer::tellPeers(const L2NetworkSpec& l2, const std::string& except,
                            const std::vector<HostSpec>& tunnels, const TunnelEnds& ends) {
  for (const auto& peer : tunnels) {
    if (peer.uuid == except) continue;
    Json body{{"vni", *l2.vni}, {"peers", peersOf(tunnels, ends, peer.uuid)}};
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
  bool tunnel = type == kvm::kRealizeL2 && isVxlan(l2);
  std::vector<HostSpec> tunnels;
  TunnelEnds ends;
  if (tunnel) {
    auto found = tunnelHosts(l2, host.clusterUuid);
    if (!found) return found.error();
    tunnels = std::move(*found);
    auto known = tunnelEnds(db_, l2.poolUuid);
    if (!known) return known.error();
    ends = std::move(*known);
    if (auto cidr = ends.cidrs.find(host.clusterUuid); cidr != ends.cidrs.end()) {
      body.erase("vtepIp");  // the agent picks its address in the CIDR
      body["vtepCidr"] = cidr->second;
    }
    body["peers"] = peersOf(tunnels, ends, host.uuid);
  }
  auto done = agent::call(agentOf(host), Message{std::string(type), "", body}, timeout_);
  if (!done) {
    Error e = done.error();
    e.message = "L2 network " + l2.name + " on KVM host " + host.name + ": " + e.message;
    return e;
  }
  logger_.info("l2Network." + std::string(type == kvm::kRealizeL2 ? "realized" : "unrealized") +
               " " + describe(l2) + " host=" + host.uuid +
               " bridge=" + done->value("bridge", std::string()));
  if (tunnel) {
    std::string vtep = done->value("vtepIp", host.managementIp);
    if (auto st = recordVtep(db_, l2.poolUuid, host.uuid, vtep); !st) return st;
    ends.vteps[host.uuid] = vtep;
    tellPeers(l2, host.uuid, tunnels, ends);
  }
  return {};
}

void KvmRealizer::membersChanged(const L2NetworkSpec& l2) {
  if (!isVxlan(l2)) return;
  auto tunnels = tunnelHosts(l2, "");
  auto ends = tunnelEnds(db_, l2.poolUuid);
  if (!tunnels || !ends) {
    logger_.warn("l2Network.peers.failed uuid=" + l2.uuid +
                 " error=" + (tunnels ? ends.error() : tunnels.error()).describe());
    return;
  }
  tellPeers(l2, "", *tunnels, *ends);
}

Status KvmRealizer::realize(const L2NetworkSpec& l2, const HostSpec& host) {
  return tell(kvm::kRealizeL2, l2, host);
}

Status KvmRealizer::unrealize(const L2NetworkSpec& l2, const HostSpec& host) {
  return tell(kvm::kUnrealizeL2, l2, host);
}

}  // namespace strato::l2
