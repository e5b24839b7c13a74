// The lists of other inventories' rows inside each rendered row (InventorySchema::lists): a VM's
// "vmNics" and "allVolumes". One SELECT per list for a whole page of rows.
#pragma once

#include <string>
#include <vector>

#include "query/inventory_catalog.h"
#include "strato/database.h"
#include "strato/json.h"
#include "strato/result.h"

namespace strato::kernel {

// `keys[i]` is row i's value of the list's localField (empty when NULL); `rows` are the rendered
// rows, in the same order, each of which gets every list of `schema` whose inventory is loaded.
Status fillInventoryLists(Database& db, const InventoryCatalog& catalog,
                          const InventorySchema& schema,
                          const std::vector<std::vector<std::string>>& keysPerList, Json& rows);

}  // namespace strato::kernel
