#include "bs_cascade.h"

#include <strato/handler_util.h>

namespace strato::backup {

Result<std::vector<std::string>> ZoneAttachmentCascade::below(
    const std::string& parentType, const std::vector<std::string>& parentUuids) {
  const char* column = parentType == "ZoneVO"            ? "zoneUuid"
                       : parentType == "BackupStorageVO" ? "backupStorageUuid"
                                                         : nullptr;
  if (!column) return std::vector<std::string>{};
  return namesIn(
      db_,
      std::string("SELECT backupStorageUuid, zoneUuid FROM backup_storage_zone_ref WHERE ") +
          column + " IN (",
      parentUuids);
}

Status ZoneAttachmentCascade::remove(const std::vector<std::string>& names, DeleteMode) {
  std::vector<std::pair<std::string, std::string>> refs;
  for (const auto& name : names) {
    auto colon = name.find(':');
    if (colon == std::string::npos) continue;
    refs.emplace_back(name.substr(0, colon), name.substr(colon + 1));
  }
  return service_->removeAttachments(refs);
}

}  // namespace strato::backup
