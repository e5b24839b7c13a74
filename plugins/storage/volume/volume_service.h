// The volume handlers of section 3.2 that need neither VMs nor snapshots. Volume files live on
// primary storage and are reached through the primary storage plugin's messages
// (<strato/primary_storage.h>), which also reserve and give back the storage's capacity; this
// plugin keeps which volumes exist. Every handler blocks: run it on the blocking pool, queued on
// the volume where the API names one.
#pragma once

#include <chrono>
#include <functional>
#include <string>

#include "volume_store.h"

namespace strato::volume {

class VolumeService {
 public:
  VolumeService(MessageBus& bus, Database& db, const GlobalConfigView& config,
                const ExtensionLookup& extensions, Logger& logger)
      : bus_(bus), db_(db), config_(config), extensions_(extensions), logger_(logger) {}

  // Both check the caller's account against volume.data.num and volume.capacity first.
  Reply create(const Json& params, const std::string& accountUuid);
  Reply createFromTemplate(const Json& params, const std::string& accountUuid);
  // CreateDataVolumeFromVolumeSnapshot (3.2.7): a copy of the snapshot on its own storage.
  Reply createFromSnapshot(const Json& params, const std::string& accountUuid);
  Reply remove(const Json& params);
  Reply recover(const Json& params);
  Reply expunge(const Json& params);
  Reply changeState(const Json& params);
  Reply update(const Json& params);
  Reply syncSize(const Json& params);
  Reply resize(const Json& params);
  Reply resizeRoot(const Json& params);
  // PrimaryStorageMigrateVolume (queued on the volume) and its candidates ({"uuids"}).
  Reply migrate(const Json& params);
  Reply migrationCandidates(const Json& params);
  // LocalStorageMigrateVolume (queued on the volume; answers {"uuid", "primaryStorageUuid"} of
  // the volume, whose local_storage_resource_ref is the API's inventory) and
  // LocalStorageGetVolumeMigratableHosts ({"uuids"} of hosts).
  Reply migrateToHost(const Json& params);
  Reply hostCandidates(const Json& params);
  Reply formats(const Json& params);
  Reply capabilities(const Json& params);
  Reply setQos(const Json& params);
  Reply getQos(const Json& params);
  Reply deleteQos(const Json& params);

  // Cascade below PrimaryStorageVO (Enforcing): the files go (as far as the storage answers),
  // then the rows.
  Status removeOnStorage(const std::vector<std::string>& uuids);

  // volume.deletionPolicy Delay: volumes Deleted for longer than volume.expungePeriod go.
  void expungeDue();

 private:
  // Inserts the row (Creating), has the storage create the file, then marks it Ready; a failure
  // removes the row again. `source` carries the template's fields for CreateVolume.
  Reply instantiate(const std::string& uuid, const std::string& primaryStorageUuid,
                    std::int64_t size, const std::string& format, const Json& source);
  // Deletes the file (giving the capacity back), the row, and the kernel's ownership and tag
  // rows of the volume.
  Status expungeVolume(const VolumeRecord& volume);
  // Runs `work` with the volume Migrating (it must be Ready, with a file), then Ready again: a
  // move's fence against attaching, snapshots and its VM's start.
  Status whileMigrating(const VolumeRecord& volume, const std::function<Status()>& work);
  // Migration's work once the volume is fenced (Migrating).
  Status moveFile(const VolumeRecord& volume, const std::string& toPrimaryStorageUuid);
  // Resize(Data|Root)Volume: grows a volume of that type.
  Reply grow(const Json& params, const std::string& type);
  // QuotaGuard (the identity plugin): one more data volume of `size` bytes for the account.
  Status checkQuota(const std::string& accountUuid, std::int64_t size);
  Reply callStorage(std::string_view type, Json body, std::chrono::milliseconds timeout);

  MessageBus& bus_;
  Database& db_;
  const GlobalConfigView& config_;
  const ExtensionLookup& extensions_;
  Logger& logger_;
};

}  // namespace strato::volume
