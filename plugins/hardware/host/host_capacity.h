// CPU and memory that VMs take from hosts (kReserveHostCapacityMessage and
// kReleaseHostCapacityMessage of <strato/vm.h>). Each is one conditional UPDATE, so concurrent
// reservations on one host never take more than it has, also across management nodes.
#pragma once

#include <strato/sdk.h>

namespace strato::host {

Reply reserveCapacity(Database& db, const Json& body);
Reply releaseCapacity(Database& db, const Json& body);

}  // namespace strato::host
