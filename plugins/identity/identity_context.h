// What every identity handler shares. The services are the node's and live as long as the
// process; the context is built once in init and captured by the handlers.
#pragma once

#include <memory>
#include <string>

#include "login_throttle.h"
#include "quota_service.h"
#include "session_store.h"
#include "strato/bus.h"
#include "strato/database.h"
#include "strato/extension.h"
#include "strato/logger.h"

namespace strato::identity {

struct IdentityContext {
  MessageBus& bus;
  Database& db;
  Logger& log;
  // Complete once every plugin is loaded: QuotaReporters are looked up here at use time.
  const ExtensionLookup& extensions;
  std::shared_ptr<SessionStore> sessions;
  std::shared_ptr<QuotaService> quotas;
  LoginThrottle throttle;
  // Verified against when the account name is unknown, so a wrong name costs the same time as a
  // wrong password and timing does not tell which names exist.
  std::string decoySalt;
  std::string decoyHash;
};

}  // namespace strato::identity
