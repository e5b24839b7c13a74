// The backup storage handlers of section 4.5 and what the cascade needs. Every function blocks
// (SQL, drivers): run it on the blocking pool, inside a request queued on the storage where there
// is one, so one storage sees one change at a time.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "bs_driver.h"

namespace strato::backup {

// Body {"uuid", "oldStatus", "newStatus"}, published on every status change.
inline constexpr std::string_view kStatusChangedEvent = "backupStorage.StatusChanged";

class BackupStorageService {
 public:
  BackupStorageService(MessageBus& bus, Database& db, const ExtensionLookup& extensions,
                       Logger& logger)
      : bus_(bus), db_(db), extensions_(extensions), logger_(logger) {}

  std::vector<std::string> types() const;

  // Add<Type>BackupStorage: params name, description?, url, type?, resourceUuid?, importImages?,
  // systemTags?; `extra` (the type's settings) is stored with the row. Connecting -> connect()
  // -> Connected; a failed connect deletes the row again and says why.
  Reply add(const std::string& type, const Json& params, Json extra);
  // `type`, when not empty, is the only type this API reconnects or updates (the
  // ImageStore and Sftp forms of the APIs).
  Reply reconnect(const std::string& uuid, const std::string& type);
  Reply update(const Json& params, const std::string& type);
  Reply changeState(const Json& params);
  Reply attach(const std::string& uuid, const std::string& zoneUuid);
  Reply detach(const std::string& uuid, const std::string& zoneUuid);
  Reply deleteRow(const std::string& uuid);
  Reply capacity(const Json& params);
  Reply migrationCandidates(const std::string& srcUuid);

  // Image files, for the image plugin: the messages of <strato/backup_storage.h>, whose bodies
  // these take.
  Reply downloadImage(const Json& body);
  Reply copyImage(const Json& body);
  Reply importVolume(const Json& body);
  Reply statImage(const Json& body);
  Reply deleteImage(const Json& body);
  Reply exportImage(const Json& body);
  Reply sendImage(const Json& body);
  Reply reclaimImages(const Json& body);

  // Cascade: attachments go with their zone or storage; storages with their rows.
  Status removeAttachments(const std::vector<std::pair<std::string, std::string>>& refs);
  Status removeStorages(const std::vector<std::string>& uuids);

 private:
  struct Record {
    BackupStorageSpec spec;
    std::string state;
    std::string status;
  };
  Result<Record> load(const std::string& uuid, const std::string& type = {});
  Result<std::shared_ptr<BackupStorageDriver>> driver(const std::string& type) const;
  Result<Json> inventory(const std::string& uuid);
  Reply inventoryReply(const std::string& uuid);
  // Runs connect() and records what it learned; the status ends Connected or Disconnected.
  Status connect(const BackupStorageSpec& spec, const std::string& from);
  Status setStatus(const std::string& uuid, const std::string& from, const std::string& to);
  Status refreshAttachedColumn(Database& tx, const std::string& uuid);
  // A storage that takes new files: Enabled and Connected.
  Result<Record> usable(const std::string& uuid);
  // A file change of a download or copy on `record`: a simulated storage that it overfills gets
  // the file removed again; otherwise the capacity is recorded and the file described.
  Reply acceptFile(const Record& record, BackupStorageDriver& driver, const FileChange& change);
  // Records the capacity a driver read, or else moves availableCapacity by `delta` bytes.
  Status applyCapacity(const std::string& uuid, const std::optional<BackupStorageCapacity>& read,
                       std::int64_t delta);

  MessageBus& bus_;
  Database& db_;
  const ExtensionLookup& extensions_;
  Logger& logger_;
};

}  // namespace strato::backup
