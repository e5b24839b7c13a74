// IP ranges of L3 networks (5.2.15-5.2.19). Ranges of one L3 share netmask and gateway, never
// overlap (nor do ranges of other L3 networks on the same L2), and leave the gateway, the network
// address and the broadcast address out. Blocking (SQL): run on the blocking pool, queued on the
// L3.
#pragma once

#include <strato/sdk.h>

namespace strato::l3 {

// AddIpRange: l3NetworkUuid, name, description?, startIp, endIp, netmask, gateway, resourceUuid?
Reply addIpRange(Database& db, const Json& params);
// AddIpRangeByNetworkCidr: networkCidr "a.b.c.0/n"; the gateway is the first address, the range
// every other one but the broadcast address.
Reply addIpRangeByNetworkCidr(Database& db, const Json& params);
Reply updateIpRange(Database& db, const Json& params);
// The ranges' rows and their used IPs; the L3s' ipRanges columns follow.
Status removeRanges(Database& db, const std::vector<std::string>& uuids);

}  // namespace strato::l3
