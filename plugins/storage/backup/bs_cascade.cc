#include "bs_cascade.h"

namespace strato::backup {

Result<std::vector<std::string>> ZoneAttachmentCascade::below(
    const std::string& parentType, const std::vector<std::string>& parentUuids) {
  const char* column = parentType == "ZoneVO"            ? "zoneUuid"
                       : parentType == "BackupStorageVO" ? "backupStorageUuid"
                                                         : nullptr;
  std::vector<std::string> out;
  if (!column) return out;
  constexpr std::size_t kSlice = 500;
  for (std::size_t i = 0; i < parentUuids.size(); i += kSlice) {
    std::vector<DbValue> slice(
        parentUuids.begin() + static_cast<long>(i),
        parentUuids.begin() + static_cast<long>(std::min(parentUuids.size(), i + kSlice)));
    auto rows = db_.query(std::string("SELECT backupStorageUuid, zoneUuid FROM "
                                      "backup_storage_zone_ref WHERE ") +
                              column + " IN (" + sqlPlaceholders(slice.size()) + ")",
                          slice);
    if (!rows) return rows.error();
    for (const auto& r : rows->rows) out.push_back(dbText(r[0]) + ":" + dbText(r[1]));
  }
  return out;
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
