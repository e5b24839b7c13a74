// The lists of other inventories' rows inside each rendered row (InventorySchema::lists): a VM's
// "vmNics" and "allVolumes". One SELECT per list for a whole page of rows.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "query/inventory_catalog.h"
#include "strato/database.h"
#include "strato/json.h"
#include "strato/result.h"

namespace strato::kernel {

// One list of a page: the target's rows (every field, in declaration order) grouped by their
// remoteField, each group in the list's order. `target` is null when its inventory is not loaded:
// the list is then left out of the rows.
struct ListedRows {
  const InventoryList* list = nullptr;
  const InventorySchema* target = nullptr;
  std::vector<const InventoryField*> fields;  // the target's, for appendMembers
  std::map<std::string, std::vector<std::vector<DbValue>>> groups;
};

// `keysPerList[l][i]` is row i's value of list l's localField (empty when NULL).
Result<std::vector<ListedRows>> fetchInventoryLists(
    Database& db, const InventoryCatalog& catalog, const InventorySchema& schema,
    const std::vector<std::vector<std::string>>& keysPerList);

// Rendered rows, in the order of the keys, each get every list as a Json array.
void fillInventoryLists(const std::vector<ListedRows>& lists,
                        const std::vector<std::vector<std::string>>& keysPerList, Json& rows);

// The same for row `row` written as text: `"name":[...]` per list, to go before the row's '}'
// (after a ',' when `afterMembers`).
void appendInventoryLists(std::string& out, const std::vector<ListedRows>& lists,
                          const std::vector<std::vector<std::string>>& keysPerList, std::size_t row,
                          bool afterMembers);

}  // namespace strato::kernel
