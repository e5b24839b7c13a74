// The session APIs: LogInByAccount, LogInByUser, LogOut, ValidateSession, RenewSession.
// Declarations follow the ZStack v1 manual (shared/api/zstack-api.json); the handlers move all
// database work to the bus's blocking pool.
#pragma once

#include <memory>
#include <string>

#include "identity_context.h"
#include "strato/registrar.h"

namespace strato::identity {

inline constexpr const char* kLogInByAccountMessage = "identity.LogInByAccount";
inline constexpr const char* kLogOutMessage = "identity.LogOut";
inline constexpr const char* kValidateSessionMessage = "identity.ValidateSession";
inline constexpr const char* kRenewSessionMessage = "identity.RenewSession";
inline constexpr const char* kLogInByUserMessage = "identity.LogInByUser";

void registerSessionApis(Registrar& r, const std::shared_ptr<IdentityContext>& ctx);

}  // namespace strato::identity
