#include "host_network.h"

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>

#include <memory>
#include <set>

#include "agent_client/ipv4.h"
#include "agent_client/kvm_protocol.h"
#include "host_command.h"

namespace strato::kvm {
namespace {

using Commands = std::vector<std::vector<std::string>>;

// The all-zero MAC: a VXLAN device floods broadcasts and unknown destinations to each of its
// entries, one per peer VTEP.
constexpr const char* kFloodMac = "00:00:00:00:00:00";

// Interface names go to iproute2 as arguments, but a name it would read as an option or that
// Linux refuses is still an error worth naming.
Status checkDevice(const std::string& name) {
  bool ok = !name.empty() && name.size() < IFNAMSIZ && name.front() != '-';
  for (char c : name) ok = ok && c > ' ' && c != '/' && c != ':';
  if (!ok) return makeError(ErrorCode::kInvalidArgument, "not a network interface name", name);
  return {};
}

std::string subDevice(const L2OnHost& l2) {
  if (l2.type == "L2VxlanNetwork") return "vxlan" + std::to_string(l2.vni);
  return (l2.physicalInterface + "." + std::to_string(l2.vlan)).substr(0, IFNAMSIZ - 1);
}

// The first address of an interface of this host (its network namespace) inside `cidr`.
Result<std::string> localAddressIn(const std::string& cidr) {
  auto net = parseCidr(cidr);
  if (!net) return makeError(ErrorCode::kInvalidArgument, "not an IPv4 CIDR", cidr);
  ifaddrs* list = nullptr;
  if (getifaddrs(&list) != 0) return makeError(ErrorCode::kInternal, "getifaddrs failed");
  std::unique_ptr<ifaddrs, decltype(&freeifaddrs)> owned(list, freeifaddrs);
  for (auto* i = list; i; i = i->ifa_next) {
    if (!i->ifa_addr || i->ifa_addr->sa_family != AF_INET) continue;
    auto address = ntohl(reinterpret_cast<sockaddr_in*>(i->ifa_addr)->sin_addr.s_addr);
    if ((address & netmaskOf(net->second)) == net->first) return ipv4Text(address);
  }
  return makeError(ErrorCode::kNotFound, "this host has no address in " + cidr,
                   "the VXLAN pool's CIDR names the network its tunnels run on");
}

}  // namespace

Result<std::vector<std::string>> vtepList(const Json& list) {
  std::vector<std::string> out;
  if (!list.is_array()) return makeError(ErrorCode::kInvalidArgument, "peers is a list");
  for (const auto& p : list) {
    if (!p.is_string() || !parseIpv4(p.get<std::string>())) {
      return makeError(ErrorCode::kInvalidArgument, "a VXLAN peer is an IPv4 address", p.dump());
    }
    out.push_back(ipv4Text(*parseIpv4(p.get<std::string>())));
  }
  return out;
}

Result<L2OnHost> l2FromJson(const Json& b, bool withTunnel) {
  L2OnHost l2;
  l2.type = b.value("type", std::string());
  l2.physicalInterface = b.value("physicalInterface", std::string());
  l2.vlan = b.value("vlan", 0LL);
  l2.vni = b.value("vni", 0LL);
  l2.vtepIp = b.value("vtepIp", std::string());
  l2.vtepCidr = b.value("vtepCidr", std::string());
  if (b.contains("peers")) {
    auto peers = vtepList(b["peers"]);
    if (!peers) return peers.error();
    l2.peers = std::move(*peers);
  }
  if (l2.type == "L2VxlanNetwork") {
    if (l2.vni <= 0 || (withTunnel && l2.vtepIp.empty() && l2.vtepCidr.empty())) {
      return makeError(ErrorCode::kInvalidArgument,
                       "a VXLAN network needs a vni and a vtepIp or vtepCidr");
    }
    if (!l2.vtepIp.empty() && !parseIpv4(l2.vtepIp)) {
      return makeError(ErrorCode::kInvalidArgument, "vtepIp is not an IPv4 address", l2.vtepIp);
    }
  } else if (l2.type == "L2NoVlanNetwork" || l2.type == "L2VlanNetwork") {
    if (auto st = checkDevice(l2.physicalInterface); !st) return st.error();
    if (l2.type == "L2VlanNetwork" && (l2.vlan < 1 || l2.vlan > 4094)) {
      return makeError(ErrorCode::kInvalidArgument, "a VLAN id is 1-4094", std::to_string(l2.vlan));
    }
  } else {
    return makeError(ErrorCode::kNotSupported, "no host networking for L2 type " + l2.type);
  }
  return l2;
}

bool interfaceExists(const std::string& name) { return if_nametoindex(name.c_str()) != 0; }

std::string uplinkOf(const L2OnHost& l2) {
  return l2.type == "L2NoVlanNetwork" ? l2.physicalInterface : subDevice(l2);
}

Status runCommands(const Commands& commands, bool dryRun, std::chrono::milliseconds timeout,
                   Json& ran) {
  for (const auto& argv : commands) {
    std::string line;
    for (const auto& a : argv) line += (line.empty() ? "" : " ") + a;
    ran.push_back(line);
    if (dryRun) continue;
    if (auto out = runCommand(argv, timeout); !out) return out.error();
  }
  return {};
}

Result<Json> HostNetwork::apply(const std::string& bridge, const Commands& commands) {
  Json ran = Json::array();
  if (auto st = runCommands(commands, dryRun_, timeout_, ran); !st) return st.error();
  return Json{{"bridge", bridge}, {"commands", ran}, {"dryRun", dryRun_}};
}

Result<std::vector<std::vector<std::string>>> HostNetwork::peerCommands(
    const std::string& device, const std::vector<std::string>& peers) {
  std::set<std::string> present;
  std::set<std::pair<std::string, std::string>> learned;  // {mac, dst}: where a guest MAC was seen
  // A device still to be made has no entries to read.
  if (!dryRun_ && interfaceExists(device)) {
    auto shown = runCommand({"bridge", "-j", "fdb", "show", "dev", device}, timeout_);
    if (!shown) return shown.error();
    Json entries = Json::parse(shown->out, nullptr, false);
    if (!entries.is_array()) {
      return makeError(ErrorCode::kInternal, "bridge fdb show printed no JSON", shown->out);
    }
    for (const auto& e : entries) {
      if (!e.contains("dst")) continue;
      if (e.value("mac", "") == kFloodMac) {
        present.insert(e.value("dst", ""));
      } else {
        learned.insert({e.value("mac", ""), e.value("dst", "")});
      }
    }
  }
  Commands c;
  std::set<std::string> wanted(peers.begin(), peers.end());
  for (const auto& p : wanted) {
    if (!present.count(p))
      c.push_back({"bridge", "fdb", "append", kFloodMac, "dev", device, "dst", p});
  }
  for (const auto& p : present) {
    if (!wanted.count(p)) c.push_back({"bridge", "fdb", "del", kFloodMac, "dev", device, "dst", p});
  }
  // Nor is unicast sent on to a host that left, until the entries learned from it age out.
  for (const auto& [mac, dst] : learned) {
    if (!wanted.count(dst)) c.push_back({"bridge", "fdb", "del", mac, "dev", device, "dst", dst});
  }
  return c;
}

Result<Json> HostNetwork::setPeers(long long vni, const std::vector<std::string>& peers) {
  std::string device = "vxlan" + std::to_string(vni);
  if (!dryRun_ && !interfaceExists(device))
    return Json{{"present", false}, {"commands", Json::array()}};
  auto c = peerCommands(device, peers);
  if (!c) return c.error();
  auto applied = apply(device, *c);
  if (applied) (*applied)["present"] = true;
  return applied;
}

Result<Json> HostNetwork::realize(const L2OnHost& given) {
  L2OnHost l2 = given;
  if (l2.type == "L2VxlanNetwork" && l2.vtepIp.empty()) {
    auto local = localAddressIn(l2.vtepCidr);
    if (!local) return local.error();
    l2.vtepIp = *local;
  }
  std::string bridge = l2Bridge(l2.type, l2.physicalInterface, l2.vlan, l2.vni);
  std::string uplink = uplinkOf(l2);
  Commands c;
  // Dry, nothing is looked at: the full list is what a fresh host would run.
  if (l2.type == "L2VlanNetwork" && (dryRun_ || !interfaceExists(uplink))) {
    c.push_back({"ip", "link", "add", "link", l2.physicalInterface, "name", uplink, "type", "vlan",
                 "id", std::to_string(l2.vlan)});
  }
  if (l2.type == "L2VxlanNetwork" && (dryRun_ || !interfaceExists(uplink))) {
    c.push_back({"ip", "link", "add", uplink, "type", "vxlan", "id", std::to_string(l2.vni),
                 "local", l2.vtepIp, "dstport", "4789"});
  }
  if (dryRun_ || !interfaceExists(bridge))
    c.push_back({"ip", "link", "add", "name", bridge, "type", "bridge"});
  c.push_back({"ip", "link", "set", uplink, "master", bridge});
  c.push_back({"ip", "link", "set", uplink, "up"});
  c.push_back({"ip", "link", "set", bridge, "up"});
  if (l2.peers) {
    auto fdb = peerCommands(uplink, *l2.peers);
    if (!fdb) return fdb.error();
    c.insert(c.end(), fdb->begin(), fdb->end());
  }
  auto applied = apply(bridge, c);
  if (applied && l2.type == "L2VxlanNetwork") (*applied)["vtepIp"] = l2.vtepIp;
  return applied;
}

Result<Json> HostNetwork::unrealize(const L2OnHost& l2) {
  std::string bridge = l2Bridge(l2.type, l2.physicalInterface, l2.vlan, l2.vni);
  Commands c;
  if (l2.type != "L2NoVlanNetwork") {
    std::string sub = subDevice(l2);
    if (dryRun_ || interfaceExists(sub)) c.push_back({"ip", "link", "del", sub});
    if (dryRun_ || interfaceExists(bridge)) c.push_back({"ip", "link", "del", bridge});
  }
  return apply(bridge, c);
}

}  // namespace strato::kvm
