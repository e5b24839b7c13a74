// database.url parsing: `sqlite:<path>` (relative paths are relative to the working directory)
// or `mysql://user[:password]@host[:port]/database` (MariaDB too).
#pragma once

#include <string>

#include "strato/database.h"
#include "strato/result.h"

namespace strato::kernel {

struct DatabaseUrl {
  DbDialect dialect = DbDialect::kSqlite;
  std::string sqlitePath;
  std::string user, password, host, database;
  int port = 3306;

  std::string redacted() const;  // for logs: never shows the password
};

Result<DatabaseUrl> parseDatabaseUrl(const std::string& url);

}  // namespace strato::kernel
