// Accounts in the `account` table: lookups, the inventory ZStack clients read, and the built-in
// admin. Calls block on the database: blocking pool only.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "strato/database.h"
#include "strato/json.h"
#include "strato/logger.h"
#include "strato/result.h"

namespace strato::identity {

// ZStack's well-known admin account, so scripts that hard-code its uuid keep working.
inline constexpr std::string_view kAdminAccountUuid = "36c27e8ff05c4780bf6d2fa65700f22e";
inline constexpr std::string_view kAdminAccountName = "admin";
inline constexpr std::string_view kAdminDefaultPassword = "password";

inline constexpr std::string_view kTypeSystemAdmin = "SystemAdmin";
inline constexpr std::string_view kTypeNormal = "Normal";
inline constexpr std::string_view kStateEnabled = "Enabled";
inline constexpr std::string_view kStateDisabled = "Disabled";

struct Account {
  std::string uuid;
  std::string name;
  std::string passwordHash;
  std::string passwordSalt;
  std::string type;
  std::string state;
  std::string description;
  std::int64_t createDate = 0;
  std::int64_t lastOpDate = 0;

  bool admin() const { return type == kTypeSystemAdmin; }
  // ZStack's AccountInventory; the password hash and salt never leave the plugin.
  Json inventory() const;
};

// Columns in the order accountFromRow() reads them.
inline constexpr const char* kAccountColumns =
    "uuid, name, passwordHash, passwordSalt, type, state, description, createDate, lastOpDate";
Account accountFromRow(const std::vector<DbValue>& row);

Result<std::optional<Account>> findAccountByUuid(Database& db, std::string_view uuid);

// Exact, case-sensitive match on both back ends (MariaDB's default collation would otherwise
// let "ADMIN" log in as "admin"). nullopt when there is no such account.
Result<std::optional<Account>> findAccountByName(Database& db, std::string_view name);

// Creates the admin account with the default password unless an account with its uuid exists.
// A password an administrator changed is therefore never reset.
Status ensureAdminAccount(Database& db, Logger& log);

}  // namespace strato::identity
