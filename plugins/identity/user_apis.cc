#include "user_apis.h"

#include "handler_util.h"
#include "password.h"
#include "strato/time_format.h"
#include "strato/uuid.h"
#include "user_store.h"

namespace strato::identity {
namespace {

using P = ApiParam;

Result<std::string> newResourceUuid(const Json& params) {
  std::string uuid = stringParam(params, "resourceUuid");
  if (uuid.empty()) return newUuid();
  if (!isUuid(uuid))
    return makeError(ErrorCode::kInvalidArgument, "resourceUuid must be 32 hex digits");
  return uuid;
}

DbValue optionalText(const Json& params, const char* name) {
  if (auto v = stringParam(params, name); !v.empty()) return v;
  return DbValue();
}

Status runAll(Database& db, std::initializer_list<const char*> statements,
              const std::string& uuid) {
  return db.transaction([&](Database& tx) -> Status {
    for (const char* sql : statements) {
      auto r = tx.execute(sql, {uuid});
      if (!r) return r.error();
    }
    return {};
  });
}

Reply createUser(IdentityContext& ctx, const Caller& caller, const Json& params) {
  auto uuid = newResourceUuid(params);
  if (!uuid) return uuid.error();
  std::string name = stringParam(params, "name");
  auto taken = findUserByName(ctx.db, caller.accountUuid, name);
  if (!taken) return taken.error();
  if (*taken) return makeError(ErrorCode::kAlreadyExists, "the account has a user named " + name);
  std::string salt = newSalt();
  std::int64_t now = nowMillis();
  auto inserted = ctx.db.execute(
      "INSERT INTO identity_user (uuid, accountUuid, name, passwordHash, passwordSalt, state, "
      "description, createDate, lastOpDate) VALUES (?, ?, ?, ?, ?, 'Enabled', ?, ?, ?)",
      {*uuid, caller.accountUuid, name, hashPassword(salt, stringParam(params, "password")), salt,
       optionalText(params, "description"), now, now});
  if (!inserted)
    return makeError(ErrorCode::kAlreadyExists, "cannot create user " + name,
                     inserted.error().describe());
  auto user = findUser(ctx.db, *uuid);
  if (!user) return user.error();
  return Json{{"inventory", (*user)->inventory()}};
}

Reply deleteUser(IdentityContext& ctx, const Caller& caller, const Json& params) {
  std::string uuid = stringParam(params, "uuid");
  auto found = findUser(ctx.db, uuid);
  if (!found) return found.error();
  if (!*found) return Json::object();
  auto user = visibleTo(std::move(found), "user", uuid, caller.accountUuid, caller.admin);
  if (!user) return user.error();
  auto done = runAll(ctx.db,
                     {"DELETE FROM user_group_user_ref WHERE userUuid = ?",
                      "DELETE FROM user_policy_ref WHERE userUuid = ?",
                      "DELETE FROM identity_user WHERE uuid = ?"},
                     uuid);
  if (!done) return done.error();
  if (auto s = ctx.sessions->removeForUser(uuid); !s) return s.error();
  return Json::object();
}

// The manual answers {} (no inventory).
Reply updateUser(IdentityContext& ctx, const Caller& caller, const Json& params) {
  std::string uuid = stringParam(params, "uuid");
  if (uuid.empty() && caller.isUser()) uuid = caller.userUuid;  // a user updating itself
  if (uuid.empty())
    return makeError(ErrorCode::kInvalidArgument, "UpdateUser needs the user's uuid");
  auto user = visibleTo(findUser(ctx.db, uuid), "user", uuid, caller.accountUuid, caller.admin);
  if (!user) return user.error();
  std::string name = stringParam(params, "name");
  if (!name.empty() && name != user->name) {
    auto taken = findUserByName(ctx.db, user->accountUuid, name);
    if (!taken) return taken.error();
    if (*taken) return makeError(ErrorCode::kAlreadyExists, "the account has a user named " + name);
  }
  std::int64_t now = nowMillis();
  auto done = ctx.db.transaction([&](Database& tx) -> Status {
    auto set = [&](const char* column, const DbValue& value) -> Status {
      auto r = tx.execute(
          std::string("UPDATE identity_user SET ") + column + " = ?, lastOpDate = ? WHERE uuid = ?",
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
    if (auto password = stringParam(params, "password"); !password.empty()) {
      std::string salt = newSalt();
      if (auto s = set("passwordSalt", salt); !s) return s;
      if (auto s = set("passwordHash", hashPassword(salt, password)); !s) return s;
    }
    return {};
  });
  if (!done) return done.error();
  return Json::object();
}

Reply createGroup(IdentityContext& ctx, const Caller& caller, const Json& params) {
  auto uuid = newResourceUuid(params);
  if (!uuid) return uuid.error();
  std::int64_t now = nowMillis();
  auto inserted = ctx.db.execute(
      "INSERT INTO user_group (uuid, accountUuid, name, description, createDate, lastOpDate) "
      "VALUES (?, ?, ?, ?, ?, ?)",
      {*uuid, caller.accountUuid, stringParam(params, "name"), optionalText(params, "description"),
       now, now});
  if (!inserted)
    return makeError(ErrorCode::kAlreadyExists, "cannot create the group",
                     inserted.error().describe());
  auto group = findGroup(ctx.db, *uuid);
  if (!group) return group.error();
  return Json{{"inventory", (*group)->groupInventory()}};
}

Reply deleteGroup(IdentityContext& ctx, const Caller& caller, const Json& params) {
  std::string uuid = stringParam(params, "uuid");
  auto found = findGroup(ctx.db, uuid);
  if (!found) return found.error();
  if (!*found) return Json::object();
  auto group = visibleTo(std::move(found), "user group", uuid, caller.accountUuid, caller.admin);
  if (!group) return group.error();
  auto done = runAll(ctx.db,
                     {"DELETE FROM user_group_user_ref WHERE groupUuid = ?",
                      "DELETE FROM user_group_policy_ref WHERE groupUuid = ?",
                      "DELETE FROM user_group WHERE uuid = ?"},
                     uuid);
  if (!done) return done.error();
  return Json::object();
}

Reply updateGroup(IdentityContext& ctx, const Caller& caller, const Json& params) {
  std::string uuid = stringParam(params, "uuid");
  auto group =
      visibleTo(findGroup(ctx.db, uuid), "user group", uuid, caller.accountUuid, caller.admin);
  if (!group) return group.error();
  std::int64_t now = nowMillis();
  for (const char* column : {"name", "description"}) {
    if (!params.contains(column)) continue;
    auto r = ctx.db.execute(
        std::string("UPDATE user_group SET ") + column + " = ?, lastOpDate = ? WHERE uuid = ?",
        {stringParam(params, column), now, uuid});
    if (!r) return r.error();
  }
  auto updated = findGroup(ctx.db, uuid);
  if (!updated) return updated.error();
  return Json{{"inventory", (*updated)->groupInventory()}};
}

// A user and a group of one account, both visible to the caller.
Reply membership(IdentityContext& ctx, const Caller& caller, const Json& params, bool add) {
  std::string groupUuid = stringParam(params, "groupUuid");
  // The manual's table says userId; its example and the SDK send userUuid.
  std::string userUuid = stringParamAny(params, {"userUuid", "userId"});
  if (userUuid.empty())
    return makeError(ErrorCode::kInvalidArgument, "missing required parameter 'userUuid'");
  auto group = visibleTo(findGroup(ctx.db, groupUuid), "user group", groupUuid, caller.accountUuid,
                         caller.admin);
  if (!group) return group.error();
  auto user =
      visibleTo(findUser(ctx.db, userUuid), "user", userUuid, caller.accountUuid, caller.admin);
  if (!user) return user.error();
  if (user->accountUuid != group->accountUuid) {
    return makeError(ErrorCode::kInvalidArgument,
                     "the user and the group belong to different accounts");
  }
  auto done =
      add ? link(ctx.db, "user_group_user_ref", "groupUuid", groupUuid, "userUuid", userUuid)
          : unlink(ctx.db, "user_group_user_ref", "groupUuid", groupUuid, "userUuid", userUuid);
  if (!done) return done.error();
  return Json::object();
}

}  // namespace

Status link(Database& db, const char* table, const char* columnA, const std::string& a,
            const char* columnB, const std::string& b) {
  std::string where = std::string(" WHERE ") + columnA + " = ? AND " + columnB + " = ?";
  auto present = db.query(std::string("SELECT 1 FROM ") + table + where, {a, b});
  if (!present) return present.error();
  if (!present->rows.empty()) return {};  // attaching twice is not an error
  auto inserted = db.execute(std::string("INSERT INTO ") + table + " (" + columnA + ", " + columnB +
                                 ", createDate) VALUES (?, ?, ?)",
                             {a, b, nowMillis()});
  if (!inserted) return inserted.error();
  return {};
}

Status unlink(Database& db, const char* table, const char* columnA, const std::string& a,
              const char* columnB, const std::string& b) {
  auto deleted = db.execute(
      std::string("DELETE FROM ") + table + " WHERE " + columnA + " = ? AND " + columnB + " = ?",
      {a, b});
  if (!deleted) return deleted.error();
  return {};
}

void registerUserApis(Registrar& r, const std::shared_ptr<IdentityContext>& ctx) {
  serveApi(r, ctx, {.name = "CreateUser", .inventory = "User"}, createUser);
  serveApi(r, ctx, {.name = "DeleteUser", .inventory = "User"}, deleteUser);
  serveApi(r, ctx, {.name = "UpdateUser"}, updateUser);
  r.addApi({.name = "QueryUser", .inventory = "User"});

  serveApi(r, ctx, {.name = "CreateUserGroup", .inventory = "UserGroup"}, createGroup);
  serveApi(r, ctx, {.name = "DeleteUserGroup", .inventory = "UserGroup"}, deleteGroup);
  serveApi(r, ctx, {.name = "UpdateUserGroup", .inventory = "UserGroup"}, updateGroup);
  r.addApi({.name = "QueryUserGroup", .inventory = "UserGroup"});
  serveApi(r, ctx,
           {.name = "AddUserToGroup",
            .params = {P{"userUuid", ParamType::kString, false, {}},
                       P{"userId", ParamType::kString, false, {}},
                       P{"groupUuid", ParamType::kString, true, {}}}},
           [](IdentityContext& c, const Caller& who, const Json& p) {
             return membership(c, who, p, true);
           });
  serveApi(r, ctx, {.name = "RemoveUserFromGroup"},
           [](IdentityContext& c, const Caller& who, const Json& p) {
             return membership(c, who, p, false);
           });
}

}  // namespace strato::identity
