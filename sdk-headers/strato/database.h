// Database access. The kernel owns the connection pool (SQLite embedded by default,
// MySQL/MariaDB by URL); plugins get this interface and their own versioned migrations.
//
// Threads: every call blocks on I/O. Call it from the bus's blocking pool
// (MessageBus::postBlocking), never from a bus worker. The object is thread-safe; each call
// borrows a pooled connection. The database is usable from the kernel's start hooks on;
// during plugin init it is open, but migrations have not run yet.
//
// SQL: placeholders are `?` on both back ends, and values are always bound, never spliced.
#pragma once

#include <algorithm>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "strato/result.h"

namespace strato {

// A column value: NULL, integer, real, or text (blobs arrive as text).
using DbValue = std::variant<std::monostate, std::int64_t, double, std::string>;

struct DbRows {
  std::vector<std::string> columns;
  std::vector<std::vector<DbValue>> rows;
};

// Reading cells leniently: the back ends do not always agree on a column's C++ type (COUNT(*),
// SUM() of a BIGINT, which MySQL returns as DECIMAL text, ...). NULL reads as "" / 0.
inline std::string dbText(const DbValue& v) {
  if (const auto* s = std::get_if<std::string>(&v)) return *s;
  if (const auto* i = std::get_if<std::int64_t>(&v)) return std::to_string(*i);
  return {};
}

inline std::int64_t dbInt(const DbValue& v) {
  if (const auto* i = std::get_if<std::int64_t>(&v)) return *i;
  if (const auto* d = std::get_if<double>(&v)) return static_cast<std::int64_t>(*d);
  if (const auto* s = std::get_if<std::string>(&v)) {
    try {
      return static_cast<std::int64_t>(std::stod(*s));
    } catch (...) {
      return 0;
    }
  }
  return 0;
}

// "?, ?, ?": the placeholders of an IN list of n bound values.
inline std::string sqlPlaceholders(std::size_t n) {
  std::string out;
  for (std::size_t i = 0; i < n; ++i) out += i ? ", ?" : "?";
  return out;
}

// Both back ends cap how many values one statement may bind; IN lists go in slices of this many.
inline constexpr std::size_t kMaxBoundValues = 500;

// Calls `work` with `values` in slices of at most kMaxBoundValues, in order; stops at the first
// error and returns it.
inline Status forEachSlice(const std::vector<std::string>& values,
                           const std::function<Status(const std::vector<DbValue>& slice)>& work) {
  for (std::size_t i = 0; i < values.size(); i += kMaxBoundValues) {
    auto end = values.begin() + static_cast<long>(std::min(values.size(), i + kMaxBoundValues));
    if (auto done = work(std::vector<DbValue>(values.begin() + static_cast<long>(i), end)); !done)
      return done;
  }
  return {};
}

enum class DbDialect { kSqlite, kMysql };

class Database {
 public:
  virtual ~Database() = default;
  virtual DbDialect dialect() const = 0;

  virtual Result<DbRows> query(std::string_view sql, const std::vector<DbValue>& params = {}) = 0;

  // Returns the number of rows changed.
  virtual Result<std::uint64_t> execute(std::string_view sql,
                                        const std::vector<DbValue>& params = {}) = 0;

  // Runs `work` on one connection inside one transaction: committed when `work` succeeds,
  // rolled back when it returns an error or throws. `tx` is valid only inside `work`; calling
  // transaction() on it runs the nested work inside the same transaction.
  // MySQL commits DDL implicitly: keep DDL out of transactions that must roll back there.
  virtual Status transaction(const std::function<Status(Database& tx)>& work) = 0;
};

// One step of a component's schema. Versions start at 1 and rise by one. A migration runs in
// one transaction together with the version bump; `mysqlStatements`, when not empty, replace
// `statements` on MySQL/MariaDB for the few places where the dialects differ.
struct Migration {
  int version = 0;
  std::string description;
  std::vector<std::string> statements;
  std::vector<std::string> mysqlStatements;
};

}  // namespace strato
