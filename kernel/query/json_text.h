// Query replies written straight as JSON text. A listing of 100 VMs with their NICs and volumes
// is thousands of values: building a Json tree of them only to dump and free it cost about half
// the listing's time.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "strato/database.h"
#include "strato/inventory.h"

namespace strato::kernel {

// `text` as a JSON string literal, quotes included (escaped as Json::dump escapes).
void appendJsonString(std::string& out, std::string_view text);

// A non-NULL column value of `type`, as renderValue renders it.
void appendRenderedValue(std::string& out, FieldType type, const DbValue& value);

// A row's object members without the braces: "name":value for each non-NULL column, `fields[c]`
// naming column c. False when every column was NULL (nothing written).
bool appendMembers(std::string& out, const std::vector<const InventoryField*>& fields,
                   const std::vector<DbValue>& row);

}  // namespace strato::kernel
