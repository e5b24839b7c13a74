// The volume table's rows and inventories. Every function blocks on the database: call it from
// the bus's blocking pool.
#pragma once

#include <string>
#include <vector>

#include <strato/handler_util.h>
#include <strato/sdk.h>

namespace strato::volume {

struct VolumeRecord {
  std::string uuid;
  std::string name;
  std::string primaryStorageUuid;  // empty while NotInstantiated
  std::string installPath;         // empty while NotInstantiated
  std::string type;                // Root, Data
  std::string format;
  std::string state;   // Enabled, Disabled
  std::string status;  // NotInstantiated, Creating, Ready, Deleted
  std::int64_t size = 0;
  std::int64_t actualSize = 0;
  std::string vmInstanceUuid;
  bool shareable = false;
};
// kNotFound when there is no such volume.
Result<VolumeRecord> loadVolume(Database& db, const std::string& uuid);

// The VMs using the volume: its own VM, or the VMs a shareable volume is attached to (in the
// order they took it).
Result<std::vector<std::string>> vmsOf(Database& db, const VolumeRecord& volume);

// Each VM using the volume (none: fine) is in one of `states`; else kConflict "cannot <what>
// while VM x is <state>". Reads the vm plugin's table: a VM that is starting, stopping or moving
// is rewriting its disks' definitions, so what changes the disk waits for it.
Status vmAllows(Database& db, const VolumeRecord& volume, const std::vector<std::string>& states,
                const std::string& what);

// Deletes the volume's row, and its attachments as a shareable volume (a storage deleted with
// Enforcing takes attached volumes along).
Status dropRow(Database& db, const std::string& uuid);

// The inventory of section 3.2.1 (null fields left out, as the query engine does).
Result<Json> loadInventory(Database& db, const std::string& uuid);
Reply inventoryReply(Database& db, const std::string& uuid);

// The storage's answer to kCreateVolumeMessage for a volume inserted as Creating: its file and
// sizes, and Ready, then the inventory; on failure the row goes again and the error is returned.
Reply recordCreatedFile(Database& db, Logger& logger, const std::string& uuid,
                        const std::string& primaryStorageUuid, std::int64_t requestedSize,
                        const Reply& file);

}  // namespace strato::volume
