#include "policy_apis.h"

#include <cctype>

#include "handler_util.h"
#include "policy_engine.h"
#include "strato/time_format.h"
#include "strato/uuid.h"
#include "user_apis.h"
#include "user_store.h"

namespace strato::identity {
namespace {

using P = ApiParam;

Reply createPolicy(IdentityContext& ctx, const Caller& caller, const Json& params) {
  std::string uuid = stringParam(params, "resourceUuid");
  if (uuid.empty()) uuid = newUuid();
  if (!isUuid(uuid))
    return makeError(ErrorCode::kInvalidArgument, "resourceUuid must be 32 hex digits");
  auto statements = normalizeStatements(params.value("statements", Json()));
  if (!statements) return statements.error();
  std::int64_t now = nowMillis();
  DbValue description;
  if (auto d = stringParam(params, "description"); !d.empty()) description = d;
  auto inserted = ctx.db.execute(
      "INSERT INTO identity_policy (uuid, accountUuid, name, description, statements, createDate, "
      "lastOpDate) VALUES (?, ?, ?, ?, ?, ?, ?)",
      {uuid, caller.accountUuid, stringParam(params, "name"), description, statements->dump(), now,
       now});
  if (!inserted)
    return makeError(ErrorCode::kAlreadyExists, "cannot create the policy",
                     inserted.error().describe());
  auto policy = findPolicy(ctx.db, uuid);
  if (!policy) return policy.error();
  return Json{{"inventory", (*policy)->policyInventory()}};
}

Reply deletePolicy(IdentityContext& ctx, const Caller& caller, const Json& params) {
  std::string uuid = stringParam(params, "uuid");
  auto found = findPolicy(ctx.db, uuid);
  if (!found) return found.error();
  if (!*found) return Json::object();
  auto policy = visibleTo(std::move(found), "policy", uuid, caller.accountUuid, caller.admin);
  if (!policy) return policy.error();
  auto done = ctx.db.transaction([&](Database& tx) -> Status {
    for (const char* sql : {"DELETE FROM user_policy_ref WHERE policyUuid = ?",
                            "DELETE FROM user_group_policy_ref WHERE policyUuid = ?",
                            "DELETE FROM identity_policy WHERE uuid = ?"}) {
      auto r = tx.execute(sql, {uuid});
      if (!r) return r.error();
    }
    return {};
  });
  if (!done) return done.error();
  return Json::object();
}

// Attaches or detaches policies to a user or a group of the same account.
Reply attach(IdentityContext& ctx, const Caller& caller, bool group, const std::string& target,
             const std::vector<std::string>& policies, bool add) {
  std::string owner;
  if (group) {
    auto g = visibleTo(findGroup(ctx.db, target), "user group", target, caller.accountUuid,
                       caller.admin);
    if (!g) return g.error();
    owner = g->accountUuid;
  } else {
    auto u = visibleTo(findUser(ctx.db, target), "user", target, caller.accountUuid, caller.admin);
    if (!u) return u.error();
    owner = u->accountUuid;
  }
  if (policies.empty()) return makeError(ErrorCode::kInvalidArgument, "no policy uuid given");
  for (const auto& uuid : policies) {
    auto policy =
        visibleTo(findPolicy(ctx.db, uuid), "policy", uuid, caller.accountUuid, caller.admin);
    if (!policy) return policy.error();
    if (policy->accountUuid != owner) {
      return makeError(
          ErrorCode::kInvalidArgument,
          "policy " + uuid + " belongs to another account than the " + (group ? "group" : "user"));
    }
  }
  const char* table = group ? "user_group_policy_ref" : "user_policy_ref";
  const char* column = group ? "groupUuid" : "userUuid";
  for (const auto& uuid : policies) {
    auto done = add ? link(ctx.db, table, column, target, "policyUuid", uuid)
                    : unlink(ctx.db, table, column, target, "policyUuid", uuid);
    if (!done) return done.error();
  }
  return Json::object();
}

bool looksLikeRead(const std::string& apiName) {
  for (const char* prefix : {"Query", "Get", "Check", "Validate"}) {
    if (apiName.rfind(prefix, 0) == 0) return true;
  }
  return false;
}

// {apiName: "Allow"|"Deny"} for the named user (default: the calling user). Account sessions and
// admins are allowed everything the kernel lets them reach, so a missing userUuid from them
// answers Allow throughout. Only API names are known here, not methods: names starting with
// Query/Get/Check/Validate count as reads, which users may call without a policy.
Reply checkApiPermission(IdentityContext& ctx, const Caller& caller, const Json& params) {
  std::string userUuid = stringParam(params, "userUuid");
  if (userUuid.empty() && caller.isUser()) userUuid = caller.userUuid;
  if (!userUuid.empty()) {
    auto user =
        visibleTo(findUser(ctx.db, userUuid), "user", userUuid, caller.accountUuid, caller.admin);
    if (!user) return user.error();
    if (caller.isUser() && userUuid != caller.userUuid) {
      return denied("a user may only check its own permissions");
    }
  }
  Json out = Json::object();
  for (const auto& name : listParamAny(params, {"apiNames"})) {
    if (userUuid.empty()) {
      out[name] = "Allow";
      continue;
    }
    std::string api = normalizeApiName(name);
    auto decision =
        decideForUser(ctx.db, userUuid, api, identityInventoryOf(api), looksLikeRead(api));
    if (!decision) return decision.error();
    out[name] = *decision == Decision::kAllow ? "Allow" : "Deny";
  }
  return Json{{"inventory", out}};
}

}  // namespace

void registerPolicyApis(Registrar& r, const std::shared_ptr<IdentityContext>& ctx) {
  serveApi(r, ctx, {.name = "CreatePolicy", .inventory = "Policy"}, createPolicy);
  serveApi(r, ctx, {.name = "DeletePolicy", .inventory = "Policy"}, deletePolicy);
  r.addApi({.name = "QueryPolicy", .inventory = "Policy"});

  serveApi(r, ctx, {.name = "AttachPolicyToUser"},
           [](IdentityContext& c, const Caller& who, const Json& p) {
             return attach(c, who, false, stringParam(p, "userUuid"),
                           {stringParam(p, "policyUuid")}, true);
           });
  // The catalog already corrects the manual's path to /accounts/users/{userUuid}/policies/...
  serveApi(r, ctx,
           {.name = "DetachPolicyFromUser",
            .params = {P{"userUuid", ParamType::kString, true, {}},
                       P{"policyUuid", ParamType::kString, true, {}}}},
           [](IdentityContext& c, const Caller& who, const Json& p) {
             return attach(c, who, false, stringParam(p, "userUuid"),
                           {stringParam(p, "policyUuid")}, false);
           });
  // The manual's table says policyUids (OCR); its example and the SDK send policyUuids.
  serveApi(r, ctx,
           {.name = "AttachPoliciesToUser",
            .params = {P{"userUuid", ParamType::kString, true, {}},
                       P{"policyUuids", ParamType::kList, false, {}},
                       P{"policyUids", ParamType::kList, false, {}}}},
           [](IdentityContext& c, const Caller& who, const Json& p) {
             return attach(c, who, false, stringParam(p, "userUuid"),
                           listParamAny(p, {"policyUuids", "policyUids"}), true);
           });
  serveApi(r, ctx,
           {.name = "DetachPoliciesFromUser",
            .params = {P{"userUuid", ParamType::kString, true, {}},
                       P{"policyUuids", ParamType::kList, false, {}},
                       P{"policyUids", ParamType::kList, false, {}}}},
           [](IdentityContext& c, const Caller& who, const Json& p) {
             return attach(c, who, false, stringParam(p, "userUuid"),
                           listParamAny(p, {"policyUuids", "policyUids"}), false);
           });
  serveApi(r, ctx, {.name = "AttachPolicyToUserGroup"},
           [](IdentityContext& c, const Caller& who, const Json& p) {
             return attach(c, who, true, stringParam(p, "groupUuid"),
                           {stringParam(p, "policyUuid")}, true);
           });
  // The catalog lists userId instead of the path's groupUuid.
  serveApi(r, ctx,
           {.name = "DetachPolicyFromUserGroup",
            .params = {P{"groupUuid", ParamType::kString, true, {}},
                       P{"policyUuid", ParamType::kString, true, {}}}},
           [](IdentityContext& c, const Caller& who, const Json& p) {
             return attach(c, who, true, stringParam(p, "groupUuid"),
                           {stringParam(p, "policyUuid")}, false);
           });
  serveApi(r, ctx, {.name = "CheckApiPermission"}, checkApiPermission);
}

}  // namespace strato::identity
