#include "l2_cascade.h"

#include <algorithm>
#include <set>

#include "l2_store.h"

namespace strato::l2 {

Result<std::vector<std::string>> L2NetworkCascade::below(
    const std::string& parentType, const std::vector<std::string>& parentUuids) {
  if (parentType == "ZoneVO") {
    return namesIn(db_, "SELECT uuid FROM l2_network WHERE zoneUuid IN (", parentUuids);
  }
  if (parentType == "L2NetworkVO") {
    return namesIn(db_, "SELECT uuid FROM l2_network WHERE poolUuid IN (", parentUuids);
  }
  return std::vector<std::string>{};
}

// The attachments (and so the hosts' devices) went first, in their own node.
Status L2NetworkCascade::remove(const std::vector<std::string>& uuids, DeleteMode) {
  return removeNetworks(db_, uuids);
}

Result<std::vector<std::string>> L2ClusterRefCascade::below(
    const std::string& parentType, const std::vector<std::string>& parentUuids) {
  const char* column = parentType == "ClusterVO"     ? "clusterUuid"
                       : parentType == "L2NetworkVO" ? "l2NetworkUuid"
                                                     : nullptr;
  if (!column) return std::vector<std::string>{};
  return namesIn(
      db_,
      std::string("SELECT l2NetworkUuid, clusterUuid FROM l2_network_cluster_ref WHERE ") + column +
          " IN (",
      parentUuids);
}

Status L2ClusterRefCascade::remove(const std::vector<std::string>& uuids, DeleteMode) {
  for (const auto& name : uuids) {
    auto colon = name.find(':');
    if (colon == std::string::npos) continue;
    if (auto s = service_->removeAttachment(name.substr(0, colon), name.substr(colon + 1)); !s)
      return s;
  }
  return {};
}

Result<std::vector<std::string>> VniRangeCascade::below(
    const std::string& parentType, const std::vector<std::string>& parentUuids) {
  if (parentType != "L2NetworkVO") return std::vector<std::string>{};
  return namesIn(db_, "SELECT uuid FROM vni_range WHERE l2NetworkUuid IN (", parentUuids);
}

Status VniRangeCascade::remove(const std::vector<std::string>& uuids, DeleteMode) {
  return forEachSlice(uuids, [&](const std::vector<DbValue>& slice) -> Status {
    std::string in = "(" + sqlPlaceholders(slice.size()) + ")";
    return db_.transaction([&](Database& tx) -> Status {
      auto pools =
          tx.query("SELECT DISTINCT l2NetworkUuid FROM vni_range WHERE uuid IN " + in, slice);
      if (!pools) return pools.error();
      if (auto s = statusOf(tx.execute("DELETE FROM vni_range WHERE uuid IN " + in, slice)); !s)
        return s;
      // A pool that stays (only a range went) keeps an accurate summary.
      for (const auto& p : pools->rows) {
        auto left = tx.query("SELECT 1 FROM l2_network WHERE uuid = ?", {dbText(p[0])});
        if (!left) return left.error();
        if (!left->rows.empty()) {
          if (auto s = refreshPool(tx, dbText(p[0])); !s) return s;
        }
      }
      return {};
    });
  });
}

}  // namespace strato::l2
