#include "host_network.h"

#include <net/if.h>

#include "agent_client/kvm_protocol.h"
#include "host_command.h"

namespace strato::kvm {
namespace {

using Commands = std::vector<std::vector<std::string>>;

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

}  // namespace

Result<L2OnHost> l2FromJson(const Json& b) {
  L2OnHost l2;
  l2.type = b.value("type", std::string());
  l2.physicalInterface = b.value("physicalInterface", std::string());
  l2.vlan = b.value("vlan", 0LL);
  l2.vni = b.value("vni", 0LL);
  l2.vtepIp = b.value("vtepIp", std::string());
  if (l2.type == "L2VxlanNetwork") {
    if (l2.vni <= 0 || l2.vtepIp.empty()) {
      return makeError(ErrorCode::kInvalidArgument, "a VXLAN network needs a vni and a vtepIp");
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

bool HostNetwork::exists(const std::string& device) const {
  return if_nametoindex(device.c_str()) != 0;
}

Result<Json> HostNetwork::apply(const std::string& bridge, const Commands& commands) {
  Json ran = Json::array();
  for (const auto& argv : commands) {
    std::string line;
    for (const auto& a : argv) line += (line.empty() ? "" : " ") + a;
    ran.push_back(line);
    if (dryRun_) continue;
    if (auto out = runCommand(argv, timeout_); !out) return out.error();
  }
  return Json{{"bridge", bridge}, {"commands", ran}, {"dryRun", dryRun_}};
}

Result<Json> HostNetwork::realize(const L2OnHost& l2) {
  std::string bridge = l2Bridge(l2.type, l2.physicalInterface, l2.vlan, l2.vni);
  std::string uplink = l2.type == "L2NoVlanNetwork" ? l2.physicalInterface : subDevice(l2);
  Commands c;
  // Dry, nothing is looked at: the full list is what a fresh host would run.
  if (l2.type == "L2VlanNetwork" && (dryRun_ || !exists(uplink))) {
    c.push_back({"ip", "link", "add", "link", l2.physicalInterface, "name", uplink, "type", "vlan",
                 "id", std::to_string(l2.vlan)});
  }
  if (l2.type == "L2VxlanNetwork" && (dryRun_ || !exists(uplink))) {
    c.push_back({"ip", "link", "add", uplink, "type", "vxlan", "id", std::to_string(l2.vni),
                 "local", l2.vtepIp, "dstport", "4789"});
  }
  if (dryRun_ || !exists(bridge)) c.push_back({"ip", "link", "add", "name", bridge, "type", "bridge"});
  c.push_back({"ip", "link", "set", uplink, "master", bridge});
  c.push_back({"ip", "link", "set", uplink, "up"});
  c.push_back({"ip", "link", "set", bridge, "up"});
  return apply(bridge, c);
}

Result<Json> HostNetwork::unrealize(const L2OnHost& l2) {
  std::string bridge = l2Bridge(l2.type, l2.physicalInterface, l2.vlan, l2.vni);
  Commands c;
  if (l2.type != "L2NoVlanNetwork") {
    std::string sub = subDevice(l2);
    if (dryRun_ || exists(sub)) c.push_back({"ip", "link", "del", sub});
    if (dryRun_ || exists(bridge)) c.push_back({"ip", "link", "del", bridge});
  }
  return apply(bridge, c);
}

}  // namespace strato::kvm
