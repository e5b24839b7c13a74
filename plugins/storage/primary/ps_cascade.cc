#include "ps_cascade.h"

#include <algorithm>
#include <set>

#include "ps_store.h"

namespace strato::primary {
namespace {

// Rows of `sql` (which ends in "IN (") for the parents, in slices; each row's columns joined
// with ':' make one name.
Result<std::vector<std::string>> namesIn(Database& db, const std::string& sql,
                                         const std::vector<std::string>& parents) {
  std::vector<std::string> out;
  for (std::size_t i = 0; i < parents.size(); i += kSlice) {
    std::vector<DbValue> slice(
        parents.begin() + static_cast<long>(i),
        parents.begin() + static_cast<long>(std::min(parents.size(), i + kSlice)));
    auto rows = db.query(sql + sqlPlaceholders(slice.size()) + ")", slice);
    if (!rows) return rows.error();
    for (const auto& r : rows->rows) {
      std::string name;
      for (const auto& v : r) name += (name.empty() ? "" : ":") + dbText(v);
      out.push_back(std::move(name));
    }
  }
  return out;
}

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
