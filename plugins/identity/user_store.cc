#include "user_store.h"

#include "strato/time_format.h"

namespace strato::identity {
namespace {

constexpr const char* kUserColumns =
    "uuid, accountUuid, name, passwordHash, passwordSalt, state, description, createDate, "
    "lastOpDate";

User userFromRow(const std::vector<DbValue>& row) {
  return User{dbText(row[0]), dbText(row[1]), dbText(row[2]), dbText(row[3]), dbText(row[4]),
              dbText(row[5]), dbText(row[6]), dbInt(row[7]),  dbInt(row[8])};
}

Json common(const IdentityObject& o) {
  Json out{{"uuid", o.uuid},
           {"accountUuid", o.accountUuid},
           {"name", o.name},
           {"createDate", formatGsonDate(o.createDate)},
           {"lastOpDate", formatGsonDate(o.lastOpDate)}};
  if (!o.description.empty()) out["description"] = o.description;
  return out;
}

Result<std::optional<IdentityObject>> findObject(Database& db, const std::string& sql,
                                                 std::string_view uuid, bool policy) {
  auto rows = db.query(sql, {std::string(uuid)});
  if (!rows) return rows.error();
  if (rows->rows.empty()) return std::optional<IdentityObject>();
  const auto& row = rows->rows.front();
  IdentityObject o{dbText(row[0]), dbText(row[1]), dbText(row[2]), dbText(row[3]),
                   dbInt(row[4]),  dbInt(row[5]),  Json()};
  if (policy) {
    o.statements = Json::parse(dbText(row[6]), nullptr, /*allow_exceptions=*/false);
    if (o.statements.is_discarded()) o.statements = Json::array();
  }
  return std::optional<IdentityObject>(std::move(o));
}

}  // namespace

Json User::inventory() const {
  Json out{{"uuid", uuid},
           {"accountUuid", accountUuid},
           {"name", name},
           {"state", state},
           {"createDate", formatGsonDate(createDate)},
           {"lastOpDate", formatGsonDate(lastOpDate)}};
  if (!description.empty()) out["description"] = description;
  return out;
}

Result<std::optional<User>> findUser(Database& db, std::string_view uuid) {
  auto rows = db.query(std::string("SELECT ") + kUserColumns + " FROM identity_user WHERE uuid = ?",
                       {std::string(uuid)});
  if (!rows) return rows.error();
  if (rows->rows.empty()) return std::optional<User>();
  return std::optional<User>(userFromRow(rows->rows.front()));
}

Result<std::optional<User>> findUserByName(Database& db, std::string_view accountUuid,
                                           std::string_view name) {
  auto rows = db.query(std::string("SELECT ") + kUserColumns +
                           " FROM identity_user WHERE accountUuid = ? AND name = ?",
                       {std::string(accountUuid), std::string(name)});
  if (!rows) return rows.error();
  // MariaDB's default collation ignores case; names are case-sensitive here as for accounts.
  for (const auto& row : rows->rows) {
    if (dbText(row[2]) == name) return std::optional<User>(userFromRow(row));
  }
  return std::optional<User>();
}

Json IdentityObject::groupInventory() const { return common(*this); }

Json IdentityObject::policyInventory() const {
  Json out = common(*this);
  out["statements"] = statements;
  return out;
}

Result<std::optional<IdentityObject>> findGroup(Database& db, std::string_view uuid) {
  return findObject(db,
                    "SELECT uuid, accountUuid, name, description, createDate, lastOpDate FROM "
                    "user_group WHERE uuid = ?",
                    uuid, false);
}

Result<std::optional<IdentityObject>> findPolicy(Database& db, std::string_view uuid) {
  return findObject(db,
                    "SELECT uuid, accountUuid, name, description, createDate, lastOpDate, "
                    "statements FROM identity_policy WHERE uuid = ?",
                    uuid, true);
}

}  // namespace strato::identity
