// The image handlers of section 3.3 and the image APIs of backup storage (4.5.8, 4.5.9,
// 4.5.14.5). Image files live on backup storage and are reached through the backup storage
// plugin's messages (<strato/backup_storage.h>); this plugin keeps which images exist.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "image_store.h"

namespace strato::image {

class ImageService : public std::enable_shared_from_this<ImageService> {
 public:
  ImageService(MessageBus& bus, Database& db, const GlobalConfigView& config, Logger& logger)
      : bus_(bus), db_(db), config_(config), logger_(logger) {}

  // AddImage: rows first (Downloading), then every backup storage downloads at once; the reply
  // comes when all have answered. Copies that failed are dropped; when none succeeded the image
  // is too, and the error lists each storage's reason. Does not block.
  void add(const Message& m, Replier reply);

  // Templates from volumes and snapshots (3.3.10-12): like add, the bytes coming from a
  // primary storage file instead of a url.
  enum class VolumeSource { kRootVolume, kDataVolume, kSnapshot };
  void createFromVolume(const Message& m, VolumeSource source, Replier reply);
  // GetCandidateBackupStorageForCreatingImage (3.3.9): {"uuids": [...]}.
  Reply candidateStorages(const Json& params);

  Reply remove(const Json& params);
  Reply recover(const Json& params);
  Reply expunge(const Json& params);
  Reply changeState(const Json& params);
  Reply update(const Json& params);
  Reply syncSize(const Json& params);
  Reply qga(const Json& params);
  Reply setQga(const Json& params);

  Reply exportImage(const Json& params);
  Reply deleteExported(const Json& params);
  Reply reclaim(const Json& params);
  // BackupStorageMigrateImage: the destination copies the source's file in (through this
  // process between SSH storages); the image then has a copy on both.
  Reply migrate(const Json& params);

  // Deletes the image's refs on `storages`, and the image once it has none left, forgetting its
  // owner and tags then (no DELETE API did: it was expunged, or its storage went).
  Status dropRefs(const std::string& uuid, const std::vector<std::string>& storages);

  // image.deletionPolicy Delay: images Deleted for longer than image.expungePeriod go.
  void expungeDue();

 private:
  // One image's bytes on their way to its backup storages.
  struct Download {
    std::string uuid;
    std::string url;  // where they come from: http(s)://, file:///, volume://, volumeSnapshot://
    std::string format;
    std::string jobUuid;
    std::vector<std::string> storages;
    std::vector<Reply> results;  // one per storage, in order
    // What each storage is sent, with its backupStorageUuid and the imageUuid added.
    std::string requestType = std::string(kDownloadImageMessage);
    Json requestBody;
  };
  Result<Download> prepare(const Json& params);
  // backupStorageUuids: at least one, each a backup storage.
  Result<std::vector<std::string>> storagesParam(const Json& params);
  // The image's row (Downloading) and one ref per storage.
  Status insertImage(const Download& download, const Json& params, const std::string& mediaType,
                     const std::string& platform);
  // Every storage gets the download's request at once; the reply comes once all answered.
  void fetch(const std::shared_ptr<Download>& download, const std::shared_ptr<Replier>& reply);
  Reply finish(const Download& download);
  // Deletes the files of these refs on their storages, then the rows (and the image once it has
  // none). A storage that is gone has no file left to delete.
  Status expungeRefs(const std::string& uuid, const std::vector<StorageRef>& refs);
  // The image's refs on `storages` (all when empty); kInvalidArgument names one it lacks.
  Result<std::vector<StorageRef>> chosenRefs(const std::string& uuid, const Json& params);
  Reply ask(std::string_view type, Json body, std::chrono::milliseconds timeout);

  MessageBus& bus_;
  Database& db_;
  const GlobalConfigView& config_;
  Logger& logger_;
};

}  // namespace strato::image
