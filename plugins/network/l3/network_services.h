// Network services (6.1.1-6.1.5): providers, and which provider gives an L3 network which
// service. The built-in "Flat" provider (ZStack's flat network provider) offers DHCP, DNS and
// Userdata; its DHCP server takes one address of the L3 (a used IP with usedFor "DHCP") as soon
// as the service is attached and the L3 has a range. Blocking (SQL): run on the blocking pool,
// queued on the L3.
#pragma once

#include "ip_allocator.h"

namespace strato::l3 {

inline constexpr std::string_view kFlatProviderType = "Flat";
inline constexpr std::string_view kDhcpOwner = "DHCP";

// Published when an L3 network's flat DHCP ends (the L3 deleted, or DHCP detached), so that the
// hosts' DHCP namespaces go: {"l3NetworkUuid", "l2NetworkUuid"}. (The KVM plugin listens.)
inline constexpr std::string_view kFlatDhcpRemovedEvent = "l3.FlatDhcpRemoved";

// The L3 networks among `uuids` with the Flat provider's DHCP: {l3, its l2} pairs.
Result<std::vector<std::pair<std::string, std::string>>> flatDhcpNetworksAmong(
    Database& db, const std::vector<DbValue>& uuids);
void publishFlatDhcpRemoved(MessageBus& bus,
                            const std::vector<std::pair<std::string, std::string>>& networks);

// Start hook: the Flat provider's row, unless there is one (UNIQUE type: several management
// nodes starting at once end up with one row).
Status ensureFlatProvider(Database& db);

class NetworkServices {
 public:
  NetworkServices(Database& db, MessageBus& bus, IpAllocator& allocator, Logger& logger)
      : db_(db), bus_(bus), allocator_(allocator), logger_(logger) {}

  // {"serviceAndProviderTypes": {"DHCP": ["Flat"], ...}}
  Reply types();
  // networkServices: {"<providerUuid>": ["DHCP", ...]}; every provider and type is checked
  // before anything is attached.
  Reply attach(const std::string& l3Uuid, const Json& networkServices);
  Reply detach(const std::string& l3Uuid, const Json& networkServices);
  // {"ip": the DHCP server's address}; kInvalidArgument saying why there is none.
  Reply dhcpIp(const std::string& l3Uuid);
  // The Flat DHCP server gets its address if it is attached, the L3 has a range and it has none
  // yet (after an attach, an AddIpRange, a DeleteIpRange that took its address along).
  Status ensureDhcpIp(const std::string& l3Uuid);
  // What hosts need to serve DHCP on the L3 networks named (a list of uuids) that have flat DHCP
  // with an address: {"networks": {uuid: {"serverIp", "netmask", "gateway", "dns", "dnsDomain",
  // "mtu", "hostRoutes": [{"prefix", "nextHop"}], "userdata"}}}: "dns" and "dnsDomain" only with
  // the Flat DNS service, "userdata" whether the Flat Userdata service is attached too. Networks
  // without flat DHCP are left out.
  Reply flatDhcpNetworks(const Json& l3Uuids);

 private:
  Result<bool> flatDhcpAttached(const std::string& l3Uuid);
  // The Flat provider gives the L3 the service of `type` (DHCP, DNS, Userdata).
  Result<bool> flatServiceAttached(const std::string& l3Uuid, const std::string& type);
  Result<std::vector<std::pair<std::string, std::string>>> pairs(const Json& networkServices);

  Database& db_;
  MessageBus& bus_;
  IpAllocator& allocator_;
  Logger& logger_;
};

}  // namespace strato::l3
