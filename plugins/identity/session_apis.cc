#include "session_apis.h"

#include <cmath>
#include <exception>
#include <utility>

#include "account_store.h"
#include "handler_util.h"
#include "identity_configs.h"
#include "password.h"
#include "strato/time_format.h"
#include "user_store.h"

namespace strato::identity {
namespace {

constexpr const char* kWrongCredentials = "wrong account name or password";

// A parameter of the request body's merged "params" object.
std::string bodyString(const Json& body, const char* name) {
  return body.contains("params") ? stringParam(body["params"], name) : std::string();
}

// Account names come from the client: keep log lines one line and bounded.
std::string loggable(const std::string& name) {
  std::string out = name.substr(0, 64);
  for (char& c : out) {
    if (static_cast<unsigned char>(c) <= ' ' || c == '\x7f') c = '?';
  }
  return out;
}

Reply logIn(IdentityContext& ctx, const Json& body) {
  std::string name = bodyString(body, "accountName");
  std::string password = bodyString(body, "password");
  std::int64_t now = nowMillis();
  if (ctx.throttle.blocked(name, now)) {
    return makeError(ErrorCode::kUnauthenticated, "too many failed logins, retry later");
  }
  auto account = findAccountByName(ctx.db, name);
  if (!account) return account.error();
  bool verified = false;
  if (*account) {
    verified = verifyPassword((*account)->passwordHash, (*account)->passwordSalt, password);
  } else {
    (void)verifyPassword(ctx.decoyHash, ctx.decoySalt, password);  // same cost, result unused
  }
  if (!verified) {
    ctx.throttle.recordFailure(name, now);
    ctx.log.warn("login refused reason=credentials account=" + loggable(name));
    return makeError(ErrorCode::kUnauthenticated, kWrongCredentials);
  }
  ctx.throttle.recordSuccess(name);
  // Only someone who knows the password learns that the account is disabled.
  if ((*account)->state != kStateEnabled) {
    return makeError(ErrorCode::kUnauthenticated, "account is disabled");
  }
  ctx.sessions->maybePurgeExpired();
  auto session = ctx.sessions->create(**account);
  if (!session) return session.error();
  // The session uuid is a bearer token: never logged.
  ctx.log.info("login account=" + loggable(name));
  return Json{{"inventory", session->inventory()}};
}

// Like logIn, for a user inside an account (named by accountUuid or accountName). The session
// carries the account and the user; it is never an admin session.
Reply logInByUser(IdentityContext& ctx, const Json& body) {
  std::string accountUuid = bodyString(body, "accountUuid");
  std::string accountName = bodyString(body, "accountName");
  std::string userName = bodyString(body, "userName");
  std::string password = bodyString(body, "password");
  if (accountUuid.empty() && accountName.empty()) {
    return makeError(ErrorCode::kInvalidArgument, "LogInByUser needs accountUuid or accountName");
  }
  std::string throttleKey =
      "user:" + (accountUuid.empty() ? accountName : accountUuid) + "/" + userName;
  std::int64_t now = nowMillis();
  if (ctx.throttle.blocked(throttleKey, now)) {
    return makeError(ErrorCode::kUnauthenticated, "too many failed logins, retry later");
  }
  auto account = accountUuid.empty() ? findAccountByName(ctx.db, accountName)
                                     : findAccountByUuid(ctx.db, accountUuid);
  if (!account) return account.error();
  std::optional<User> user;
  if (*account) {
    auto found = findUserByName(ctx.db, (*account)->uuid, userName);
    if (!found) return found.error();
    user = std::move(*found);
  }
  bool verified = false;
  if (user) {
    verified = verifyPassword(user->passwordHash, user->passwordSalt, password);
  } else {
    (void)verifyPassword(ctx.decoyHash, ctx.decoySalt, password);  // same cost, result unused
  }
  if (!verified) {
    ctx.throttle.recordFailure(throttleKey, now);
    ctx.log.warn("login refused reason=credentials user=" + loggable(throttleKey));
    return makeError(ErrorCode::kUnauthenticated, "wrong account name, user name or password");
  }
  ctx.throttle.recordSuccess(throttleKey);
  if ((*account)->state != kStateEnabled) {
    return makeError(ErrorCode::kUnauthenticated, "account is disabled");
  }
  if (user->state != kStateEnabled)
    return makeError(ErrorCode::kUnauthenticated, "user is disabled");
  ctx.sessions->maybePurgeExpired();
  auto session = ctx.sessions->create(**account, user->uuid);
  if (!session) return session.error();
  ctx.log.info("login user=" + loggable(throttleKey));
  return Json{{"inventory", session->inventory()}};
}

Reply renew(IdentityContext& ctx, const Json& body) {
  const Json& caller = body.contains("session") ? body["session"] : Json();
  if (!caller.is_object()) {
    return makeError(ErrorCode::kUnauthenticated, "RenewSession needs a session");
  }
  // The manual names the URL variable sessionId; a later release spells it sessionUuid.
  std::string uuid = bodyString(body, "sessionId");
  if (uuid.empty()) uuid = bodyString(body, "sessionUuid");

  std::int64_t duration = ctx.sessions->timeoutSeconds();
  const Json& params = body.contains("params") ? body["params"] : Json::object();
  if (auto it = params.find("duration"); it != params.end() && !it->is_null()) {
    // Clients send it as a float ("duration": 100.0), so accept any whole number.
    if (!it->is_number() || std::floor(it->get<double>()) != it->get<double>() ||
        it->get<double>() < 1 || it->get<double>() > static_cast<double>(kMaxSessionSeconds)) {
      return makeError(
          ErrorCode::kInvalidArgument,
          "duration must be whole seconds between 1 and " + std::to_string(kMaxSessionSeconds),
          it->dump());
    }
    duration = static_cast<std::int64_t>(it->get<double>());
  }

  auto target = ctx.sessions->findLive(uuid);
  if (!target) return target.error();
  if (!*target) return makeError(ErrorCode::kNotFound, "session expired or does not exist", uuid);
  bool admin = caller.value("admin", false);
  if (!admin && caller.value("accountUuid", std::string()) != (*target)->accountUuid) {
    return makeError(ErrorCode::kPermissionDenied,
                     "only the session's own account or an admin may renew it");
  }
  auto renewed = ctx.sessions->renew(**target, duration);
  if (!renewed) return renewed.error();
  return Json{{"inventory", renewed->inventory()}};
}

}  // namespace

void registerSessionApis(Registrar& r, const std::shared_ptr<IdentityContext>& ctx) {
  using P = ApiParam;
  r.addApi({.name = "LogInByAccount",
            .method = HttpMethod::kPut,
            .path = "/zstack/v1/accounts/login",
            .actionKey = "logInByAccount",
            .params = {P{"accountName", ParamType::kString, true, {}},
                       P{"password", ParamType::kString, true, {}},
                       P{"captchaUuid", ParamType::kString, false, {}},
                       P{"verifyCode", ParamType::kString, false, {}}},
            .responseKind = "inventory",
            .messageType = kLogInByAccountMessage,
            .needsSession = false,
            .synchronous = true});
  r.addApi({.name = "LogInByUser",
            .method = HttpMethod::kPut,
            .path = "/zstack/v1/accounts/users/login",
            .actionKey = "logInByUser",
            .params = {P{"accountUuid", ParamType::kString, false, {}},
                       P{"accountName", ParamType::kString, false, {}},
                       P{"userName", ParamType::kString, true, {}},
                       P{"password", ParamType::kString, true, {}},
                       P{"captchaUuid", ParamType::kString, false, {}},
                       P{"verifyCode", ParamType::kString, false, {}}},
            .responseKind = "inventory",
            .messageType = kLogInByUserMessage,
            .needsSession = false,
            .synchronous = true});
  r.addApi({.name = "LogOut",
            .method = HttpMethod::kDelete,
            .path = "/zstack/v1/accounts/sessions/{sessionUuid}",
            .params = {P{"sessionUuid", ParamType::kString, true, {}}},
            .responseKind = "empty",
            .messageType = kLogOutMessage,
            .needsSession = false,
            .synchronous = true});
  r.addApi({.name = "ValidateSession",
            .method = HttpMethod::kGet,
            .path = "/zstack/v1/accounts/sessions/{sessionUuid}/valid",
            .params = {P{"sessionUuid", ParamType::kString, true, {}}},
            .responseKind = "validSession",
            .messageType = kValidateSessionMessage,
            .needsSession = false,
            .synchronous = true});
  // Needs a session and runs as an async job, as in ZStack.
  r.addApi({.name = "RenewSession",
            .method = HttpMethod::kPut,
            .path = "/zstack/v1/accounts/sessions/{sessionId}/renew",
            .actionKey = "renewSession",
            .params = {P{"sessionId", ParamType::kString, true, {}},
                       P{"duration", ParamType::kLong, false, {}}},
            .responseKind = "inventory",
            .messageType = kRenewSessionMessage});

  r.handle(kLogInByAccountMessage, [ctx](Message m, Replier reply) {
    replyFromBlocking(ctx->bus, std::move(reply),
                      [ctx, body = std::move(m.body)] { return logIn(*ctx, body); });
  });
  r.handle(kLogInByUserMessage, [ctx](Message m, Replier reply) {
    replyFromBlocking(ctx->bus, std::move(reply),
                      [ctx, body = std::move(m.body)] { return logInByUser(*ctx, body); });
  });
  r.handle(kLogOutMessage, [ctx](Message m, Replier reply) {
    replyFromBlocking(ctx->bus, std::move(reply), [ctx, body = std::move(m.body)]() -> Reply {
      // Idempotent: an unknown or already closed session answers {} too.
      auto removed = ctx->sessions->remove(bodyString(body, "sessionUuid"));
      if (!removed) return removed.error();
      return Json::object();
    });
  });
  r.handle(kValidateSessionMessage, [ctx](Message m, Replier reply) {
    replyFromBlocking(ctx->bus, std::move(reply), [ctx, body = std::move(m.body)]() -> Reply {
      auto session = ctx->sessions->findLive(bodyString(body, "sessionUuid"));
      if (!session) return session.error();
      bool valid = session->has_value();
      // The SDK's result reads "valid"; the manual's example shows "validSession": send both.
      return Json{{"valid", valid}, {"validSession", valid}};
    });
  });
  r.handle(kRenewSessionMessage, [ctx](Message m, Replier reply) {
    replyFromBlocking(ctx->bus, std::move(reply),
                      [ctx, body = std::move(m.body)] { return renew(*ctx, body); });
  });
}

}  // namespace strato::identity
