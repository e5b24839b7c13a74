#include "account_store.h"

#include "password.h"
#include "strato/time_format.h"

namespace strato::identity {

Json Account::inventory() const {
  Json out{{"uuid", uuid},
           {"name", name},
           {"type", type},
           {"state", state},
           {"createDate", formatGsonDate(createDate)},
           {"lastOpDate", formatGsonDate(lastOpDate)}};
  if (!description.empty()) out["description"] = description;
  return out;
}

Account accountFromRow(const std::vector<DbValue>& row) {
  return Account{dbText(row[0]), dbText(row[1]), dbText(row[2]), dbText(row[3]), dbText(row[4]),
                 dbText(row[5]), dbText(row[6]), dbInt(row[7]),  dbInt(row[8])};
}

Result<std::optional<Account>> findAccountByName(Database& db, std::string_view name) {
  auto rows = db.query(std::string("SELECT ") + kAccountColumns + " FROM account WHERE name = ?",
                       {std::string(name)});
  if (!rows) return rows.error();
  for (const auto& row : rows->rows) {
    if (dbText(row[1]) != name) continue;
    return std::optional<Account>(accountFromRow(row));
  }
  return std::optional<Account>();
}

Result<std::optional<Account>> findAccountByUuid(Database& db, std::string_view uuid) {
  auto rows = db.query(std::string("SELECT ") + kAccountColumns + " FROM account WHERE uuid = ?",
                       {std::string(uuid)});
  if (!rows) return rows.error();
  if (rows->rows.empty()) return std::optional<Account>();
  return std::optional<Account>(accountFromRow(rows->rows.front()));
}

Status ensureAdminAccount(Database& db, Logger& log) {
  auto rows =
      db.query("SELECT COUNT(*) FROM account WHERE uuid = ?", {std::string(kAdminAccountUuid)});
  if (!rows) return rows.error();
  if (!rows->rows.empty() && dbInt(rows->rows[0][0]) > 0) return {};

  std::string salt = newSalt();
  std::int64_t now = nowMillis();
  auto inserted = db.execute(
      "INSERT INTO account (uuid, name, passwordHash, passwordSalt, type, state, description, "
      "createDate, lastOpDate) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
      {std::string(kAdminAccountUuid), std::string(kAdminAccountName),
       hashPassword(salt, sha512Hex(kAdminDefaultPassword)), salt, std::string(kTypeSystemAdmin),
       std::string(kStateEnabled), std::string("built-in administrator"), now, now});
  if (!inserted) {
    return makeError(ErrorCode::kInternal, "cannot create the admin account",
                     inserted.error().describe());
  }
  log.warn("admin account created name=admin uuid=" + std::string(kAdminAccountUuid) +
           " password=default");
  return {};
}

}  // namespace strato::identity
