#include "bs_schema.h"

namespace strato::backup {
namespace {

// The columns every backup storage inventory shows, in the seed's order.
constexpr const char* kBaseColumns =
    "uuid, name, url, description, totalCapacity, availableCapacity, type, state, status, "
    "createDate, lastOpDate, attachedZoneUuids";

// One view per SSH type: QueryImageStoreBackupStorage and QuerySftpBackupStorage list only their
// type, with the SSH fields (never the password).
std::string typeView(const std::string& view, const std::string& type) {
  return "CREATE VIEW " + view + " AS SELECT " + kBaseColumns +
         ", hostname, username, sshPort FROM backup_storage WHERE type = '" + type + "'";
}

Migration tables() {
  return {1,
          "backup storage, zone attachments",
          {"CREATE TABLE backup_storage (uuid VARCHAR(32) PRIMARY KEY, "
           "name VARCHAR(255) NOT NULL, description TEXT, url VARCHAR(2048) NOT NULL, "
           "type VARCHAR(64) NOT NULL, state VARCHAR(32) NOT NULL, status VARCHAR(32) NOT NULL, "
           "totalCapacity BIGINT NOT NULL DEFAULT 0, availableCapacity BIGINT NOT NULL DEFAULT 0, "
           "hostname VARCHAR(255), username VARCHAR(255), sshPort INTEGER, "
           "attachedZoneUuids TEXT NOT NULL, extra TEXT, createDate BIGINT NOT NULL, "
           "lastOpDate BIGINT NOT NULL)",
           "CREATE INDEX backup_storage_name ON backup_storage (name)",
           "CREATE TABLE backup_storage_zone_ref (backupStorageUuid VARCHAR(32) NOT NULL, "
           "zoneUuid VARCHAR(32) NOT NULL, createDate BIGINT NOT NULL, "
           "lastOpDate BIGINT NOT NULL, PRIMARY KEY (backupStorageUuid, zoneUuid))",
           "CREATE INDEX backup_storage_zone_ref_zone ON backup_storage_zone_ref (zoneUuid)",
           typeView("image_store_backup_storage", "ImageStoreBackupStorage"),
           typeView("sftp_backup_storage", "SftpBackupStorage")}};
}

std::vector<InventoryField> baseFields(bool ssh) {
  using F = FieldType;
  std::vector<InventoryField> fields{{"uuid"},
                                     {"name"},
                                     {"url"},
                                     {"description"},
                                     {"totalCapacity", F::kInteger},
                                     {"availableCapacity", F::kInteger},
                                     {"type"},
                                     {"state"},
                                     {"status"},
                                     {"createDate", F::kDate},
                                     {"lastOpDate", F::kDate},
                                     // A JSON list kept next to the attachment rows, so the query
                                     // engine renders the seed's list.
                                     {"attachedZoneUuids", F::kJson}};
  if (ssh) {
    fields.push_back({"hostname"});
    fields.push_back({"username"});
    fields.push_back({"sshPort", F::kInteger});
  }
  return fields;
}

InventorySchema inventory(std::string name, std::string table, std::string className, bool ssh) {
  return {std::move(name),
          std::move(table),
          std::move(className),
          baseFields(ssh),
          {{"zoneRefs", "BackupStorageZoneRef", "uuid", "backupStorageUuid"}}};
}

}  // namespace

void addSchema(Registrar& r) {
  r.addMigrations({tables()});
  r.addInventory(inventory("BackupStorage", "backup_storage",
                           "org.zstack.header.storage.backup.BackupStorageInventory", false));
  r.addInventory(inventory("ImageStoreBackupStorage", "image_store_backup_storage",
                           "org.zstack.storage.backup.imagestore.ImageStoreBackupStorageInventory",
                           true));
  r.addInventory(inventory("SftpBackupStorage", "sftp_backup_storage",
                           "org.zstack.storage.backup.sftp.SftpBackupStorageInventory", true));
  using F = FieldType;
  r.addInventory(
      {"BackupStorageZoneRef",
       "backup_storage_zone_ref",
       "org.zstack.header.storage.backup.BackupStorageZoneRefInventory",
       {{"backupStorageUuid"}, {"zoneUuid"}, {"createDate", F::kDate}, {"lastOpDate", F::kDate}},
       {{"zone", "Zone", "zoneUuid", "uuid"},
        {"backupStorage", "BackupStorage", "backupStorageUuid", "uuid"}}});
}

}  // namespace strato::backup
