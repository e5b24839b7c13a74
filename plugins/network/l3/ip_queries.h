// The IPAM reads of section 5.2: GetFreeIp, CheckIpAvailability, GetIpAddressCapacity. They read
// the tables (not the allocator's hints), so they are exact. Blocking (SQL).
#pragma once

#include <strato/sdk.h>

namespace strato::l3 {

// l3NetworkUuid and/or ipRangeUuid, start (an address to begin at), limit (default 100).
Reply getFreeIp(Database& db, const Json& params);
// {"available": bool, "reason"?: why not (used, gateway, reserved, out of range)}
Reply checkIpAvailability(Database& db, const Json& params);
// Over zoneUuids / l3NetworkUuids / ipRangeUuids (also the manual's spellings zoneUids, ...),
// or all=true.
Reply getIpAddressCapacity(Database& db, const Json& params);

}  // namespace strato::l3
