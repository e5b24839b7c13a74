// Plumbing shared by the identity APIs: who is calling, reading parameters, and running a
// handler on the blocking pool (every handler here talks to the database).
#pragma once

#include <exception>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "identity_context.h"
#include "strato/api.h"
#include "strato/bus.h"
#include "strato/registrar.h"

namespace strato::identity {

// The session a request came with (the kernel's {"uuid", "accountUuid", "userUuid", "admin"}).
struct Caller {
  std::string sessionUuid;
  std::string accountUuid;
  std::string userUuid;
  bool admin = false;

  // A user's session (LogInByUser), as opposed to the account's own (userUuid = accountUuid).
  bool isUser() const { return !userUuid.empty() && userUuid != accountUuid; }
  // Admins act on every account; everyone else only on their own.
  bool mayActOn(const std::string& ownerAccountUuid) const {
    return admin || ownerAccountUuid == accountUuid;
  }

  static Caller fromBody(const Json& body) {
    Caller c;
    const Json& s = body.contains("session") ? body["session"] : Json();
    if (!s.is_object()) return c;
    c.sessionUuid = s.value("uuid", std::string());
    c.accountUuid = s.value("accountUuid", std::string());
    c.userUuid = s.value("userUuid", std::string());
    c.admin = s.value("admin", false);
    return c;
  }
};

// Runs `work` on the blocking pool and replies with what it returns. Exceptions stop here:
// they must not escape into the kernel's thread pool.
template <class Work>
void replyFromBlocking(MessageBus& bus, Replier reply, Work work) {
  // std::function needs a copyable callable; the Replier is move-only.
  auto shared = std::make_shared<Replier>(std::move(reply));
  bus.postBlocking([shared, work = std::move(work)]() mutable {
    try {
      (*shared)(work());
    } catch (const std::exception& e) {
      (*shared)(makeError(ErrorCode::kInternal, "identity request failed", e.what()));
    }
  });
}

inline std::string stringParam(const Json& params, const char* name) {
  auto it = params.find(name);
  return it != params.end() && it->is_string() ? it->get<std::string>() : std::string();
}

// The first of several spellings that is present: the manual's OCR and later releases spell
// some parameters differently (resourceUids / resourceUuids, userId / userUuid).
inline std::string stringParamAny(const Json& params, std::initializer_list<const char*> names) {
  for (const char* name : names) {
    if (auto value = stringParam(params, name); !value.empty()) return value;
  }
  return {};
}

inline std::vector<std::string> listParamAny(const Json& params,
                                             std::initializer_list<const char*> names) {
  std::vector<std::string> out;
  for (const char* name : names) {
    auto it = params.find(name);
    if (it == params.end() || !it->is_array()) continue;
    for (const auto& item : *it) {
      if (item.is_string()) out.push_back(item.get<std::string>());
    }
  }
  return out;
}

inline Error denied(const std::string& what) {
  return makeError(ErrorCode::kPermissionDenied, what);
}

using IdentityWork = std::function<Reply(IdentityContext&, const Caller&, const Json& params)>;

// Declares `api` (message type "identity.<name>" unless set; an empty path is completed from
// the kernel's ZStack catalog) and serves it with `work` on the blocking pool.
inline void serveApi(Registrar& r, const std::shared_ptr<IdentityContext>& ctx, ApiDeclaration api,
                     IdentityWork work) {
  if (api.messageType.empty()) api.messageType = "identity." + api.name;
  std::string type = api.messageType;
  r.addApi(std::move(api));
  r.handle(type, [ctx, work = std::move(work)](Message m, Replier reply) {
    replyFromBlocking(ctx->bus, std::move(reply), [ctx, work, body = std::move(m.body)] {
      const Json& params = body.contains("params") ? body["params"] : Json::object();
      return work(*ctx, Caller::fromBody(body), params);
    });
  });
}

}  // namespace strato::identity
