#include "ps_cascade.h"

#include <algorithm>
#include <set>

#include "ps_store.h"

namespace strato::primary {
namespace {

std::pair<std::string, std::string> split(const std::string& name) {
  auto colon = name.find(':');
  if (colon == std::string::npos) return {name, ""};
  return {name.substr(0, colon), name.substr(colon + 1)};
}

}  // namespace

Result<std::vector<std::string>> PrimaryStorageCascade::below(
    const std::string& parentType, const std::vector<std::string>& parentUuids) {
  if (parentType != "ZoneVO") return std::vector<std::string>{};
  return namesIn(db_, "SELECT uuid FROM primary_storage WHERE zoneUuid IN (", parentUuids);
}

// Permissive or Enforcing alike here: the volume plugin refuses (Permissive) or deletes the
// volumes (Enforcing) in its own node VolumeVO below PrimaryStorageVO, before this runs.
Status PrimaryStorageCascade::remove(const std::vector<std::string>& uuids, DeleteMode) {
  return service_->removeStorages(uuids);
}

Result<std::vector<std::string>> ClusterAttachmentCascade::below(
    const std::string& parentType, const std::vector<std::string>& parentUuids) {
  const char* column = parentType == "ClusterVO"          ? "clusterUuid"
                       : parentType == "PrimaryStorageVO" ? "primaryStorageUuid"
                                                          : nullptr;
  if (!column) return std::vector<std::string>{};
  return namesIn(db_,
                 std::string("SELECT primaryStorageUuid, clusterUuid FROM "
                             "primary_storage_cluster_ref WHERE ") +
                     column + " IN (",
                 parentUuids);
}

Status ClusterAttachmentCascade::remove(const std::vector<std::string>& uuids, DeleteMode) {
  for (const auto& name : uuids) {
    auto [storage, cluster] = split(name);
    if (auto s = service_->removeAttachment(storage, cluster); !s) return s;
  }
  return {};
}

Result<std::vector<std::string>> LocalHostRefCascade::below(
    const std::string& parentType, const std::vector<std::string>& parentUuids) {
  const char* column = parentType == "HostVO"             ? "hostUuid"
                       : parentType == "PrimaryStorageVO" ? "primaryStorageUuid"
                                                          : nullptr;
  if (!column) return std::vector<std::string>{};
  return namesIn(
      db_,
      std::string("SELECT primaryStorageUuid, hostUuid FROM local_storage_host_ref WHERE ") +
          column + " IN (",
      parentUuids);
}

Status LocalHostRefCascade::check(const std::vector<std::string>& uuids, DeleteMode mode) {
  if (mode == DeleteMode::kEnforcing) return {};
  for (const auto& name : uuids) {
    auto [storage, host] = split(name);
    auto held = db_.query(
        "SELECT resourceUuid FROM local_storage_resource_ref WHERE primaryStorageUuid = ? AND "
        "hostUuid = ? ORDER BY resourceUuid",
        {storage, host});
    if (!held) return held.error();
    if (held->rows.empty()) continue;
    std::vector<std::string> files;
    for (const auto& r : held->rows) files.push_back(dbText(r[0]));
    return refusedBecauseOf(files, "the local disk of host " + host + " holds " +
                                       std::to_string(files.size()) +
                                       " volume or snapshot file(s); move them to another host "
                                       "(LocalStorageMigrateVolume) or use deleteMode=Enforcing");
  }
  return {};
}

Status LocalHostRefCascade::remove(const std::vector<std::string>& uuids, DeleteMode) {
  std::set<std::string> storages;
  for (const auto& name : uuids) {
    auto [storage, host] = split(name);
    for (const char* sql :
         {"DELETE FROM local_storage_resource_ref WHERE primaryStorageUuid = ? AND hostUuid = ?",
          "DELETE FROM local_storage_host_ref WHERE primaryStorageUuid = ? AND hostUuid = ?"}) {
      if (auto s = statusOf(db_.execute(sql, {storage, host})); !s) return s;
    }
    storages.insert(storage);
  }
  for (const auto& storage : storages) {
    if (auto s = service_->refreshLocalCapacity(storage); !s) return s;
  }
  return {};
}

}  // namespace strato::primary
