// Which host's disk holds each file of a LocalStorage (local_storage_resource_ref), and what the
// files take of each disk (local_storage_host_ref.availableCapacity). The storage row's own
// availableCapacity is reserved as for every type (ps_volumes.cc); these are the per-host
// figures beside it, so a host whose disk is full takes no more files even when its neighbours
// have room. Every function blocks (SQL).
#pragma once

#include <string>
#include <vector>

#include "ps_driver.h"

namespace strato::primary {

// The host whose disk holds the resource's file; kNotFound when none is recorded.
Result<std::string> holderOf(Database& db, const std::string& storageUuid,
                             const std::string& resourceUuid);

// Whether the host holding the resource's file no longer uses the storage (its host ref went
// with the host, or with its cluster's detachment).
bool holderLeft(Database& db, const std::string& storageUuid, const std::string& resourceUuid);

// For a new file no caller placed: the host among `hosts` whose disk has the most room, at
// least `size`; kConflict when none has.
Result<std::string> roomiestHost(Database& db, const std::string& storageUuid,
                                 const std::vector<StorageHost>& hosts, std::int64_t size);

// Takes `size` of the host's disk and records the resource there, in one transaction;
// kConflict, with nothing taken, when the disk has not the room.
Status placeOnHost(Database& db, const std::string& storageUuid, const std::string& hostUuid,
                   const std::string& resourceUuid, const std::string& resourceType,
                   std::int64_t size);

// How a growth takes its holder's disk: only if it has the room (kConflict as above otherwise),
// or whatever it has left, for a file that grew already (outside Strato, say).
enum class Growth { kIfRoom, kRegardless };

// The resource's size on its holder's disk changes by `delta`: a growth takes that much more of
// the disk, a shrink gives it back.
Status resizeOnHost(Database& db, const std::string& storageUuid, const std::string& resourceUuid,
                    std::int64_t delta, Growth growth = Growth::kIfRoom);

// Gives back what the resource took of its holder's disk and forgets it. No ref: nothing to do.
Status removeFromHost(Database& db, const std::string& storageUuid,
                      const std::string& resourceUuid);

// Takes `size` of a host's disk without a resource (a move's destination, before the copy).
Status reserveOnHost(Database& db, const std::string& storageUuid, const std::string& hostUuid,
                     std::int64_t size);
// Gives `size` back to a host's disk (never above its total less what the system uses).
Status releaseOnHost(Database& db, const std::string& storageUuid, const std::string& hostUuid,
                     std::int64_t size);

// The resources now live on `to`, whose disk reserveOnHost() already charged: their refs move
// and `from`'s disk gets their sizes back, in one transaction.
Status rehomeResources(Database& db, const std::string& storageUuid,
                       const std::vector<std::string>& resourceUuids, const std::string& from,
                       const std::string& to);

// The sum of the resources' recorded sizes.
Result<std::int64_t> resourcesSize(Database& db, const std::string& storageUuid,
                                   const std::vector<std::string>& resourceUuids);

}  // namespace strato::primary
