#include "query/inventory_lists.h"

#include <set>

#include "query/field_codec.h"
#include "query/json_text.h"
#include "query/sql_where.h"

namespace strato::kernel {
namespace {

// The target's rows whose remoteField is one of `keys`, grouped by that field.
Status fetch(Database& db, ListedRows& out, const std::vector<std::string>& keys) {
  const InventorySchema& target = *out.target;
  const InventoryField* remote = findField(target, out.list->remoteField);
  const InventoryField* order =
      findField(target, out.list->orderField.empty() ? std::string("uuid") : out.list->orderField);
  std::string columns;
  for (const auto& f : target.fields) {
    columns += (columns.empty() ? "t0." : ", t0.") + quoteIdentifier(columnOf(f));
  }
  std::string sql = "SELECT " + columns + " FROM " + quoteIdentifier(target.table) +
                    " t0 WHERE t0." + quoteIdentifier(columnOf(*remote)) + " IN (";
  std::string orderBy = order ? " ORDER BY t0." + quoteIdentifier(columnOf(*order)) : "";
  std::size_t remoteIndex = static_cast<std::size_t>(remote - target.fields.data());
  return forEachSlice(keys, [&](const std::vector<DbValue>& slice) -> Status {
    auto rows = db.query(sql + sqlPlaceholders(slice.size()) + ")" + orderBy, slice);
    if (!rows) return rows.error();
    for (auto& row : rows->rows) {
      std::string key = dbText(row.at(remoteIndex));
      out.groups[key].push_back(std::move(row));
    }
    return {};
  });
}

}  // namespace

Result<std::vector<ListedRows>> fetchInventoryLists(
    Database& db, const InventoryCatalog& catalog, const InventorySchema& schema,
    const std::vector<std::vector<std::string>>& keysPerList) {
  std::vector<ListedRows> out(schema.lists.size());
  for (std::size_t l = 0; l < schema.lists.size(); ++l) {
    out[l].list = &schema.lists[l];
    const InventorySchema* target = catalog.find(schema.lists[l].inventory);
    if (target == nullptr || !findField(*target, schema.lists[l].remoteField)) continue;
    out[l].target = target;
    for (const auto& f : target->fields) out[l].fields.push_back(&f);
    std::set<std::string> distinct(keysPerList.at(l).begin(), keysPerList.at(l).end());
    distinct.erase("");
    if (auto read = fetch(db, out[l], {distinct.begin(), distinct.end()}); !read)
      return read.error();
  }
  return out;
}

void fillInventoryLists(const std::vector<ListedRows>& lists,
                        const std::vector<std::vector<std::string>>& keysPerList, Json& rows) {
  for (std::size_t l = 0; l < lists.size(); ++l) {
    if (lists[l].target == nullptr) continue;
    for (std::size_t i = 0; i < rows.size(); ++i) {
      Json items = Json::array();
      auto found = lists[l].groups.find(keysPerList[l][i]);
      if (found != lists[l].groups.end()) {
        for (const auto& row : found->second) items.push_back(renderRow(lists[l].fields, row));
      }
      rows[i][lists[l].list->name] = std::move(items);
    }
  }
}

void appendInventoryLists(std::string& out, const std::vector<ListedRows>& lists,
                          const std::vector<std::vector<std::string>>& keysPerList, std::size_t row,
                          bool afterMembers) {
  for (std::size_t l = 0; l < lists.size(); ++l) {
    const ListedRows& listed = lists[l];
    if (listed.target == nullptr) continue;
    if (afterMembers) out += ',';
    afterMembers = true;
    appendJsonString(out, listed.list->name);
    out += ":[";
    auto found = listed.groups.find(keysPerList[l][row]);
    if (found != listed.groups.end()) {
      for (std::size_t i = 0; i < found->second.size(); ++i) {
        out += i ? ",{" : "{";
        appendMembers(out, listed.fields, found->second[i]);
        out += '}';
      }
    }
    out += ']';
  }
}

}  // namespace strato::kernel
