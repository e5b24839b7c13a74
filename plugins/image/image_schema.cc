#include "image_schema.h"

namespace strato::image {
namespace {

Migration tables() {
  return {1,
          "images and their copies on backup storage",
          {"CREATE TABLE image (uuid VARCHAR(32) PRIMARY KEY, name VARCHAR(255) NOT NULL, "
           "description TEXT, state VARCHAR(32) NOT NULL, status VARCHAR(32) NOT NULL, "
           "size BIGINT NOT NULL DEFAULT 0, actualSize BIGINT NOT NULL DEFAULT 0, "
           "md5Sum VARCHAR(255), url VARCHAR(2048) NOT NULL, mediaType VARCHAR(64) NOT NULL, "
           "guestOsType VARCHAR(255), type VARCHAR(64) NOT NULL, platform VARCHAR(64) NOT NULL, "
           "format VARCHAR(64) NOT NULL, isSystem BOOLEAN NOT NULL DEFAULT FALSE, "
           "qga BOOLEAN NOT NULL DEFAULT FALSE, backupStorageRefs TEXT NOT NULL, "
           "createDate BIGINT NOT NULL, lastOpDate BIGINT NOT NULL)",
           "CREATE INDEX image_name ON image (name)",
           "CREATE TABLE image_backup_storage_ref (imageUuid VARCHAR(32) NOT NULL, "
           "backupStorageUuid VARCHAR(32) NOT NULL, installPath VARCHAR(2048), "
           "exportUrl VARCHAR(2048), exportMd5Sum VARCHAR(255), status VARCHAR(32) NOT NULL, "
           "createDate BIGINT NOT NULL, lastOpDate BIGINT NOT NULL, "
           "PRIMARY KEY (imageUuid, backupStorageUuid))",
           "CREATE INDEX image_backup_storage_ref_bs ON image_backup_storage_ref "
           "(backupStorageUuid)"}};
}

}  // namespace

void addSchema(Registrar& r) {
  r.addMigrations({tables()});
  using F = FieldType;
  InventorySchema image{
      "Image",
      "image",
      "org.zstack.header.image.ImageInventory",
      {{"uuid"},
       {"name"},
       {"description"},
       {"state"},
       {"status"},
       {"size", F::kInteger},
       {"actualSize", F::kInteger},
       {"md5Sum"},
       {"url"},
       {"mediaType"},
       {"guestOsType"},
       {"type"},
       {"platform"},
       {"format"},
       {"system", F::kBoolean, "isSystem"},
       {"createDate", F::kDate},
       {"lastOpDate", F::kDate},
       // Kept as a JSON list next to the ref rows, so the query engine renders the seed's list;
       // q=backupStorageRef.backupStorageUuid=... queries the rows.
       {"backupStorageRefs", F::kJson}},
      {{"backupStorageRef", "ImageBackupStorageRef", "uuid", "imageUuid"}}};
  image.ownedByAccount = true;
  r.addInventory(image);
  r.addInventory({"ImageBackupStorageRef",
                  "image_backup_storage_ref",
                  "org.zstack.header.image.ImageBackupStorageRefInventory",
                  {{"imageUuid"},
                   {"backupStorageUuid"},
                   {"installPath"},
                   {"exportUrl"},
                   {"exportMd5Sum"},
                   {"status"},
                   {"createDate", F::kDate},
                   {"lastOpDate", F::kDate}},
                  {{"image", "Image", "imageUuid", "uuid"},
                   {"backupStorage", "BackupStorage", "backupStorageUuid", "uuid"}}});
}

}  // namespace strato::image
