#include "db/sqlite_statement.h"

#include <sqlite3.h>

#include <memory>
#include <string>

namespace strato::kernel {
namespace {

using StatementPtr = std::unique_ptr<sqlite3_stmt, decltype(&sqlite3_finalize)>;

Error sqliteError(sqlite3* db, std::string_view sql) {
  return makeError(ErrorCode::kUnavailable, "statement failed: " + std::string(sql.substr(0, 200)),
                   sqlite3_errmsg(db));
}

Result<StatementPtr> prepare(sqlite3* db, std::string_view sql, const std::vector<DbValue>& params) {
  sqlite3_stmt* raw = nullptr;
  const char* tail = nullptr;
  if (sqlite3_prepare_v2(db, sql.data(), static_cast<int>(sql.size()), &raw, &tail) != SQLITE_OK) {
    return sqliteError(db, sql);
  }
  StatementPtr stmt(raw, &sqlite3_finalize);
  if (!stmt) return makeError(ErrorCode::kInvalidArgument, "empty SQL statement");
  std::string_view rest(tail, static_cast<std::size_t>(sql.data() + sql.size() - tail));
  if (rest.find_first_not_of(" \t\r\n;") != std::string_view::npos) {
    return makeError(ErrorCode::kInvalidArgument, "one SQL statement per call",
                     std::string(sql.substr(0, 200)));
  }
  if (static_cast<std::size_t>(sqlite3_bind_parameter_count(raw)) != params.size()) {
    return makeError(ErrorCode::kInvalidArgument,
                     "statement has " + std::to_string(sqlite3_bind_parameter_count(raw)) +
                         " placeholders but " + std::to_string(params.size()) + " values were given",
                     std::string(sql.substr(0, 200)));
  }
  for (std::size_t i = 0; i < params.size(); ++i) {
    const int index = static_cast<int>(i) + 1;
    int rc = std::visit(
        [&](const auto& v) {
          using T = std::decay_t<decltype(v)>;
          if constexpr (std::is_same_v<T, std::monostate>) {
            return sqlite3_bind_null(raw, index);
          } else if constexpr (std::is_same_v<T, std::int64_t>) {
            return sqlite3_bind_int64(raw, index, v);
          } else if constexpr (std::is_same_v<T, double>) {
            return sqlite3_bind_double(raw, index, v);
          } else {
            return sqlite3_bind_text(raw, index, v.data(), static_cast<int>(v.size()),
                                     SQLITE_TRANSIENT);
          }
        },
        params[i]);
    if (rc != SQLITE_OK) return sqliteError(db, sql);
  }
  return stmt;
}

DbValue column(sqlite3_stmt* stmt, int c) {
  switch (sqlite3_column_type(stmt, c)) {
    case SQLITE_NULL: return std::monostate{};
    case SQLITE_INTEGER: return static_cast<std::int64_t>(sqlite3_column_int64(stmt, c));
    case SQLITE_FLOAT: return sqlite3_column_double(stmt, c);
    default: {
      const auto* text = static_cast<const char*>(sqlite3_column_blob(stmt, c));
      return std::string(text ? text : "", static_cast<std::size_t>(sqlite3_column_bytes(stmt, c)));
    }
  }
}

}  // namespace

Result<DbRows> sqliteQuery(sqlite3* db, std::string_view sql, const std::vector<DbValue>& params) {
  auto stmt = prepare(db, sql, params);
  if (!stmt) return stmt.error();
  sqlite3_stmt* s = stmt->get();
  DbRows out;
  const int columns = sqlite3_column_count(s);
  for (int c = 0; c < columns; ++c) out.columns.emplace_back(sqlite3_column_name(s, c));
  int rc;
  while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
    std::vector<DbValue> row;
    row.reserve(static_cast<std::size_t>(columns));
    for (int c = 0; c < columns; ++c) row.push_back(column(s, c));
    out.rows.push_back(std::move(row));
  }
  if (rc != SQLITE_DONE) return sqliteError(db, sql);
  return out;
}

Result<std::uint64_t> sqliteExecute(sqlite3* db, std::string_view sql,
                                    const std::vector<DbValue>& params) {
  auto stmt = prepare(db, sql, params);
  if (!stmt) return stmt.error();
  int rc;
  while ((rc = sqlite3_step(stmt->get())) == SQLITE_ROW) {
  }
  if (rc != SQLITE_DONE) return sqliteError(db, sql);
  return static_cast<std::uint64_t>(sqlite3_changes(db));
}

}  // namespace strato::kernel
