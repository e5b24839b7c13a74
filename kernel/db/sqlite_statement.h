// SQLite statements through the sqlite3 API on a connection Poco opened. Poco types SQLite
// columns by their declared type, so expressions (COUNT(*), SUM, CASE) came back as text;
// sqlite3_column_type reports what each value really is.
#pragma once

#include <string_view>
#include <vector>

#include "strato/database.h"

struct sqlite3;

namespace strato::kernel {

Result<DbRows> sqliteQuery(sqlite3* db, std::string_view sql, const std::vector<DbValue>& params);
Result<std::uint64_t> sqliteExecute(sqlite3* db, std::string_view sql,
                                    const std::vector<DbValue>& params);

}  // namespace strato::kernel
