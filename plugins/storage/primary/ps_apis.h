// The read-only primary storage APIs of section 4.4 (capacities, types, strategies, local
// storage host disks). Functions that take a Database block: run them on the blocking pool.
#pragma once

#include "ps_service.h"

namespace strato::primary {

// Sums over the storages in any of zoneUuids, clusterUuids (attached), primaryStorageUuids, or
// over all with all=true; neither -> kInvalidArgument.
Reply getPrimaryStorageCapacity(Database& db, const Json& params);
Reply getPrimaryStorageTypes(const PrimaryStorageService& service);
Reply getPrimaryStorageAllocatorStrategies();
// A LocalStorage's host refs, all or the one of `hostUuid`.
Reply getLocalStorageHostDiskCapacity(Database& db, const Json& params);

}  // namespace strato::primary
