#include "identity_schema.h"

namespace strato::identity {

// Dates are epoch milliseconds (BIGINT). Indexed text is VARCHAR so MariaDB can index it; the
// same statements work on SQLite. `session` is a non-reserved keyword in MariaDB, usable as is.
std::vector<Migration> identityMigrations() {
  return {
      {.version = 1,
       .description = "accounts and sessions",
       .statements =
           {
               "CREATE TABLE account (uuid VARCHAR(32) PRIMARY KEY, name VARCHAR(255) NOT NULL "
               "UNIQUE, "
               "passwordHash VARCHAR(128), passwordSalt VARCHAR(64), type VARCHAR(32) NOT NULL, "
               "state VARCHAR(32) NOT NULL, description TEXT, createDate BIGINT, lastOpDate "
               "BIGINT)",
               "CREATE TABLE session (uuid VARCHAR(32) PRIMARY KEY, accountUuid VARCHAR(32) NOT "
               "NULL, "
               "userUuid VARCHAR(32), createDate BIGINT NOT NULL, expiredDate BIGINT NOT NULL)",
               "CREATE INDEX session_account ON session (accountUuid)",
           }},
  };
}

}  // namespace strato::identity
