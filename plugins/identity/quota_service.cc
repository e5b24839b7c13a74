#include "quota_service.h"

#include <set>

#include "account_store.h"
#include "strato/time_format.h"
#include "strato/uuid.h"

namespace strato::identity {
namespace {

Result<bool> isNormalAccount(Database& db, const std::string& accountUuid) {
  auto rows = db.query("SELECT type FROM account WHERE uuid = ?", {accountUuid});
  if (!rows) return rows.error();
  return !rows->rows.empty() && dbText(rows->rows[0][0]) != kTypeSystemAdmin;
}

}  // namespace

std::vector<QuotaDefinition> QuotaService::definitions() const {
  std::vector<QuotaDefinition> out;
  std::set<std::string> seen;
  for (const auto& reporter : extensions_.all<QuotaReporter>()) {
    for (auto& d : reporter->definitions()) {
      if (seen.insert(d.name).second) out.push_back(std::move(d));
    }
  }
  return out;
}

Status QuotaService::ensureQuotas(Database& db, const std::string& accountUuid) {
  auto normal = isNormalAccount(db, accountUuid);
  if (!normal) return normal.error();
  if (!*normal) return {};
  auto rows = db.query("SELECT name FROM quota WHERE identityUuid = ?", {accountUuid});
  if (!rows) return rows.error();
  std::set<std::string> present;
  for (const auto& row : rows->rows) present.insert(dbText(row[0]));
  std::int64_t now = nowMillis();
  for (const auto& d : definitions()) {
    if (present.count(d.name)) continue;
    auto inserted = db.execute(
        "INSERT INTO quota (uuid, identityUuid, identityType, name, value, createDate, "
        "lastOpDate) VALUES (?, ?, ?, ?, ?, ?, ?)",
        {newUuid(), accountUuid, std::string(kIdentityTypeAccount), d.name, d.defaultValue, now,
         now});
    if (!inserted) {
      // Another request filled it in meanwhile (UNIQUE identityUuid, name): that is fine.
      auto again = db.query("SELECT 1 FROM quota WHERE identityUuid = ? AND name = ?",
                            {accountUuid, d.name});
      if (!again || again->rows.empty()) return inserted.error();
    }
  }
  return {};
}

Status QuotaService::ensureAllAccounts() {
  auto rows =
      db_.query("SELECT uuid FROM account WHERE type <> ?", {std::string(kTypeSystemAdmin)});
  if (!rows) return rows.error();
  for (const auto& row : rows->rows) {
    if (auto s = ensureQuotas(db_, dbText(row[0])); !s) return s;
  }
  return {};
}

Result<std::map<std::string, std::int64_t>> QuotaService::limits(const std::string& accountUuid) {
  if (auto s = ensureQuotas(db_, accountUuid); !s) return s.error();
  auto rows = db_.query("SELECT name, value FROM quota WHERE identityUuid = ?", {accountUuid});
  if (!rows) return rows.error();
  std::map<std::string, std::int64_t> out;
  for (const auto& row : rows->rows) out[dbText(row[0])] = dbInt(row[1]);
  return out;
}

Result<std::map<std::string, std::int64_t>> QuotaService::usage(const std::string& accountUuid) {
  std::map<std::string, std::int64_t> out;
  for (const auto& reporter : extensions_.all<QuotaReporter>()) {
    auto used = reporter->usage(accountUuid);
    if (!used) return used.error();
    for (const auto& [name, value] : *used) out[name] += value;
  }
  return out;
}

Result<Json> QuotaService::inventory(const std::string& accountUuid, const std::string& name) {
  auto rows = db_.query(
      "SELECT uuid, identityUuid, identityType, name, value, createDate, lastOpDate FROM quota "
      "WHERE identityUuid = ? AND name = ?",
      {accountUuid, name});
  if (!rows) return rows.error();
  if (rows->rows.empty()) {
    return makeError(ErrorCode::kNotFound, "account " + accountUuid + " has no quota " + name);
  }
  const auto& r = rows->rows.front();
  return Json{{"uuid", dbText(r[0])},
              {"identityUuid", dbText(r[1])},
              {"identityType", dbText(r[2])},
              {"name", dbText(r[3])},
              {"value", dbInt(r[4])},
              {"createDate", formatGsonDate(dbInt(r[5]))},
              {"lastOpDate", formatGsonDate(dbInt(r[6]))}};
}

Result<Json> QuotaService::update(const std::string& accountUuid, const std::string& name,
                                  std::int64_t value) {
  if (value < 0) return makeError(ErrorCode::kInvalidArgument, "a quota value must be >= 0");
  auto normal = isNormalAccount(db_, accountUuid);
  if (!normal) return normal.error();
  if (!*normal) {
    return makeError(ErrorCode::kInvalidArgument,
                     "quotas apply to Normal accounts only; " + accountUuid + " is not one");
  }
  if (auto s = ensureQuotas(db_, accountUuid); !s) return s.error();
  auto changed =
      db_.execute("UPDATE quota SET value = ?, lastOpDate = ? WHERE identityUuid = ? AND name = ?",
                  {value, nowMillis(), accountUuid, name});
  if (!changed) return changed.error();
  if (*changed == 0) {
    std::string known;
    for (const auto& d : definitions()) known += (known.empty() ? "" : ", ") + d.name;
    return makeError(ErrorCode::kInvalidArgument, "no quota named '" + name + "'",
                     known.empty() ? "no plugin defines quotas" : "known: " + known);
  }
  return inventory(accountUuid, name);
}

Status QuotaService::check(std::string_view accountUuid,
                           const std::map<std::string, std::int64_t>& additions) {
  std::string account(accountUuid);
  auto normal = isNormalAccount(db_, account);
  if (!normal) return normal.error();
  if (!*normal) return {};
  auto limit = limits(account);
  if (!limit) return limit.error();
  auto used = usage(account);
  if (!used) return used.error();
  for (const auto& [name, addition] : additions) {
    auto it = limit->find(name);
    if (it == limit->end()) {
      return makeError(ErrorCode::kInvalidArgument,
                       "no QuotaReporter defines quota '" + name + "'");
    }
    std::int64_t now = used->count(name) ? used->at(name) : 0;
    if (now + addition > it->second) {
      return makeError(ErrorCode::kPermissionDenied,
                       "quota exceeded: " + name + " (used " + std::to_string(now) + " of " +
                           std::to_string(it->second) + ")",
                       "account " + account + " asked for " + std::to_string(addition) + " more");
    }
  }
  return {};
}

}  // namespace strato::identity
