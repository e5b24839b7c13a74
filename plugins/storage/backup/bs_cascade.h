// Cascade node of backup storage: BackupStorageZoneRefVO, below ZoneVO and BackupStorageVO, the
// zone attachments, named "<backupStorageUuid>:<zoneUuid>". Backup storage itself hangs below no
// zone (it can serve several, as in ZStack): deleting a zone detaches it, and
// DeleteBackupStorage deletes it. Everything blocks (SQL); the kernel calls it on its blocking
// pool.
#pragma once

#include <memory>

#include "bs_service.h"

namespace strato::backup {

class ZoneAttachmentCascade : public CascadeNode {
 public:
  ZoneAttachmentCascade(Database& db, std::shared_ptr<BackupStorageService> service)
      : db_(db), service_(std::move(service)) {}
  std::string resourceType() const override { return "BackupStorageZoneRefVO"; }
  std::vector<std::string> parentTypes() const override { return {"ZoneVO", "BackupStorageVO"}; }
  Result<std::vector<std::string>> below(const std::string& parentType,
                                         const std::vector<std::string>& parentUuids) override;
  Status remove(const std::vector<std::string>& names, DeleteMode mode) override;

 private:
  Database& db_;
  std::shared_ptr<BackupStorageService> service_;
};

}  // namespace strato::backup
