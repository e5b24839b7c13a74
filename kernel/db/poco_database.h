// Database on Poco Data (SQLite or MySQL/MariaDB) with a small connection pool of our own, so
// each connection is set up once (SQLite: WAL, busy timeout, foreign keys).
#pragma once

#include <memory>

#include "db/database_url.h"
#include "strato/database.h"

namespace strato::kernel {

struct DatabaseOptions {
  DatabaseUrl url;
  int poolSize = 8;
  int busyTimeoutMs = 5000;
};

// Connects once to prove the URL works, so a bad database fails the start, not the first request.
Result<std::shared_ptr<Database>> openDatabase(const DatabaseOptions& options);

}  // namespace strato::kernel
