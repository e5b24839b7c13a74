#include "sharing_apis.h"

#include "account_store.h"
#include "handler_util.h"
#include "strato/time_format.h"

namespace strato::identity {
namespace {

using P = ApiParam;

struct Ref {
  std::string resourceUuid;
  std::string resourceType;
  std::string accountUuid;
};

// The ownership record of a resource the caller may share, revoke or give away: only its owner
// or an admin may.
Result<Ref> ownedRef(Database& db, const Caller& caller, const std::string& uuid,
                     const char* verb) {
  auto rows = db.query(
      "SELECT resourceUuid, resourceType, accountUuid FROM account_resource_ref WHERE resourceUuid "
      "= ?",
      {uuid});
  if (!rows) return rows.error();
  if (rows->rows.empty()) {
    return makeError(ErrorCode::kNotFound,
                     "resource " + uuid +
                         " has no owner record (only resources created through "
                         "the API have one)");
  }
  const auto& r = rows->rows.front();
  Ref ref{dbText(r[0]), dbText(r[1]), dbText(r[2])};
  if (!caller.mayActOn(ref.accountUuid)) {
    return makeError(ErrorCode::kPermissionDenied, std::string("only the owner of resource ") +
                                                       uuid + " or an admin may " + verb + " it");
  }
  return ref;
}

Status accountsExist(Database& db, const std::vector<std::string>& uuids) {
  for (const auto& uuid : uuids) {
    auto found = findAccountByUuid(db, uuid);
    if (!found) return found.error();
    if (!*found) return makeError(ErrorCode::kNotFound, "no account " + uuid);
  }
  return {};
}

Status refreshShared(Database& tx, const std::string& uuid) {
  auto rows = tx.query("SELECT COUNT(*) FROM shared_resource WHERE resourceUuid = ?", {uuid});
  if (!rows) return rows.error();
  std::int64_t shares = rows->rows.empty() ? 0 : dbInt(rows->rows[0][0]);
  auto r = tx.execute(
      "UPDATE account_resource_ref SET isShared = ?, lastOpDate = ? WHERE resourceUuid = ?",
      {std::int64_t{shares > 0 ? 1 : 0}, nowMillis(), uuid});
  if (!r) return r.error();
  return {};
}

Reply share(IdentityContext& ctx, const Caller& caller, const Json& params) {
  auto resources = listParamAny(params, {"resourceUuids", "resourceUids"});
  auto accounts = listParamAny(params, {"accountUuids", "accountUids"});
  bool toPublic = params.value("toPublic", false);
  if (resources.empty())
    return makeError(ErrorCode::kInvalidArgument, "resourceUuids must not be empty");
  if (accounts.empty() && !toPublic) {
    return makeError(ErrorCode::kInvalidArgument,
                     "name accountUuids to share with, or set toPublic");
  }
  if (auto s = accountsExist(ctx.db, accounts); !s) return s.error();
  std::vector<Ref> refs;
  for (const auto& uuid : resources) {
    auto ref = ownedRef(ctx.db, caller, uuid, "share");
    if (!ref) return ref.error();
    refs.push_back(std::move(*ref));
  }
  std::int64_t now = nowMillis();
  auto done = ctx.db.transaction([&](Database& tx) -> Status {
    for (const auto& ref : refs) {
      std::vector<DbValue> receivers;
      for (const auto& a : accounts) {
        if (a != ref.accountUuid) receivers.emplace_back(a);
      }
      if (toPublic) receivers.emplace_back(DbValue());
      for (const auto& receiver : receivers) {
        bool pub = std::holds_alternative<std::monostate>(receiver);
        auto present =
            pub ? tx.query("SELECT 1 FROM shared_resource WHERE resourceUuid = ? AND toPublic = 1",
                           {ref.resourceUuid})
                : tx.query(
                      "SELECT 1 FROM shared_resource WHERE resourceUuid = ? AND "
                      "receiverAccountUuid = ?",
                      {ref.resourceUuid, receiver});
        if (!present) return present.error();
        if (!present->rows.empty()) continue;  // sharing twice changes nothing
        auto r = tx.execute(
            "INSERT INTO shared_resource (ownerAccountUuid, receiverAccountUuid, toPublic, "
            "resourceType, resourceUuid, createDate, lastOpDate) VALUES (?, ?, ?, ?, ?, ?, ?)",
            {ref.accountUuid, receiver, std::int64_t{pub ? 1 : 0}, ref.resourceType,
             ref.resourceUuid, now, now});
        if (!r) return r.error();
      }
      if (auto s = refreshShared(tx, ref.resourceUuid); !s) return s;
    }
    return {};
  });
  if (!done) return done.error();
  return Json::object();
}

Reply revoke(IdentityContext& ctx, const Caller& caller, const Json& params) {
  auto resources = listParamAny(params, {"resourceUuids", "resourceUids"});
  auto accounts = listParamAny(params, {"accountUuids", "accountUids"});
  bool toPublic = params.value("toPublic", false);
  bool all = params.value("all", false);
  if (resources.empty())
    return makeError(ErrorCode::kInvalidArgument, "resourceUuids must not be empty");
  if (!all && !toPublic && accounts.empty()) {
    return makeError(ErrorCode::kInvalidArgument, "name accountUuids, or set toPublic or all");
  }
  for (const auto& uuid : resources) {
    if (auto ref = ownedRef(ctx.db, caller, uuid, "revoke sharing of"); !ref) return ref.error();
  }
  auto done = ctx.db.transaction([&](Database& tx) -> Status {
    for (const auto& uuid : resources) {
      std::vector<std::pair<std::string, std::vector<DbValue>>> deletes;
      if (all) deletes.push_back({"DELETE FROM shared_resource WHERE resourceUuid = ?", {uuid}});
      if (toPublic) {
        deletes.push_back(
            {"DELETE FROM shared_resource WHERE resourceUuid = ? AND toPublic = 1", {uuid}});
      }
      for (const auto& a : accounts) {
        deletes.push_back(
            {"DELETE FROM shared_resource WHERE resourceUuid = ? AND receiverAccountUuid = ?",
             {uuid, a}});
      }
      for (const auto& [sql, args] : deletes) {
        auto r = tx.execute(sql, args);
        if (!r) return r.error();
      }
      if (auto s = refreshShared(tx, uuid); !s) return s;
    }
    return {};
  });
  if (!done) return done.error();
  return Json::object();
}

Result<Json> refInventory(Database& db, const std::string& uuid) {
  auto rows = db.query(
      "SELECT resourceUuid, resourceType, accountUuid, ownerAccountUuid, permission, isShared, "
      "createDate, lastOpDate FROM account_resource_ref WHERE resourceUuid = ?",
      {uuid});
  if (!rows) return rows.error();
  if (rows->rows.empty()) return makeError(ErrorCode::kNotFound, "no owner record of " + uuid);
  const auto& r = rows->rows.front();
  return Json{{"resourceUuid", dbText(r[0])},
              {"resourceType", dbText(r[1])},
              {"accountUuid", dbText(r[2])},
              {"ownerAccountUuid", dbText(r[3])},
              {"permission", dbInt(r[4])},
              {"isShared", dbInt(r[5]) != 0},
              {"createDate", formatGsonDate(dbInt(r[6]))},
              {"lastOpDate", formatGsonDate(dbInt(r[7]))}};
}

// The new owner takes the resource with its shares; a share with the new owner itself is moot.
// Quotas are not re-checked for the new owner.
Reply changeOwner(IdentityContext& ctx, const Caller& caller, const Json& params) {
  std::string account = stringParam(params, "accountUuid");
  std::string uuid = stringParam(params, "resourceUuid");
  if (auto s = accountsExist(ctx.db, {account}); !s) return s.error();
  auto ref = ownedRef(ctx.db, caller, uuid, "change the owner of");
  if (!ref) return ref.error();
  std::int64_t now = nowMillis();
  auto done = ctx.db.transaction([&](Database& tx) -> Status {
    std::pair<const char*, std::vector<DbValue>> steps[] = {
        {"UPDATE account_resource_ref SET accountUuid = ?, ownerAccountUuid = ?, lastOpDate = ? "
         "WHERE resourceUuid = ?",
         {account, account, now, uuid}},
        {"DELETE FROM shared_resource WHERE resourceUuid = ? AND receiverAccountUuid = ?",
         {uuid, account}},
        {"UPDATE shared_resource SET ownerAccountUuid = ?, lastOpDate = ? WHERE resourceUuid = ?",
         {account, now, uuid}},
    };
    for (const auto& [sql, args] : steps) {
      auto r = tx.execute(sql, args);
      if (!r) return r.error();
    }
    return refreshShared(tx, uuid);
  });
  if (!done) return done.error();
  auto inventory = refInventory(ctx.db, uuid);
  if (!inventory) return inventory.error();
  return Json{{"inventory", *inventory}};
}

// Names of identity objects only: the plugin cannot read other plugins' tables (the SDK exposes
// no inventory catalog), so other uuids are left out. Non-admins see their own account's only.
Reply resourceNames(IdentityContext& ctx, const Caller& caller, const Json& params) {
  static const std::pair<const char*, const char*> kTables[] = {
      {"SELECT uuid, name, uuid FROM account WHERE uuid = ?", "AccountVO"},
      {"SELECT uuid, name, accountUuid FROM identity_user WHERE uuid = ?", "UserVO"},
      {"SELECT uuid, name, accountUuid FROM user_group WHERE uuid = ?", "UserGroupVO"},
      {"SELECT uuid, name, accountUuid FROM identity_policy WHERE uuid = ?", "PolicyVO"},
  };
  Json out = Json::array();
  for (const auto& uuid : listParamAny(params, {"uuids"})) {
    for (const auto& [sql, type] : kTables) {
      auto rows = ctx.db.query(sql, {uuid});
      if (!rows) return rows.error();
      if (rows->rows.empty()) continue;
      const auto& r = rows->rows.front();
      if (caller.mayActOn(dbText(r[2]))) {
        out.push_back(
            Json{{"uuid", dbText(r[0])}, {"resourceName", dbText(r[1])}, {"resourceType", type}});
      }
      break;
    }
  }
  return Json{{"inventories", out}};
}

Reply quotaUsage(IdentityContext& ctx, const Caller& caller, const Json& params) {
  std::string uuid = stringParam(params, "uuid");
  if (!caller.mayActOn(uuid)) return denied("only an admin may read another account's quota usage");
  auto limits = ctx.quotas->limits(uuid);
  if (!limits) return limits.error();
  auto used = ctx.quotas->usage(uuid);
  if (!used) return used.error();
  Json usages = Json::array();
  for (const auto& [name, total] : *limits) {
    usages.push_back(
        Json{{"name", name}, {"total", total}, {"used", used->count(name) ? used->at(name) : 0}});
  }
  return Json{{"usages", usages}};
}

}  // namespace

void registerSharingApis(Registrar& r, const std::shared_ptr<IdentityContext>& ctx) {
  // The manual's table prints resourceUids/accountUids (OCR); the SDK sends resourceUuids and
  // accountUuids. Both are accepted.
  serveApi(r, ctx,
           {.name = "ShareResource",
            .params = {P{"resourceUuids", ParamType::kList, false, {}},
                       P{"resourceUids", ParamType::kList, false, {}},
                       P{"accountUuids", ParamType::kList, false, {}},
                       P{"accountUids", ParamType::kList, false, {}},
                       P{"toPublic", ParamType::kBoolean, false, {}}}},
           share);
  serveApi(r, ctx,
           {.name = "RevokeResourceSharing",
            .params = {P{"resourceUuids", ParamType::kList, false, {}},
                       P{"resourceUids", ParamType::kList, false, {}},
                       P{"accountUuids", ParamType::kList, false, {}},
                       P{"accountUids", ParamType::kList, false, {}},
                       P{"toPublic", ParamType::kBoolean, false, {}},
                       P{"all", ParamType::kBoolean, false, {}}}},
           revoke);
  serveApi(r, ctx, {.name = "ChangeResourceOwner", .inventory = "AccountResourceRef"}, changeOwner);
  serveApi(r, ctx, {.name = "GetResourceNames"}, resourceNames);
  r.addApi({.name = "QueryAccountResourceRef", .inventory = "AccountResourceRef"});
  r.addApi({.name = "QuerySharedResource", .inventory = "SharedResource"});
}

void registerQuotaApis(Registrar& r, const std::shared_ptr<IdentityContext>& ctx) {
  r.addApi({.name = "QueryQuota", .inventory = "Quota"});
  serveApi(r, ctx, {.name = "UpdateQuota", .inventory = "Quota", .adminOnly = true},
           [](IdentityContext& c, const Caller&, const Json& p) -> Reply {
             auto updated = c.quotas->update(stringParam(p, "identityUuid"), stringParam(p, "name"),
                                             p.value("value", std::int64_t{0}));
             if (!updated) return updated.error();
             return Json{{"inventory", *updated}};
           });
  serveApi(r, ctx, {.name = "GetAccountQuotaUsage"}, quotaUsage);
}

}  // namespace strato::identity
