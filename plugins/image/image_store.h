// The image and image_backup_storage_ref tables: rows and inventories. Every function blocks on
// the database: call it from the bus's blocking pool.
#pragma once

#include <string>
#include <vector>

#include <strato/sdk.h>

namespace strato::image {

struct ImageRecord {
  std::string uuid;
  std::string name;
  std::string state;
  std::string status;
  std::string format;
  std::int64_t lastOpDate = 0;
};
// kNotFound when there is no such image.
Result<ImageRecord> loadImage(Database& db, const std::string& uuid);

struct StorageRef {
  std::string backupStorageUuid;
  std::string installPath;
  std::string status;  // Downloading, Ready, Deleted
  std::string exportUrl;
};
Result<std::vector<StorageRef>> refsOf(Database& db, const std::string& imageUuid);

// The inventory of section 3.3.4, backupStorageRefs included.
Result<Json> loadInventory(Database& db, const std::string& uuid);
Reply inventoryReply(Database& db, const std::string& uuid);

// Rewrites the image's backupStorageRefs column (the refs as JSON, so the query engine renders
// the seed's list) from the ref rows, and its status from theirs: Ready when any copy is,
// Deleted when all are, else Downloading. Call it in the transaction that changed them.
Status refreshImage(Database& tx, const std::string& uuid);

// Sets the status of the image's refs on these storages (all when empty), then refreshes it.
Status setRefStatus(Database& db, const std::string& uuid, const std::vector<std::string>& storages,
                    const std::string& status);

// Deletes ref rows, and the image row once it has none left; true when the image went too.
Result<bool> removeRefs(Database& db, const std::string& uuid,
                        const std::vector<std::string>& storages);

}  // namespace strato::image
