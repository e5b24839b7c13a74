#include "account_apis.h"

#include "account_store.h"
#include "handler_util.h"
#include "password.h"
#include "strato/time_format.h"
#include "strato/uuid.h"

namespace strato::identity {
namespace {

using P = ApiParam;

// What an account's deletion removes besides the account row, children before parents.
constexpr const char* kAccountCleanup[] = {
    "DELETE FROM user_group_user_ref WHERE groupUuid IN (SELECT uuid FROM user_group WHERE "
    "accountUuid = ?)",
    "DELETE FROM user_group_policy_ref WHERE groupUuid IN (SELECT uuid FROM user_group WHERE "
    "accountUuid = ?)",
    "DELETE FROM user_group_user_ref WHERE userUuid IN (SELECT uuid FROM identity_user WHERE "
    "accountUuid = ?)",
    "DELETE FROM user_policy_ref WHERE userUuid IN (SELECT uuid FROM identity_user WHERE "
    "accountUuid = ?)",
    "DELETE FROM user_policy_ref WHERE policyUuid IN (SELECT uuid FROM identity_policy WHERE "
    "accountUuid = ?)",
    "DELETE FROM user_group_policy_ref WHERE policyUuid IN (SELECT uuid FROM identity_policy "
    "WHERE accountUuid = ?)",
    "DELETE FROM identity_user WHERE accountUuid = ?",
    "DELETE FROM user_group WHERE accountUuid = ?",
    "DELETE FROM identity_policy WHERE accountUuid = ?",
    "DELETE FROM quota WHERE identityUuid = ?",
    "DELETE FROM session WHERE accountUuid = ?",
    "DELETE FROM account_resource_ref WHERE accountUuid = ?",
    "DELETE FROM shared_resource WHERE ownerAccountUuid = ? OR receiverAccountUuid = ?",
    "DELETE FROM account WHERE uuid = ?",
};

// Identity objects may appear in account_resource_ref; they go with the account.
constexpr const char* kIdentityTypes =
    "('AccountVO', 'UserVO', 'UserGroupVO', 'PolicyVO', 'QuotaVO')";

Result<Account> loadAccount(Database& db, const std::string& uuid) {
  auto found = findAccountByUuid(db, uuid);
  if (!found) return found.error();
  if (!*found) return makeError(ErrorCode::kNotFound, "no account " + uuid);
  return std::move(**found);
}

Reply createAccount(IdentityContext& ctx, const Caller&, const Json& params) {
  std::string uuid = stringParam(params, "resourceUuid");
  if (uuid.empty()) uuid = newUuid();
  if (!isUuid(uuid))
    return makeError(ErrorCode::kInvalidArgument, "resourceUuid must be 32 hex digits");
  std::string name = stringParam(params, "name");
  auto existing = findAccountByName(ctx.db, name);
  if (!existing) return existing.error();
  if (*existing)
    return makeError(ErrorCode::kAlreadyExists, "an account named " + name + " exists");
  std::string type = stringParam(params, "type");
  std::string state = stringParam(params, "state");
  std::string salt = newSalt();
  std::int64_t now = nowMillis();
  DbValue description;
  if (auto d = stringParam(params, "description"); !d.empty()) description = d;
  auto inserted = ctx.db.execute(
      "INSERT INTO account (uuid, name, passwordHash, passwordSalt, type, state, description, "
      "createDate, lastOpDate) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
      {uuid, name, hashPassword(salt, stringParam(params, "password")), salt,
       type.empty() ? std::string(kTypeNormal) : type,
       state.empty() ? std::string(kStateEnabled) : state, description, now, now});
  if (!inserted) {
    auto again = findAccountByUuid(ctx.db, uuid);
    if (again && *again) return makeError(ErrorCode::kAlreadyExists, "account " + uuid + " exists");
    auto byName = findAccountByName(ctx.db, name);
    if (byName && *byName)
      return makeError(ErrorCode::kAlreadyExists, "an account named " + name + " exists");
    return inserted.error();
  }
  if (auto s = ctx.quotas->ensureQuotas(ctx.db, uuid); !s) return s.error();
  auto account = loadAccount(ctx.db, uuid);
  if (!account) return account.error();
  ctx.log.info("account created name=" + name + " uuid=" + uuid);
  return Json{{"inventory", account->inventory()}};
}

Reply deleteAccount(IdentityContext& ctx, const Caller& caller, const Json& params) {
  std::string uuid = stringParam(params, "uuid");
  // Admins delete others; a Normal account may close itself.
  if (!caller.mayActOn(uuid)) return denied("only an admin may delete another account");
  auto account = findAccountByUuid(ctx.db, uuid);
  if (!account) return account.error();
  if (!*account) return Json::object();  // already gone: what the caller wanted
  if ((*account)->admin()) {
    return makeError(ErrorCode::kConflict,
                     "an admin account (" + (*account)->name + ") cannot be deleted");
  }
  auto owned =
      ctx.db.query(std::string("SELECT resourceType, resourceUuid FROM account_resource_ref "
                               "WHERE accountUuid = ? AND resourceType NOT IN ") +
                       kIdentityTypes,
                   {uuid});
  if (!owned) return owned.error();
  if (!owned->rows.empty()) {
    const auto& first = owned->rows.front();
    return makeError(ErrorCode::kConflict,
                     "account " + (*account)->name + " still owns " +
                         std::to_string(owned->rows.size()) +
                         " resources; delete them or change their owner first",
                     "e.g. " + dbText(first[0]) + " " + dbText(first[1]));
  }
  auto done = ctx.db.transaction([&](Database& tx) -> Status {
    for (const char* sql : kAccountCleanup) {
      std::vector<DbValue> args{uuid};
      if (std::string_view(sql).find("OR receiverAccountUuid") != std::string_view::npos) {
        args.push_back(uuid);
      }
      auto r = tx.execute(sql, args);
      if (!r) return r.error();
    }
    return {};
  });
  if (!done) return done.error();
  // The rows are gone; the cache must not keep the sessions alive for a moment longer.
  if (auto s = ctx.sessions->removeForAccount(uuid); !s) return s.error();
  ctx.log.info("account deleted name=" + (*account)->name + " uuid=" + uuid);
  return Json::object();
}

Reply updateAccount(IdentityContext& ctx, const Caller& caller, const Json& params) {
  std::string uuid = stringParam(params, "uuid");
  if (!caller.mayActOn(uuid)) return denied("only an admin may update another account");
  auto account = loadAccount(ctx.db, uuid);
  if (!account) return account.error();
  std::int64_t now = nowMillis();
  std::string state = stringParam(params, "state");
  if (!state.empty() && state != account->state) {
    if (!caller.admin) return denied("only an admin may enable or disable an account");
    if (account->admin()) {
      return makeError(ErrorCode::kConflict, "an admin account cannot be disabled");
    }
  }
  std::string name = stringParam(params, "name");
  if (!name.empty() && name != account->name) {
    auto taken = findAccountByName(ctx.db, name);
    if (!taken) return taken.error();
    if (*taken) return makeError(ErrorCode::kAlreadyExists, "an account named " + name + " exists");
  }
  std::string password = stringParam(params, "password");
  if (!password.empty() && !caller.admin &&
      !verifyPassword(account->passwordHash, account->passwordSalt,
                      stringParam(params, "oldPassword"))) {
    // A stolen session alone must not be enough to take the account over.
    return denied("changing the password needs the right oldPassword");
  }
  auto done = ctx.db.transaction([&](Database& tx) -> Status {
    auto set = [&](const char* column, const DbValue& value) -> Status {
      auto r = tx.execute(
          std::string("UPDATE account SET ") + column + " = ?, lastOpDate = ? WHERE uuid = ?",
          {value, now, uuid});
      if (!r) return r.error();
      return {};
    };
    if (!name.empty()) {
      if (auto s = set("name", name); !s) return s;
    }
    if (params.contains("description")) {
      if (auto s = set("description", stringParam(params, "description")); !s) return s;
    }
    if (!state.empty()) {
      if (auto s = set("state", state); !s) return s;
    }
    if (!password.empty()) {
      std::string salt = newSalt();
      if (auto s = set("passwordSalt", salt); !s) return s;
      if (auto s = set("passwordHash", hashPassword(salt, password)); !s) return s;
    }
    return {};
  });
  if (!done) return done.error();
  if (state == kStateDisabled) {
    if (auto s = ctx.sessions->removeForAccount(uuid); !s) return s.error();
  }
  auto updated = loadAccount(ctx.db, uuid);
  if (!updated) return updated.error();
  return Json{{"inventory", updated->inventory()}};
}

Reply notSupported(const char* what) { return makeError(ErrorCode::kNotSupported, what); }

}  // namespace

void registerAccountApis(Registrar& r, const std::shared_ptr<IdentityContext>& ctx) {
  serveApi(r, ctx,
           {.name = "CreateAccount",
            .params = {P{"name", ParamType::kString, true, {}},
                       P{"password", ParamType::kString, true, {}},
                       P{"type", ParamType::kString, false, {"SystemAdmin", "Normal"}},
                       P{"description", ParamType::kString, false, {}},
                       P{"resourceUuid", ParamType::kString, false, {}},
                       P{"tagUuids", ParamType::kList, false, {}},
                       P{"state", ParamType::kString, false, {"Enabled", "Disabled"}}},
            .inventory = "Account",
            .adminOnly = true},
           createAccount);
  serveApi(r, ctx, {.name = "DeleteAccount", .inventory = "Account"}, deleteAccount);
  serveApi(r, ctx,
           {.name = "UpdateAccount",
            .params = {P{"uuid", ParamType::kString, true, {}},
                       P{"password", ParamType::kString, false, {}},
                       P{"name", ParamType::kString, false, {}},
                       P{"description", ParamType::kString, false, {}},
                       P{"oldPassword", ParamType::kString, false, {}},
                       P{"state", ParamType::kString, false, {"Enabled", "Disabled"}}},
            .inventory = "Account"},
           updateAccount);
  r.addApi({.name = "QueryAccount", .inventory = "Account"});

  // Login-page helpers, asked before there is a session. This node has no captcha and no
  // second factor: repeated failures are throttled instead (see login_throttle.h).
  serveApi(r, ctx, {.name = "GetLoginCaptcha", .needsSession = false},
           [](IdentityContext&, const Caller&, const Json&) -> Reply {
             return notSupported("captcha is not enabled: failed logins are throttled instead");
           });
  serveApi(r, ctx, {.name = "RefreshCaptcha", .needsSession = false},
           [](IdentityContext&, const Caller&, const Json&) -> Reply {
             return notSupported("captcha is not enabled: failed logins are throttled instead");
           });
  serveApi(r, ctx, {.name = "GetTwoFactorAuthenticationSecret", .needsSession = false},
           [](IdentityContext&, const Caller&, const Json&) -> Reply {
             return notSupported(
                 "two-factor authentication is not enabled on this node: there is no secret");
           });
  // The manual's answer when two-factor authentication is off: {"state": "Disable"}.
  serveApi(r, ctx, {.name = "GetTwoFactorAuthenticationState", .needsSession = false},
           [](IdentityContext&, const Caller&, const Json&) -> Reply {
             return Json{{"state", "Disable"}};
           });
}

}  // namespace strato::identity
