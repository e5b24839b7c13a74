#include "query/inventory_lists.h"

#include <map>
#include <set>

#include "query/field_codec.h"
#include "query/sql_where.h"

namespace strato::kernel {
namespace {

// The target's rows whose remoteField is one of `keys`, rendered and grouped by that field.
Result<std::map<std::string, Json>> listed(Database& db, const InventorySchema& target,
                                           const InventoryList& list,
                                           const std::vector<std::string>& keys) {
  const InventoryField* remote = findField(target, list.remoteField);
  const InventoryField* order =
      findField(target, list.orderField.empty() ? std::string("uuid") : list.orderField);
  std::string columns;
  for (const auto& f : target.fields) {
    columns += (columns.empty() ? "t0." : ", t0.") + quoteIdentifier(columnOf(f));
  }
  std::string sql = "SELECT " + columns + " FROM " + quoteIdentifier(target.table) +
                    " t0 WHERE t0." + quoteIdentifier(columnOf(*remote)) + " IN (";
  std::string orderBy = order ? " ORDER BY t0." + quoteIdentifier(columnOf(*order)) : "";
  std::size_t remoteIndex = static_cast<std::size_t>(remote - target.fields.data());
  std::map<std::string, Json> out;
  auto read = forEachSlice(keys, [&](const std::vector<DbValue>& slice) -> Status {
    auto rows = db.query(sql + sqlPlaceholders(slice.size()) + ")" + orderBy, slice);
    if (!rows) return rows.error();
    for (const auto& row : rows->rows) {
      Json item = Json::object();
      for (std::size_t c = 0; c < target.fields.size(); ++c) {
        if (std::holds_alternative<std::monostate>(row.at(c))) continue;
        item[target.fields[c].name] = renderValue(target.fields[c].type, row[c]);
      }
      auto& group = out[dbText(row.at(remoteIndex))];
      if (group.is_null()) group = Json::array();
      group.push_back(std::move(item));
    }
    return {};
  });
  if (!read) return read.error();
  return out;
}

}  // namespace

Status fillInventoryLists(Database& db, const InventoryCatalog& catalog,
                          const InventorySchema& schema,
                          const std::vector<std::vector<std::string>>& keysPerList, Json& rows) {
  for (std::size_t l = 0; l < schema.lists.size(); ++l) {
    const InventoryList& list = schema.lists[l];
    const InventorySchema* target = catalog.find(list.inventory);
    if (target == nullptr || !findField(*target, list.remoteField)) continue;
    const auto& keys = keysPerList.at(l);
    std::set<std::string> distinct(keys.begin(), keys.end());
    distinct.erase("");
    auto groups = listed(db, *target, list, {distinct.begin(), distinct.end()});
    if (!groups) return groups.error();
    for (std::size_t i = 0; i < rows.size(); ++i) {
      auto found = groups->find(keys[i]);
      rows[i][list.name] = found == groups->end() ? Json::array() : found->second;
    }
  }
  return {};
}

}  // namespace strato::kernel
