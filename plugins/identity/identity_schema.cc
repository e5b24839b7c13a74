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
      // Users, groups and policies belong to one account. Names are unique within it (users log
      // in by account + user name). Policy statements are JSON text. Quotas hold one row per
      // account and quota name, filled with the reporters' defaults and changed by UpdateQuota.
      {.version = 2,
       .description = "users, groups, policies, quotas",
       .statements =
           {
               "CREATE TABLE identity_user (uuid VARCHAR(32) PRIMARY KEY, accountUuid VARCHAR(32) "
               "NOT NULL, name VARCHAR(255) NOT NULL, passwordHash VARCHAR(128), passwordSalt "
               "VARCHAR(64), state VARCHAR(32) NOT NULL, description TEXT, createDate BIGINT, "
               "lastOpDate BIGINT, UNIQUE (accountUuid, name))",
               "CREATE TABLE user_group (uuid VARCHAR(32) PRIMARY KEY, accountUuid VARCHAR(32) NOT "
               "NULL, name VARCHAR(255) NOT NULL, description TEXT, createDate BIGINT, lastOpDate "
               "BIGINT)",
               "CREATE INDEX user_group_account ON user_group (accountUuid)",
               "CREATE TABLE identity_policy (uuid VARCHAR(32) PRIMARY KEY, accountUuid "
               "VARCHAR(32) "
               "NOT NULL, name VARCHAR(255) NOT NULL, description TEXT, statements TEXT NOT NULL, "
               "createDate BIGINT, lastOpDate BIGINT)",
               "CREATE INDEX identity_policy_account ON identity_policy (accountUuid)",
               "CREATE TABLE user_group_user_ref (groupUuid VARCHAR(32) NOT NULL, userUuid "
               "VARCHAR(32) NOT NULL, createDate BIGINT, PRIMARY KEY (groupUuid, userUuid))",
               "CREATE INDEX user_group_user_ref_user ON user_group_user_ref (userUuid)",
               "CREATE TABLE user_policy_ref (userUuid VARCHAR(32) NOT NULL, policyUuid "
               "VARCHAR(32) "
               "NOT NULL, createDate BIGINT, PRIMARY KEY (userUuid, policyUuid))",
               "CREATE INDEX user_policy_ref_policy ON user_policy_ref (policyUuid)",
               "CREATE TABLE user_group_policy_ref (groupUuid VARCHAR(32) NOT NULL, policyUuid "
               "VARCHAR(32) NOT NULL, createDate BIGINT, PRIMARY KEY (groupUuid, policyUuid))",
               "CREATE INDEX user_group_policy_ref_policy ON user_group_policy_ref (policyUuid)",
               "CREATE TABLE quota (uuid VARCHAR(32) PRIMARY KEY, identityUuid VARCHAR(32) NOT "
               "NULL, identityType VARCHAR(32) NOT NULL, name VARCHAR(128) NOT NULL, value BIGINT "
               "NOT NULL, createDate BIGINT, lastOpDate BIGINT, UNIQUE (identityUuid, name))",
           }},
  };
}

}  // namespace strato::identity
