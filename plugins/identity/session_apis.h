// The four session APIs every REST client needs: LogInByAccount, LogOut, ValidateSession,
// RenewSession. Declarations follow the ZStack v1 manual (shared/api/zstack-api.json); the
// handlers move all database work to the bus's blocking pool.
#pragma once

#include <memory>
#include <string>

#include "login_throttle.h"
#include "session_store.h"
#include "strato/bus.h"
#include "strato/database.h"
#include "strato/logger.h"
#include "strato/registrar.h"

namespace strato::identity {

inline constexpr const char* kLogInByAccountMessage = "identity.LogInByAccount";
inline constexpr const char* kLogOutMessage = "identity.LogOut";
inline constexpr const char* kValidateSessionMessage = "identity.ValidateSession";
inline constexpr const char* kRenewSessionMessage = "identity.RenewSession";

// What the handlers share; the services are the node's, valid for the life of the process.
struct IdentityContext {
  MessageBus& bus;
  Database& db;
  Logger& log;
  std::shared_ptr<SessionStore> sessions;
  LoginThrottle throttle;
  // Verified against when the account name is unknown, so a wrong name costs the same time as a
  // wrong password and timing does not tell which names exist.
  std::string decoySalt;
  std::string decoyHash;
};

void registerSessionApis(Registrar& r, const std::shared_ptr<IdentityContext>& ctx);

}  // namespace strato::identity
