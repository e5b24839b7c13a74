// Between an inventory field's wire form and its column: condition values become bound SQL
// parameters of the field's type, and column values become the JSON ZStack clients expect.
#pragma once

#include <string_view>
#include <vector>

#include "strato/database.h"
#include "strato/inventory.h"
#include "strato/json.h"
#include "strato/result.h"

namespace strato::kernel {

// The parameter to compare `field` with `text`:
//   kString, kJson: the text as is.
//   kInteger: a decimal int64.          kFloat: a finite decimal number.
//   kBoolean: true / false (any case) -> 1 / 0, as booleans are stored.
//   kDate: epoch milliseconds, "yyyy-MM-dd HH:mm:ss" or Gson's "Nov 14, 2017 10:20:57 PM"
//          (both local time, the zone the replies are rendered in, so a date copied from a
//          reply can be queried back).
// Anything else is kInvalidArgument naming the field and the value.
Result<DbValue> toBoundValue(const InventoryField& field, std::string_view text);

// The JSON of a non-NULL column value of `type`: dates in Gson form, booleans true/false, kJson
// text parsed (text that is not JSON is rendered as a string rather than failing the query).
Json renderValue(FieldType type, const DbValue& value);

// A row as an object: each non-NULL column c rendered under the name of `fields[c]`.
Json renderRow(const std::vector<const InventoryField*>& fields, const std::vector<DbValue>& row);

}  // namespace strato::kernel
