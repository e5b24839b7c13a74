// The primary storage side of volumes: the handlers of the messages in
// <strato/primary_storage.h>. The capacity a volume holds (total - available - systemUsed) is
// reserved here before the driver creates or grows the file and given back when it fails or
// the file goes, so applyCapacity() carries it over on every reconnect and sync. Every function
// blocks (SQL, drivers): run it on the blocking pool.
#pragma once

#include "ps_service.h"

namespace strato::primary {

Reply createVolume(PrimaryStorageService& service, Database& db, const Json& body);
Reply deleteVolume(PrimaryStorageService& service, Database& db, const Json& body);
Reply resizeVolume(PrimaryStorageService& service, Database& db, const Json& body);
Reply volumeSize(PrimaryStorageService& service, Database& db, const Json& body);
Reply createSnapshot(PrimaryStorageService& service, Database& db, const Json& body);
Reply revertVolume(PrimaryStorageService& service, Database& db, const Json& body);
Reply moveVolumeToHost(PrimaryStorageService& service, Database& db, const Json& body);
Reply fileSource(PrimaryStorageService& service, Database& db, const Json& body);

}  // namespace strato::primary
