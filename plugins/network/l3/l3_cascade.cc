#include "l3_cascade.h"

#include <algorithm>

#include "ip_ranges.h"

namespace strato::l3 {
Result<std::vector<std::string>> l3sOfRanges(Database& db, const std::vector<std::string>& uuids) {
  return namesIn(db, "SELECT DISTINCT l3NetworkUuid FROM ip_range WHERE uuid IN (", uuids);
}

Result<std::vector<std::string>> L3NetworkCascade::below(
    const std::string& parentType, const std::vector<std::string>& parentUuids) {
  if (parentType != "L2NetworkVO") return std::vector<std::string>{};
  return namesIn(db_, "SELECT uuid FROM l3_network WHERE l2NetworkUuid IN (", parentUuids);
}

Status L3NetworkCascade::remove(const std::vector<std::string>& uuids, DeleteMode) {
  return service_->removeNetworks(uuids);
}

Result<std::vector<std::string>> IpRangeCascade::below(
    const std::string& parentType, const std::vector<std::string>& parentUuids) {
  if (parentType != "L3NetworkVO") return std::vector<std::string>{};
  return namesIn(db_, "SELECT uuid FROM ip_range WHERE l3NetworkUuid IN (", parentUuids);
}

Status IpRangeCascade::remove(const std::vector<std::string>& uuids, DeleteMode) {
  auto l3s = l3sOfRanges(db_, uuids);
  if (!l3s) return l3s.error();
  if (auto s = removeRanges(db_, uuids); !s) return s;
  for (const auto& l3 : *l3s) allocator_.invalidate(l3);
  return {};
}

}  // namespace strato::l3
