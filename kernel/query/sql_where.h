// Turns parsed query conditions into a SQL WHERE clause over an inventory's table (alias t0).
// Values are only ever bound parameters; identifiers only ever come from declared schemas
// (checked to be [A-Za-z0-9_] by the catalog) and are quoted besides, so a column may be named
// like a keyword.
//
// Semantics, identical on SQLite and MySQL/MariaDB:
// - Text comparisons (= != < > ?= !?= and sorting) are case-sensitive, by code point. SQLite
//   does that natively; on MySQL the value is compared COLLATE utf8mb4_bin (and `=` / `?=` also
//   plainly, so the column's own index still narrows the search). MySQL's PAD SPACE collations
//   still ignore trailing spaces in = and <; SQLite does not.
// - ~= / !~= are LIKE, case-insensitive for ASCII (SQLite's LIKE; utf8mb4_general_ci on MySQL),
//   with % and _ as wildcards and backslash as the escape character (MySQL's default, made
//   explicit on SQLite), so `name~=a\_b` matches "a_b" only.
// - A path `a.b.f op v` follows relations through nested `IN (SELECT ...)` subqueries, each
//   over an indexed relation column. The operator applies in the innermost one, as in ZStack:
//   `vmNics.ip!=x` is "has a NIC whose ip is not x", not "has no NIC with ip x".
// - `__systemTag__` / `__userTag__` match the resource's uuid against system_tag / user_tag.
//   The negative operators (!= !?= !~=) mean "has no such tag" (NOT IN the positive match);
//   `=null` means "has no tag at all", `!=null` "has some tag".
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "query/condition.h"
#include "query/inventory_catalog.h"
#include "strato/database.h"

namespace strato::kernel {

// A path may follow at most this many relations; deeper ones are refused rather than turned
// into ever deeper subqueries.
inline constexpr std::size_t kMaxPathHops = 8;

// `name` quoted as an identifier; backticks work on both SQLite and MySQL.
std::string quoteIdentifier(std::string_view name);

// "fields: a, b; relations: c, d" for error messages.
std::string describeNames(const InventorySchema& schema);

bool isText(FieldType type);

// The expression to ORDER BY / GROUP BY a field so both back ends order text the same way.
std::string orderKey(DbDialect dialect, const std::string& alias, const InventoryField& field);

class SqlWhere {
 public:
  SqlWhere(const InventoryCatalog& catalog, DbDialect dialect)
      : catalog_(catalog), dialect_(dialect) {}

  // ANDs `condition` on `root` (the table aliased t0). kInvalidArgument for unknown fields or
  // relations, values that do not convert to the field's type, and empty ?= lists.
  Status add(const InventorySchema& root, const Condition& condition);

  // ANDs a clause the kernel wrote itself (never from user input), with its bound values.
  void addTrusted(std::string clause, std::vector<DbValue> values);

  std::string sql() const;  // "" or " WHERE <c1> AND <c2> ..."
  const std::vector<DbValue>& params() const { return params_; }

 private:
  Result<std::string> predicate(const InventorySchema& schema, const std::string& alias,
                                const Condition& condition);
  Result<std::string> fieldPredicate(const InventoryField& field, const std::string& column,
                                     const Condition& condition);
  Result<std::string> tagPredicate(const InventorySchema& schema, const std::string& alias,
                                   const Condition& condition);
  Result<std::vector<DbValue>> listValues(const InventoryField& field, const Condition& c);
  std::string nextAlias(char prefix);

  const InventoryCatalog& catalog_;
  DbDialect dialect_;
  std::vector<std::string> clauses_;
  std::vector<DbValue> params_;
  int aliases_ = 0;
};

}  // namespace strato::kernel
