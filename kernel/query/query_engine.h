// Answers every Query* API from the inventory schemas: no plugin writes a handler for a query.
// A request becomes one bound SELECT (plus a COUNT(*) for replyWithCount) over the inventory's
// table; see sql_where.h for the condition semantics shared by SQLite and MySQL/MariaDB.
//
// Reply bodies, as ZStack v1 clients expect them:
//   {"inventories": [...]}                      one object per row
//   {"inventories": [...], "total": N}          replyWithCount: N ignores limit and start
//   {"total": N}                                count=true
//   "schema": {"inventories[0]": className, ...} added, one entry per returned row, when the
//                                               inventory declares a className (ZStack's SDK
//                                               reads it to pick the inventory class)
// Each inventory object holds every declared field, or the `fields` subset; NULL columns are
// left out, as Gson leaves out nulls.
//
// Order: `sort=+f|-f` on a native field, then uuid (when the inventory has one) so pages are
// stable; without sort, by uuid; without either, the database's order.
//
// groupBy=f: one {"f": value, "count": n} per distinct value of f among the matching rows
// (rows with f NULL form a group without the "f" key), ordered by the value ascending, or
// descending with sort=-f; limit and start page the groups; count and replyWithCount's total
// count groups. No "schema" is added, since groups are not inventories; `fields` and a sort on
// another field are refused.
//
// replyWithCount runs the count and the page as two statements, not one snapshot: a row written
// in between can make the total differ from what paging then finds by one.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "query/inventory_catalog.h"
#include "query/inventory_lists.h"
#include "query/query_request.h"
#include "strato/database.h"
#include "strato/json.h"
#include "strato/result.h"

namespace strato::kernel {

class QueryEngine {
 public:
  QueryEngine(Database& db, const InventoryCatalog& catalog) : db_(db), catalog_(catalog) {}

  // kNotFound for an unknown inventory; kInvalidArgument for anything in the request that does
  // not fit the inventory (fields, relations, values, sort, groupBy); database failures as the
  // database reports them. Blocks on SQL: call it from the blocking pool.
  // `scope`, when given, limits the inventory's rows to what that account may see.
  Result<Json> run(std::string_view inventory, const QueryRequest& request,
                   const QueryScope* scope = nullptr) const;
  // The same reply as JSON text, written without a Json tree (for the REST front end).
  Result<std::string> runText(std::string_view inventory, const QueryRequest& request,
                              const QueryScope* scope = nullptr) const;

 private:
  // What a request found, before it is rendered.
  struct Page {
    const InventorySchema* schema = nullptr;
    const InventoryField* groupBy = nullptr;
    bool countOnly = false;
    std::optional<std::int64_t> total;
    std::vector<const InventoryField*> selected;  // the rows' columns (groups: value, count)
    std::vector<std::vector<DbValue>> rows;
    std::vector<std::vector<std::string>> listKeys;  // per list, each row's key
    std::vector<ListedRows> lists;
    bool hasClassNames() const;
  };
  Result<Page> page(std::string_view inventory, const QueryRequest& request,
                    const QueryScope* scope) const;
  static Json toJson(const Page& page);

  Database& db_;
  const InventoryCatalog& catalog_;
};

}  // namespace strato::kernel
