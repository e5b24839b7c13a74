// The parameters of a Query* API (GET on a resource collection), as ZStack v1 clients send them
// in the query string. Parsing checks syntax only; names are checked against the inventory by
// the query engine.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "strato/result.h"

namespace strato::kernel {

// Upper bound of `limit`: a single reply larger than this is a mistake, and the client can page
// with `start`.
inline constexpr std::int64_t kMaxQueryLimit = 100000;
inline constexpr std::int64_t kDefaultQueryLimit = 1000;

struct QueryRequest {
  std::vector<std::string> conditions;  // `q` values, e.g. "name=vm1"; all must hold (AND)
  std::vector<std::string> fields;      // native fields to return; empty = all
  std::string sort;                     // "+field" or "-field"; empty = default order
  std::int64_t limit = kDefaultQueryLimit;
  std::int64_t start = 0;
  bool count = false;           // reply {"total": N} only
  bool replyWithCount = false;  // add "total" (ignoring limit/start) to the inventories
  std::string groupBy;          // native field: one {"<field>": value, "count": n} per value
  std::string uuid;             // set by GET /x/{uuid}: adds the condition uuid=<uuid>
};

// Whose rows a query may return: set for non-admin sessions (see InventorySchema's
// ownedByAccount and accountField); absent for admins and for the kernel itself.
struct QueryScope {
  std::string accountUuid;
};

// `params` are the URL-decoded query-string pairs in order. Accepted:
//   q (repeatable; alias `condition`), fields (repeatable and/or comma-separated),
//   sort (+f / -f; a leading space counts as '+', since an unencoded '+' decodes to a space),
//   sortBy + sortDirection (asc/desc, default asc; zstack-cli's form, exclusive with sort),
//   limit (0..kMaxQueryLimit), start (>= 0), count, replyWithCount (true/false), groupBy.
// systemTags, userTags and timeout are ignored (ZStack clients send them with every call).
// Single-valued parameters given twice, unknown names, bad numbers or booleans, and
// syntactically bad conditions are kInvalidArgument naming the parameter. Empty `q` values are
// skipped.
Result<QueryRequest> parseQueryRequest(
    const std::vector<std::pair<std::string, std::string>>& params);

}  // namespace strato::kernel
