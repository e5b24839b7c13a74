// The identity plugin: the admin account, sessions, the login/logout/validate/renew APIs and the
// SessionResolver the REST front end authenticates requests with. Users, groups, policies,
// quotas and sharing come later (see README.md).
#include <strato/sdk.h>

#include <exception>
#include <memory>

#include "account_store.h"
#include "identity_configs.h"
#include "identity_schema.h"
#include "password.h"
#include "session_apis.h"
#include "session_store.h"

namespace strato::identity {
namespace {

Status init(Registrar& r) {
  for (auto& declaration : identityConfigs()) r.addGlobalConfig(std::move(declaration));
  r.addMigrations(identityMigrations());

  auto sessions = std::make_shared<SessionStore>(r.database(), r.globalConfig());
  // All state lives in objects made here, none in statics: a process that initialises the
  // plugin again (tests do) starts from a clean slate.
  std::string decoySalt = newSalt();
  std::string decoyHash = hashPassword(decoySalt, sha512Hex("decoy"));
  // Built in place: the throttle's mutex makes the context immovable.
  std::shared_ptr<IdentityContext> ctx(new IdentityContext{
      r.bus(), r.database(), r.logger(), sessions, {}, std::move(decoySalt), std::move(decoyHash)});

  registerSessionApis(r, ctx);
  r.addExtension<SessionResolver>("identity", sessions);

  r.onStart([ctx]() -> Status {
    try {
      if (auto s = ensureAdminAccount(ctx->db, ctx->log); !s) return s;
      // Sessions that expired while the node was down.
      return ctx->sessions->purgeExpired();
    } catch (const std::exception& e) {
      return makeError(ErrorCode::kInternal, "identity start failed", e.what());
    }
  });
  return {};
}

}  // namespace
}  // namespace strato::identity

STRATO_PLUGIN("identity", "0.1.0", strato::identity::init)
