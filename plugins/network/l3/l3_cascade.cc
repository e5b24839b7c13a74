#include "l3_cascade.h"

#include <algorithm>

#include "ip_ranges.h"

namespace strato::l3 {
namespace {

Result<std::vector<std::string>> uuidsIn(Database& db, const std::string& sql,
                                         const std::vector<std::string>& parents) {
  std::vector<std::string> out;
  for (std::size_t i = 0; i < parents.size(); i += kSlice) {
    std::vector<DbValue> slice(
        parents.begin() + static_cast<long>(i),
        parents.begin() + static_cast<long>(std::min(parents.size(), i + kSlice)));
    auto rows = db.query(sql + sqlPlaceholders(slice.size()) + ")", slice);
    if (!rows) return rows.error();
    for (const auto& r : rows->rows) out.push_back(dbText(r[0]));
  }
  return out;
}

}  // namespace

Result<std::vector<std::string>> l3sOfRanges(Database& db, const std::vector<std::string>& uuids) {
  return uuidsIn(db, "SELECT DISTINCT l3NetworkUuid FROM ip_range WHERE uuid IN (", uuids);
}

Result<std::vector<std::string>> L3NetworkCascade::below(
    const std::string& parentType, const std::vector<std::string>& parentUuids) {
  if (parentType != "L2NetworkVO") return std::vector<std::string>{};
  return uuidsIn(db_, "SELECT uuid FROM l3_network WHERE l2NetworkUuid IN (", parentUuids);
}

Status L3NetworkCascade::remove(const std::vector<std::string>& uuids, DeleteMode) {
  return service_->removeNetworks(uuids);
}

Result<std::vector<std::string>> IpRangeCascade::below(
    const std::string& parentType, const std::vector<std::string>& parentUuids) {
  if (parentType != "L3NetworkVO") return std::vector<std::string>{};
  return uuidsIn(db_, "SELECT uuid FROM ip_range WHERE l3NetworkUuid IN (", parentUuids);
}

Status IpRangeCascade::remove(const std::vector<std::string>& uuids, DeleteMode) {
  auto l3s = l3sOfRanges(db_, uuids);
  if (!l3s) return l3s.error();
  if (auto s = removeRanges(db_, uuids); !s) return s;
  for (const auto& l3 : *l3s) allocator_.invalidate(l3);
  return {};
}

}  // namespace strato::l3
