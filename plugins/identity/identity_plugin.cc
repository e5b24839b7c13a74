// The identity plugin: accounts, users, groups, policies, sessions, quotas and the sharing of
// resources between accounts - the 42 APIs of section 9.1 of the ZStack manual - plus the
// SessionResolver, ApiAuthorizer and QuotaGuard the kernel and other plugins use (README.md).
#include <strato/sdk.h>

#include <exception>
#include <memory>

#include "account_apis.h"
#include "account_store.h"
#include "identity_configs.h"
#include "identity_schema.h"
#include "password.h"
#include "policy_apis.h"
#include "policy_engine.h"
#include "quota_service.h"
#include "session_apis.h"
#include "session_store.h"
#include "sharing_apis.h"
#include "user_apis.h"

namespace strato::identity {
namespace {

void addInventories(Registrar& r) {
  using F = InventoryField;
  const F created{"createDate", FieldType::kDate}, changed{"lastOpDate", FieldType::kDate};
  // Who sees what with a non-admin session: an account its own row, an account's users,
  // groups, policies and quotas only there.
  r.addInventory(
      {.name = "Account",
       .table = "account",
       .className = "org.zstack.header.identity.AccountInventory",
       .fields = {{"uuid"}, {"name"}, {"description"}, {"type"}, {"state"}, created, changed},
       .accountField = "uuid"});
  r.addInventory(
      {.name = "User",
       .table = "identity_user",
       .className = "org.zstack.header.identity.UserInventory",
       .fields =
           {{"uuid"}, {"accountUuid"}, {"name"}, {"description"}, {"state"}, created, changed},
       .accountField = "accountUuid"});
  r.addInventory(
      {.name = "UserGroup",
       .table = "user_group",
       .className = "org.zstack.header.identity.UserGroupInventory",
       .fields = {{"uuid"}, {"accountUuid"}, {"name"}, {"description"}, created, changed},
       .accountField = "accountUuid"});
  r.addInventory({.name = "Policy",
                  .table = "identity_policy",
                  .className = "org.zstack.header.identity.PolicyInventory",
                  .fields = {{"uuid"},
                             {"accountUuid"},
                             {"name"},
                             {"description"},
                             {"statements", FieldType::kJson},
                             created,
                             changed},
                  .accountField = "accountUuid"});
  r.addInventory({.name = "Quota",
                  .table = "quota",
                  .className = "org.zstack.header.identity.QuotaInventory",
                  .fields = {{"uuid"},
                             {"name"},
                             {"identityUuid"},
                             {"identityType"},
                             {"value", FieldType::kInteger},
                             created,
                             changed},
                  .accountField = "identityUuid"});
}

Status init(Registrar& r) {
  for (auto& declaration : identityConfigs()) r.addGlobalConfig(std::move(declaration));
  r.addMigrations(identityMigrations());
  addInventories(r);

  auto sessions = std::make_shared<SessionStore>(r.database(), r.globalConfig());
  auto quotas = std::make_shared<QuotaService>(r.database(), r.extensions());
  // All state lives in objects made here, none in statics: a process that initialises the
  // plugin again (tests do) starts from a clean slate.
  std::string decoySalt = newSalt();
  std::string decoyHash = hashPassword(decoySalt, sha512Hex("decoy"));
  // Built in place: the throttle's mutex makes the context immovable.
  std::shared_ptr<IdentityContext> ctx(new IdentityContext{r.bus(),
                                                           r.database(),
                                                           r.logger(),
                                                           r.extensions(),
                                                           sessions,
                                                           quotas,
                                                           {},
                                                           std::move(decoySalt),
                                                           std::move(decoyHash)});

  registerSessionApis(r, ctx);
  registerAccountApis(r, ctx);
  registerUserApis(r, ctx);
  registerPolicyApis(r, ctx);
  registerSharingApis(r, ctx);
  registerQuotaApis(r, ctx);
  r.addExtension<SessionResolver>("identity", sessions);
  r.addExtension<ApiAuthorizer>("identity", std::make_shared<PolicyAuthorizer>(r.database()));
  r.addExtension<QuotaGuard>("identity", quotas);

  r.onStart([ctx]() -> Status {
    try {
      if (auto s = ensureAdminAccount(ctx->db, ctx->log); !s) return s;
      // Quotas of reporters that arrived since the last start; every plugin is loaded by now.
      if (auto s = ctx->quotas->ensureAllAccounts(); !s) return s;
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

STRATO_PLUGIN("identity", "0.2.0", strato::identity::init)
